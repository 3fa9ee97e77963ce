"""``GET /oncall`` (who is on call now and next, with hand-off times, per schedule of my teams)
and ``GET /me/shifts`` (my upcoming shifts), against the real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.api.v1 import API, ApiPorts
from shared.auth.documents import user_doc
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole, User
from shared.schedules.models import Frequency, Layer, Schedule
from shared.store.sqlite import SqliteStore

#: A Wednesday 10:00 UTC; the rotations hand off daily at 09:00 Berlin time (08:00 UTC).
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def person(pid: str, teams: dict[str, TeamRole]) -> Principal:
    return Principal(
        kind=PrincipalKind.USER, id=pid, roles=frozenset({AppRole.RESPONDER}), teams=teams
    )


ANN = person("ann", {"ops": TeamRole.MEMBER})
ADMIN = Principal(kind=PrincipalKind.USER, id="boss", roles=frozenset({AppRole.ADMIN}))


def rota(sid: str, team: str, people: tuple[str, ...]) -> dict[str, Any]:
    schedule = Schedule(
        id=sid,
        name=f"{team} rota",
        team_id=team,
        time_zone="Europe/Berlin",
        layers=(
            Layer(
                name="daily",
                participants=people,
                start=datetime(2026, 11, 30, 9, 0),
                frequency=Frequency.DAILY,
            ),
        ),
    )
    return {**schedule.model_dump(mode="json"), "pk": sid}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    for uid, name, team in (("ann", "Ann", "ops"), ("ben", "Ben", "ops"), ("cy", "Cy", "db")):
        await s.upsert(
            "users",
            user_doc(
                User(
                    id=uid,
                    tenant_id="t",
                    name=name,
                    email=f"{uid}@example.com",
                    teams={team: TeamRole.MEMBER},
                    created_at=NOW,
                    updated_at=NOW,
                    last_seen_at=NOW,
                )
            ),
        )
    await s.upsert("schedules", rota("s-ops", "ops", ("ann", "ben")))
    await s.upsert("schedules", rota("s-db", "db", ("cy",)))
    yield s
    await s.close()


async def get(store: SqliteStore, who: Principal, path: str, **query: str) -> Any:
    async def auth(_: str | None) -> Principal:
        return who

    reply = await API.dispatch(
        method="GET",
        path=path,
        query=query,
        headers={"Authorization": "Bearer x"},
        body=b"",
        authenticate=auth,
        ports=ApiPorts(
            store=store,
            auth=None,  # type: ignore[arg-type]
            escalation=None,  # type: ignore[arg-type]
            notify=None,  # type: ignore[arg-type]
            clock=lambda: NOW,
        ),
        base_url="http://oa.example",
    )
    return reply


async def test_on_call_now_and_next_with_hand_off_times(store: SqliteStore) -> None:
    reply = await get(store, ANN, "oncall")
    assert reply.status == 200, reply.body
    [ops] = reply.body["schedules"]  # only my team's schedule
    assert ops["schedule_id"] == "s-ops" and ops["time_zone"] == "Europe/Berlin"
    # Monday 30 Nov 09:00 Berlin: ann; Tuesday: ben; Wednesday 2 Dec 09:00: ann again.
    assert ops["now"] == {
        "users": [{"id": "ann", "name": "Ann", "email": "ann@example.com"}],
        "start": "2026-12-02T08:00:00Z",
        "end": "2026-12-03T08:00:00Z",
    }
    assert ops["next"]["users"][0]["id"] == "ben"
    assert ops["next"]["start"] == "2026-12-03T08:00:00Z"
    # An admin without memberships sees every schedule; a team filter narrows it.
    every = await get(store, ADMIN, "oncall")
    assert [s["schedule_id"] for s in every.body["schedules"]] == ["s-db", "s-ops"]
    db = await get(store, ANN, "oncall", team_id="db")
    [only] = db.body["schedules"]
    assert only["now"]["users"][0]["id"] == "cy" and only["next"] is None


async def test_my_shifts(store: SqliteStore) -> None:
    reply = await get(store, ANN, "me/shifts", days="4")
    assert reply.status == 200, reply.body
    starts = [s["start"] for s in reply.body["shifts"]]
    # Today's running shift from its real start, then every other day until Sunday 10:00.
    assert starts == ["2026-12-02T08:00:00Z", "2026-12-04T08:00:00Z", "2026-12-06T08:00:00Z"]
    assert reply.body["shifts"][-1]["end"] == "2026-12-06T10:00:00Z"  # the range's end
    assert {s["schedule_id"] for s in reply.body["shifts"]} == {"s-ops"}
    for bad in ("0", "94", "x"):
        refused = await get(store, ANN, "me/shifts", days=bad)
        assert refused.status == 400 and refused.body["field"] == "days"
