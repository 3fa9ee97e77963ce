"""Verification codes (e-mail, SMS, voice) are rate-limited per person and per destination,
through the API router on a real SQLite store; a person without a role gets no contact methods."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.notifications.verify_limits import PER_DESTINATION_PER_HOUR, PER_PERSON_PER_HOUR
from tests.contract.api.tenancy_world import World, seed


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    template = tmp_path / "template.sqlite"
    ids = await asyncio.to_thread(lambda: asyncio.run(seed(template)))
    (tmp_path / "w").mkdir()
    w = await World.open(template, tmp_path / "w", ids)
    yield w
    await w.close()


async def add(world: World, who: str, kind: str, address: str) -> tuple[int, dict[str, str]]:
    reply = await world.call(who, "POST", "/me/contact-methods", {"kind": kind, "address": address})
    return reply.status, reply.headers


async def test_one_person_gets_a_few_codes_an_hour(world: World) -> None:
    for n in range(PER_PERSON_PER_HOUR):
        status, _ = await add(world, "red-resp", "sms", f"+4915112345{n:03d}")
        assert status == 201
    status, headers = await add(world, "red-resp", "email", "another@example.com")
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 3600
    assert len(world.channel.sent) == PER_PERSON_PER_HOUR
    # Methods that need no code are not limited.
    status, _ = await add(world, "red-resp", "console", "")
    assert status == 201


async def test_one_destination_gets_a_few_codes_an_hour_whoever_asks(world: World) -> None:
    people = ["red-lead", "red-resp", "red-viewer", "blue-lead", "blue-resp"]
    statuses = [(await add(world, who, "sms", "+4915100000001"))[0] for who in people]
    assert statuses == [201] * PER_DESTINATION_PER_HOUR + [429] * (
        len(people) - PER_DESTINATION_PER_HOUR
    )
    # The same phone by voice is the same destination.
    assert (await add(world, "blue-viewer", "voice", "+4915100000001"))[0] == 429
    assert world.channel.sent == ["+4915100000001"] * PER_DESTINATION_PER_HOUR


async def test_no_role_no_contact_methods(world: World) -> None:
    for method, path, body in (
        ("GET", "/me/contact-methods", None),
        ("POST", "/me/contact-methods", {"kind": "sms", "address": "+4915100000002"}),
        ("GET", "/me/notification-rules", None),
        ("GET", "/me/deliveries", None),
        ("GET", "/me/calendar", None),
    ):
        reply = await world.call("nobody", method, path, body)
        assert reply.status == 403, (path, reply.body)
    assert world.channel.sent == []
