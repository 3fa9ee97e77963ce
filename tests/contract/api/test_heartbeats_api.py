"""Heartbeats through the API: created as integrations, pinged through the real processing,
listed and read with their last ping and state; a team's own only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from tests.contract.api.tenancy_world import NOW, Signals, World, seed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("heartbeats") / "world.sqlite"
    return path, asyncio.run(seed(path))


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


async def test_created_pinged_listed_and_read(world: World) -> None:
    created = await world.call(
        "red-lead",
        "POST",
        "/integrations",
        {
            "name": "nightly backup",
            "service_id": world.ids["svc-red"],
            "format": "heartbeat",
            "settings": {"heartbeat_interval_seconds": 3600},
        },
    )
    assert created.status == 201, created.body
    iid = created.body["integration"]["id"]
    assert created.body["setup"]["url"].endswith("/heartbeat")
    fresh = await world.call("red-viewer", "GET", f"/heartbeats/{iid}")
    assert fresh.status == 200, fresh.body
    assert (fresh.body["state"], fresh.body["last_ping"]) == ("waiting", None)

    pinged_at = NOW + timedelta(minutes=5)
    ping = Envelope(
        id="ping-00000001",
        integration_id=iid,
        format="heartbeat",
        received_at=pinged_at,
        kind="heartbeat",
        action={"name": "nightly-backup"},
    )
    await process_envelope(
        ping, ports=ProcessPorts(store=world.store, claim_check=None, escalation=Signals())
    )
    listed = await world.call("red-viewer", "GET", "/heartbeats", query={"team_id": "red"})
    assert listed.status == 200, listed.body
    (item,) = listed.body["items"]
    assert item["integration_id"] == iid and item["state"] == "ok"
    assert item["last_ping"] == pinged_at.isoformat().replace("+00:00", "Z")
    assert item["due_at"] == (pinged_at + timedelta(hours=1)).isoformat().replace("+00:00", "Z")


async def test_not_a_heartbeat_and_other_teams(world: World) -> None:
    generic = await world.call("red-lead", "GET", f"/heartbeats/{world.ids['int-red']}")
    assert generic.status == 404 and generic.content_type == "application/problem+json"
    blue = await world.call("key-red-lead", "GET", "/heartbeats", query={"team_id": "blue"})
    assert blue.status == 403
