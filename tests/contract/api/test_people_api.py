"""What the console's people pages read: my Teams connection (whether the bot keeps a 1:1 chat
with me — a channel the bot is in, or someone else's chat, does not count — and whether the bot
runs at all), and people's app roles as of their latest sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.msteams.connection import CONVERSATIONS
from tests.contract.api.tenancy_world import World, seed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("teams-connection") / "world.sqlite"
    return path, asyncio.run(seed(path))


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


def conversation(conversation_id: str, kind: str, user_id: str, at: str) -> dict[str, str]:
    return {
        "id": conversation_id,
        "pk": conversation_id,
        "kind": kind,
        "service_url": "https://smba.example/teams/",
        "tenant_id": "t",
        "team_id": "",
        "channel_name": "",
        "user_id": user_id,
        "updated_at": at,
    }


async def test_not_connected_until_the_bot_keeps_a_personal_chat(world: World) -> None:
    reply = await world.call("red-resp", "GET", "/me/teams-connection")
    assert reply.status == 200, reply.body
    # The world's notification ports have no Teams channel: the bot is off there.
    assert reply.body == {"bot_enabled": False, "connected": False, "since": None}

    await world.store.upsert(
        CONVERSATIONS, conversation("19:chan", "channel", "", "2026-11-20T08:00:00Z")
    )
    await world.store.upsert(
        CONVERSATIONS, conversation("a:blue", "personal", "blue-resp", "2026-11-21T08:00:00Z")
    )
    assert (await world.call("red-resp", "GET", "/me/teams-connection")).body["connected"] is False

    await world.store.upsert(
        CONVERSATIONS, conversation("a:red", "personal", "red-resp", "2026-11-22T08:00:00Z")
    )
    reply = await world.call("red-resp", "GET", "/me/teams-connection")
    assert reply.body["connected"] is True
    assert reply.body["since"] == "2026-11-22T08:00:00Z"


async def test_bot_enabled_follows_the_teams_channel(world: World) -> None:
    world.ports.notify.channels["teams"] = world.ports.notify.channels["console"]
    reply = await world.call("red-resp", "GET", "/me/teams-connection")
    assert reply.body["bot_enabled"] is True


async def test_only_people_have_one(world: World) -> None:
    reply = await world.call("key-red-resp", "GET", "/me/teams-connection")
    assert reply.status == 400 and reply.content_type == "application/problem+json"


async def test_users_show_their_app_roles_read_only(world: World) -> None:
    reply = await world.call("red-resp", "GET", "/users/red-viewer")
    assert reply.status == 200, reply.body
    assert reply.body["app_roles"] == ["OpenAlert.Viewer"]
    members = await world.call("admin", "GET", "/teams/red/members")
    roles = {m["id"]: m["app_roles"] for m in members.body["items"]}
    assert roles["red-lead"] == ["OpenAlert.Responder"]
