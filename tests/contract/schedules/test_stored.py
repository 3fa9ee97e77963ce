"""A schedule stored before a rule it now breaks: listed with its problems, skipped by the
on-call readers, and an escalation step to it says why instead of failing the activity."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shared.api import calendars as api
from shared.api.router import Request
from shared.api.v1 import API, ApiPorts
from shared.auth.documents import user_doc
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole, User
from shared.escalation import service as escalation
from shared.escalation.models import Cursor, PolicyBody, PolicySnapshot
from shared.escalation.plan import Plan, plan_step
from shared.msteams.service import on_call_for_team
from shared.schedules import limits
from shared.schedules.models import Layer, Schedule
from shared.store.port import eq
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))


def person(uid: str) -> User:
    return User(
        id=uid,
        tenant_id="t",
        name=uid.title(),
        teams={"team": TeamRole.MEMBER},
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for uid in ("ann", "ben"):
        await s.upsert("users", user_doc(person(uid)))
    for sid, who in (("good", "ann"), ("bad", "ben")):
        layer = Layer(name="d", participants=(who,), start=datetime(2026, 11, 22, 9))
        s_ = Schedule(id=sid, name=sid.title(), team_id="team", time_zone="UTC", layers=(layer,))
        await s.upsert("schedules", {**s_.model_dump(mode="json"), "pk": sid})
    # Saved when 5-minute shifts were accepted; the RRULE forms were narrowed later.
    doc = await s.get("schedules", "bad", "bad")
    assert doc is not None
    short = {**doc["layers"][0], "frequency": "rrule", "rrule": "FREQ=MINUTELY;INTERVAL=5"}
    await s.upsert(
        "schedules", {k: v for k, v in doc.items() if k != "_etag"} | {"layers": [short]}
    )
    yield s
    await s.close()


async def _as_admin(authorization: str | None) -> Principal:
    return ADMIN


async def _call(store: SqliteStore, method: str, path: str, body: Any = None) -> Any:
    ports = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
    reply = await API.dispatch(
        method=method,
        path=path,
        query={},
        headers={"Authorization": "Bearer x"},
        body=b"" if body is None else json.dumps(body).encode(),
        authenticate=_as_admin,
        ports=ports,
        base_url="http://oa.example",
    )
    assert reply.status == 200, reply.body
    return reply.body


async def _list(store: SqliteStore) -> dict[str, Any]:
    return {i["id"]: i for i in (await _call(store, "GET", "/schedules"))["items"]}


async def test_the_list_answers_and_flags_the_schedule_that_needs_repair(
    store: SqliteStore,
) -> None:
    items = await _list(store)
    assert items["good"]["problems"] == []
    [problem] = items["bad"]["problems"]
    assert problem["field"] == "layers.0"
    assert "FREQ must be" in problem["detail"]
    assert problem["stored"]["rrule"] == "FREQ=MINUTELY;INTERVAL=5"
    assert items["bad"]["layers"] == []
    # What was listed, with a corrected layer, is PUT back as it is: the schedule is repaired.
    fixed = {**items["bad"], "layers": [{**problem["stored"], "frequency": "daily", "rrule": None}]}
    await _call(store, "PUT", "/schedules/bad", fixed)
    assert (await _list(store))["bad"]["problems"] == []


async def test_the_list_flags_a_schedule_denser_than_the_rule(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if stored before the shifts-per-window rule, with more shifts than it allows.
    monkeypatch.setattr(limits, "MAX_SHIFTS_PER_WINDOW", 10)
    [problem] = (await _list(store))["good"]["problems"]
    assert problem["field"] == "layers"
    assert "change hands up to" in problem["detail"]


async def _page(
    store: SqliteStore, *schedule_ids: str, which: str = "current"
) -> tuple[list[str], list[str]]:
    """Run one escalation step per schedule: (who was paged, the timeline lines)."""
    body = PolicyBody.model_validate(
        {
            "name": "p",
            "team_id": "team",
            "steps": [
                {"type": "notify_schedule", "schedule_id": s, "which": which} for s in schedule_ids
            ],
        }
    )
    snap = PolicySnapshot(
        policy_id="pol",
        policy_version=1,
        incident_id="inc-1",
        incident_number=1,
        team_id="team",
        severity="P2",
        steps=body.steps,
        frozen_at=NOW,
    )
    plan = plan_step(snap, Cursor(), now=NOW)
    assert isinstance(plan, Plan)
    effects = [
        {
            "kind": e.kind,
            "position": e.position,
            "key": e.idempotency_key,
            "step": e.step.model_dump(mode="json"),
        }
        for e in plan.effects
    ]
    result = await escalation.execute(
        store=store, snapshot=snap, effects=effects, notes=[], cursor=Cursor(), now=NOW
    )
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=50)
    return [m["user_id"] for m in result.messages], [e["message"] for e in page.items]


async def test_an_escalation_step_to_it_says_why_and_the_other_targets_are_paged(
    store: SqliteStore,
) -> None:
    paged, lines = await _page(store, "bad", "good")
    assert paged == ["ann"]
    [line] = [m for m in lines if m.startswith("Step 1")]
    assert "the schedule could not be resolved" in line
    assert "FREQ must be" in line


async def test_a_schedule_too_dense_to_compute_does_not_fail_the_activity(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if stored before the shifts-per-window rule, with more shifts than it allows.
    monkeypatch.setattr(limits, "MAX_SHIFTS_PER_WINDOW", 1)
    paged, lines = await _page(store, "good", which="next")
    assert paged == []
    [line] = [m for m in lines if m.startswith("Step 1")]
    assert "the schedule could not be resolved" in line
    assert "shift changes" in line


async def test_the_on_call_card_and_the_calendar_leave_it_out(store: SqliteStore) -> None:
    assert await on_call_for_team(store, "team", NOW) == ["ann"]
    req = Request(None, {}, {}, {}, None, SimpleNamespace(store=store, clock=lambda: NOW), "")
    reply = await api.person_calendar(req, person("ben"))
    assert reply.status == 200
    assert "BEGIN:VCALENDAR" in str(reply.body)
