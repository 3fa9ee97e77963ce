"""Every saved version of a policy is kept: listed newest first, read back as it was, gone with
the policy; through the API router against a real SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.api.tenancy_world import World, seed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("policy-versions") / "world.sqlite"
    return path, asyncio.run(seed(path))


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


def body(name: str, *users: str) -> dict[str, Any]:
    return {
        "name": name,
        "team_id": "red",
        "steps": [{"type": "notify_users", "user_ids": list(users)}],
    }


async def test_versions_are_kept_listed_and_read_back(world: World) -> None:
    made = await world.call("red-lead", "POST", "/escalation-policies", body("v1", "red-resp"))
    assert made.status == 201, made.body
    pid = made.body["id"]
    for name, users in (("v2", ["red-resp", "red-lead"]), ("v3", ["red-lead"])):
        changed = await world.call(
            "red-lead", "PUT", f"/escalation-policies/{pid}", body(name, *users)
        )
        assert changed.status == 200, changed.body
    listed = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions")
    assert listed.status == 200, listed.body
    assert [(v["version"], v["name"], v["steps"]) for v in listed.body["items"]] == [
        (3, "v3", 1),
        (2, "v2", 1),
        (1, "v1", 1),
    ]
    second = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions/2")
    assert second.status == 200, second.body
    assert (second.body["id"], second.body["version"]) == (pid, 2)
    assert second.body["steps"][0]["user_ids"] == ["red-resp", "red-lead"]
    # Restoring is saving what was read: a fourth version equal to the second.
    restored = await world.call(
        "red-lead", "PUT", f"/escalation-policies/{pid}", {**second.body, "name": "v2 again"}
    )
    assert restored.status == 200 and restored.body["version"] == 4, restored.body

    gone = await world.call("red-lead", "DELETE", f"/escalation-policies/{pid}")
    assert gone.status == 204
    assert (await world.store.query("escalation_policy_versions", pk=pid)).items == []


async def test_a_policy_saved_before_the_history_lists_its_current_version(world: World) -> None:
    pid = world.ids["pol-red"]
    await world.store.delete("escalation_policy_versions", pid, f"{pid}:v1")
    assert (await world.store.query("escalation_policy_versions", pk=pid)).items == []
    listed = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions")
    assert [v["version"] for v in listed.body["items"]] == [1]
    current = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions/1")
    assert current.status == 200 and current.body["id"] == pid


@pytest.mark.parametrize(
    ("version", "status"), [("7", 404), ("two", 404), ("0x1", 404), ("٣", 404)]
)
async def test_unknown_versions_are_problems(world: World, version: str, status: int) -> None:
    pid = world.ids["pol-red"]
    got = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions/{version}")
    assert got.status == status and got.content_type == "application/problem+json"


async def test_a_policy_moved_to_another_team_keeps_its_earlier_versions_to_their_team(
    world: World,
) -> None:
    # People read every team; a team-limited API key (red's) reads only its teams, and a policy
    # moved from blue to red must not show it blue's earlier steps.
    blue = {
        "name": "blue's",
        "team_id": "blue",
        "steps": [{"type": "notify_users", "user_ids": ["blue-resp"]}],
    }
    made = await world.call("blue-lead", "POST", "/escalation-policies", blue)
    pid = made.body["id"]
    moved = body("red's", "red-resp")
    assert (await world.call("admin", "PUT", f"/escalation-policies/{pid}", moved)).status == 200
    listed = await world.call("key-red-viewer", "GET", f"/escalation-policies/{pid}/versions")
    assert [v["name"] for v in listed.body["items"]] == ["red's"], "blue's version is blue's"
    first = await world.call("key-red-viewer", "GET", f"/escalation-policies/{pid}/versions/1")
    assert first.status == 403, first.body
    everything = await world.call("red-viewer", "GET", f"/escalation-policies/{pid}/versions")
    assert [v["name"] for v in everything.body["items"]] == ["red's", "blue's"]
