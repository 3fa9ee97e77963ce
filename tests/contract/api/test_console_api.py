"""The API operations the web console needs, against the real SQLite store: list filters
(``q``, ``assignee=me``), counts per status, conditional GET (ETag / If-None-Match -> 304) and
bulk acknowledge / resolve across team boundaries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.api.router import Reply
from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole
from shared.incidents.models import Incident, IncidentStatus
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def person(pid: str, role: AppRole, teams: dict[str, TeamRole]) -> Principal:
    return Principal(kind=PrincipalKind.USER, id=pid, roles=frozenset({role}), teams=teams)


ALICE = person("alice", AppRole.RESPONDER, {"team-a": TeamRole.MEMBER})
BOB = person("bob", AppRole.RESPONDER, {"team-b": TeamRole.MEMBER})
VERA = person("vera", AppRole.VIEWER, {"team-a": TeamRole.MEMBER})


@dataclass
class Signals:
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def start(self, incident: Incident) -> None:
        return None

    async def signal(self, incident_id: str, signal: str, *, from_source: bool) -> None:
        self.sent.append((incident_id, signal))


@dataclass
class World:
    store: SqliteStore
    signals: Signals

    async def call(
        self,
        who: Principal,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Reply:
        async def auth(_: str | None) -> Principal:
            return who

        ports = ApiPorts(
            store=self.store,
            auth=None,  # type: ignore[arg-type]
            escalation=self.signals,
            notify=None,  # type: ignore[arg-type]
            clock=lambda: NOW,
        )
        return await API.dispatch(
            method=method,
            path=path,
            query=query or {},
            headers={"Authorization": "Bearer x", **(headers or {})},
            body=json.dumps(body).encode() if body is not None else b"",
            authenticate=auth,
            ports=ports,
            base_url="http://oa.example",
        )


def incident(n: int, team: str, title: str, **extra: Any) -> Incident:
    at = NOW - timedelta(minutes=100 - n)
    return Incident(
        id=f"inc-{n}",
        number=n,
        title=title,
        team_id=team,
        service_id=f"svc-{team}",
        created_at=at,
        updated_at=at,
        **extra,
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    rows = [
        incident(1, "team-a", "Disk full on db-1", assignees=("alice",)),
        incident(2, "team-a", "CPU high on web-3"),
        incident(3, "team-a", "disk FULL on db-2", status=IncidentStatus.ACKNOWLEDGED),
        incident(4, "team-b", "Disk full on b-1", assignees=("alice",)),
        incident(5, "team-a", "Certificate expires", status=IncidentStatus.RESOLVED),
    ]
    rows += [incident(10 + n, "team-a", f"noise {n}") for n in range(30)]
    for row in rows:
        await store.create("incidents", to_doc(row))
    yield World(store, Signals())
    await store.close()


def ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [i["id"] for i in reply.body["items"]]


async def test_text_search_pages_through_the_whole_list(world: World) -> None:
    # Three disk incidents among 32 others, in pages of one (reads are tenant-wide).
    found: list[str] = []
    token: str | None = None
    for _ in range(40):
        query = {"q": "disk full", "limit": "1"} | ({"continuation": token} if token else {})
        reply = await world.call(ALICE, "GET", "incidents", query=query)
        found += ids(reply)
        token = reply.body["continuation"]
        if token is None:
            break
    assert found == ["inc-4", "inc-3", "inc-1"]  # newest first, case-insensitive
    in_team = await world.call(ALICE, "GET", "incidents", query={"q": "disk", "team_id": "team-a"})
    assert ids(in_team) == ["inc-3", "inc-1"]
    by_number = await world.call(ALICE, "GET", "incidents", query={"q": "#2"})
    assert ids(by_number) == ["inc-2"]
    long = await world.call(ALICE, "GET", "incidents", query={"q": "x" * 201})
    assert long.status == 400 and long.body["field"] == "q"


async def test_assigned_to_me_is_the_callers_own(world: World) -> None:
    mine = await world.call(ALICE, "GET", "incidents", query={"assignee": "me"})
    assert ids(mine) == ["inc-4", "inc-1"]
    assert ids(await world.call(BOB, "GET", "incidents", query={"assignee": "me"})) == []
    team = await world.call(
        ALICE, "GET", "incidents", query={"assignee": "me", "team_id": "team-a"}
    )
    assert ids(team) == ["inc-1"]


async def test_counts_per_status_follow_the_filters_and_the_teams(world: World) -> None:
    reply = await world.call(ALICE, "GET", "incidents/counts", query={"team_id": "team-a"})
    assert reply.status == 200, reply.body
    assert reply.body == {
        "triggered": 32,
        "acknowledged": 1,
        "snoozed": 0,
        "resolved": 1,
        "cap": 1000,
    }
    disk = await world.call(ALICE, "GET", "incidents/counts", query={"q": "disk"})
    assert (disk.body["triggered"], disk.body["acknowledged"]) == (2, 1)
    bob = await world.call(BOB, "GET", "incidents/counts", query={"team_id": "team-b"})
    assert bob.body["triggered"] == 1 and bob.body["resolved"] == 0


async def test_conditional_get_answers_304_until_the_list_changes(world: World) -> None:
    first = await world.call(ALICE, "GET", "incidents", query={"status": "triggered"})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "private, no-cache"
    same = await world.call(
        ALICE, "GET", "incidents", query={"status": "triggered"}, headers={"If-None-Match": etag}
    )
    assert same.status == 304 and same.body is None and same.headers["ETag"] == etag
    weak = await world.call(
        ALICE,
        "GET",
        "incidents",
        query={"status": "triggered"},
        headers={"if-none-match": f'"other", W/{etag}'},
    )
    assert weak.status == 304
    # Another responder acknowledges one: the list differs, so a full answer with a new tag.
    assert (await world.call(ALICE, "POST", "incidents/inc-2/acknowledge")).status == 200
    after = await world.call(
        ALICE, "GET", "incidents", query={"status": "triggered"}, headers={"If-None-Match": etag}
    )
    assert after.status == 200 and after.headers["ETag"] != etag
    assert "inc-2" not in ids(after)
    # The single incident too.
    one = await world.call(ALICE, "GET", "incidents/inc-2")
    again = await world.call(
        ALICE, "GET", "incidents/inc-2", headers={"If-None-Match": one.headers["ETag"]}
    )
    assert again.status == 304
    # Writes are never 304, whatever they are sent.
    post = await world.call(
        ALICE, "POST", "incidents/inc-2/acknowledge", headers={"If-None-Match": "*"}
    )
    assert post.status == 200


async def test_bulk_acts_per_incident_within_the_callers_rights(world: World) -> None:
    reply = await world.call(
        ALICE,
        "POST",
        "incidents/bulk",
        body={"action": "acknowledge", "ids": ["inc-1", "inc-2", "inc-4", "inc-5", "nope"]},
    )
    assert reply.status == 200, reply.body
    results = {r["id"]: r for r in reply.body["results"]}
    assert [r["id"] for r in reply.body["results"]] == sorted(results)
    assert results["inc-1"]["outcome"] == "ok"
    assert results["inc-1"]["incident"]["status"] == "acknowledged"
    assert "recent_alerts" not in results["inc-1"]["incident"]
    assert results["inc-2"]["outcome"] == "ok"
    # Another team's incident: the single action's 403, and it is untouched.
    assert results["inc-4"]["outcome"] == "problem"
    assert results["inc-4"]["problem"]["status"] == 403
    assert results["inc-5"]["problem"]["status"] == 409  # resolved: cannot acknowledge
    assert results["nope"]["problem"]["status"] == 404
    assert (reply.body["succeeded"], reply.body["failed"]) == (2, 3)
    b4 = await world.store.get("incidents", "inc-4", "inc-4")
    assert b4 is not None and b4["status"] == "triggered"
    assert sorted(world.signals.sent) == [("inc-1", "acknowledged"), ("inc-2", "acknowledged")]
    resolved = await world.call(
        ALICE, "POST", "incidents/bulk", body={"action": "resolve", "ids": ["inc-1", "inc-3"]}
    )
    assert resolved.body["succeeded"] == 2


async def test_bulk_refuses_bad_bodies_and_viewers(world: World) -> None:
    viewer = await world.call(
        VERA, "POST", "incidents/bulk", body={"action": "acknowledge", "ids": ["inc-1"]}
    )
    assert viewer.status == 200
    assert viewer.body["results"][0]["problem"]["status"] == 403
    for body in (
        {"action": "acknowledge", "ids": []},
        {"action": "delete", "ids": ["inc-1"]},
        {"action": "acknowledge", "ids": ["inc-1", "inc-1"]},
        {"action": "acknowledge", "ids": [f"i{n}" for n in range(201)]},
        {"action": "acknowledge"},
    ):
        reply = await world.call(ALICE, "POST", "incidents/bulk", body=body)
        assert reply.status == 400, (body, reply.body)
