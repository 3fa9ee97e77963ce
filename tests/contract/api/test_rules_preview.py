"""My notification rules' preview through the API: saved or edited, each rule set, what names
no usable method; a person's own only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.contract.api.tenancy_world import World, seed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("rules-preview") / "world.sqlite"
    return path, asyncio.run(seed(path))


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


async def test_saved_rules_without_any_use_every_method_now_and_after_five_minutes(
    world: World,
) -> None:
    reply = await world.call(
        "red-resp", "GET", "/me/notification-rules/preview", query={"at": "2026-11-23T09:00:00Z"}
    )
    assert reply.status == 200, reply.body
    for plan in (reply.body["default"], reply.body["important"]):
        assert plan["rule_set"] == "fallback"
        assert [(d["at"], [m["id"] for m in d["methods"]]) for d in plan["deliveries"]] == [
            ("2026-11-23T09:00:00Z", ["cm-red"]),
            ("2026-11-23T09:05:00Z", ["cm-red"]),
        ]
    assert reply.body["unmatched"] == []


async def test_edited_rules_show_their_sets_and_what_reaches_nobody(world: World) -> None:
    rules = {
        "default": [{"type": "notify", "contact": "email"}],
        "important": [
            {"type": "notify", "contact": "sms"},
            {"type": "wait", "minutes": 1},
            {"type": "notify", "contact": "cm-red"},
        ],
    }
    reply = await world.call("red-resp", "POST", "/me/notification-rules/preview", rules)
    assert reply.status == 200, reply.body
    important = reply.body["important"]
    assert important["rule_set"] == "important"
    # The SMS step reaches nobody (no SMS method), so the delivery starts with the e-mail, at
    # once, as the delivery does: the first step that reaches someone goes out on arrival.
    assert [(d["after_minutes"], d["methods"][0]["id"]) for d in important["deliveries"]] == [
        (0, "cm-red")
    ]
    assert reply.body["unmatched"] == ["sms"]
    saved = await world.call("red-resp", "GET", "/me/notification-rules")
    assert saved.body["important"] == [], "a preview saves nothing"


async def test_refusals(world: World) -> None:
    bad = await world.call(
        "red-resp", "GET", "/me/notification-rules/preview", query={"at": "soon"}
    )
    assert (bad.status, bad.body["field"]) == (400, "at")
    key = await world.call("key-red-resp", "GET", "/me/notification-rules/preview")
    assert key.status == 400 and key.content_type == "application/problem+json"
