"""Escalation I/O against a real SQLite store: freezing, idempotent execution, targets, audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.escalation import auditor, freeze, service, targets
from shared.escalation.models import (
    Cursor,
    EscalationInput,
    EscalationStatus,
    PolicyBody,
    PolicySnapshot,
)
from shared.escalation.orchestrator import _multi_ack_interval, _multi_ack_key
from shared.escalation.plan import Plan, plan_step
from shared.incidents.models import Actor, Incident, IncidentStatus
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    yield s
    await s.close()


def incident(**kw: Any) -> Incident:
    base: dict[str, Any] = {
        "id": "inc-1",
        "number": 7,
        "title": "disk full",
        "team_id": "team",
        "service_id": "svc",
        "escalation_policy_id": "pol",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Incident.model_validate({**base, **kw})


def snapshot(*steps: dict[str, Any]) -> PolicySnapshot:
    body = PolicyBody.model_validate({"name": "p", "team_id": "team", "steps": steps})
    return PolicySnapshot(
        policy_id="pol",
        policy_version=3,
        incident_id="inc-1",
        incident_number=7,
        team_id="team",
        severity="P2",
        steps=body.steps,
        frozen_at=NOW,
    )


async def add_users(store: SqliteStore, *names: str) -> None:
    for name in names:
        user = User(
            id=name,
            tenant_id="t",
            name=name.title(),
            teams={"team": TeamRole.MEMBER},
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await store.upsert("users", user_doc(user))


def effects(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "position": e.position,
            "key": e.idempotency_key,
            "step": e.step.model_dump(mode="json"),
        }
        for e in plan.effects
    ]


async def test_freeze_takes_the_current_policy_version(store: SqliteStore) -> None:
    assert await freeze.freeze_policy(store=store, incident=incident()) is None
    policy = {
        "id": "pol",
        "pk": "pol",
        "name": "Primary",
        "team_id": "team",
        "version": 4,
        "steps": [{"type": "notify_users", "user_ids": ["alice"]}],
        "ack_timeout_minutes": 30,
    }
    await store.upsert("escalation_policies", policy)
    frozen = await freeze.freeze_policy(store=store, incident=incident())
    assert frozen is not None
    assert (frozen.policy_version, frozen.incident_number, frozen.ack_timeout_minutes) == (4, 7, 30)
    assert frozen.frozen_at == NOW


async def test_execute_is_idempotent_and_round_robin_does_not_move_on_a_rerun(
    store: SqliteStore,
) -> None:
    await add_users(store, "alice", "bob", "carol")
    snap = snapshot({"type": "notify_round_robin", "team_id": "team"})
    plan = plan_step(snap, Cursor(), now=NOW)
    assert isinstance(plan, Plan)
    first = await service.execute(
        store=store,
        snapshot=snap,
        effects=effects(plan),
        notes=list(plan.notes),
        cursor=Cursor(),
        now=NOW,
    )
    again = await service.execute(
        store=store,
        snapshot=snap,
        effects=effects(plan),
        notes=list(plan.notes),
        cursor=Cursor(),
        now=NOW,
    )
    assert first.messages == again.messages
    assert [m["user_id"] for m in first.messages] == ["alice"]
    assert first.messages[0]["idempotency_key"] == "inc-1:c0:r0:s0:alice"
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=50)
    assert len([e for e in page.items if e["kind"] == "escalation"]) == 2  # the step + its note

    other = snap.model_copy(update={"incident_id": "inc-2"})
    plan2 = plan_step(other, Cursor(), now=NOW)
    assert isinstance(plan2, Plan)
    second = await service.execute(
        store=store, snapshot=other, effects=effects(plan2), notes=[], cursor=Cursor(), now=NOW
    )
    assert [m["user_id"] for m in second.messages] == ["bob"]


async def test_team_and_empty_targets(store: SqliteStore) -> None:
    await add_users(store, "bob", "alice")
    snap = snapshot(
        {"type": "notify_team", "team_id": "team", "importance": "important"},
        {"type": "notify_schedule", "schedule_id": "missing"},
    )
    plan = plan_step(snap, Cursor(), now=NOW)
    assert isinstance(plan, Plan)
    result = await service.execute(
        store=store, snapshot=snap, effects=effects(plan), notes=[], cursor=Cursor(), now=NOW
    )
    assert [(m["user_id"], m["importance"]) for m in result.messages] == [
        ("alice", "important"),
        ("bob", "important"),
    ]
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=50)
    messages = sorted(e["message"] for e in page.items)
    assert "Step 1: notifying Alice, Bob (members of team team)" in messages
    assert (
        "Step 2: nobody to notify (on call in schedule missing is empty); "
        "not paged: schedule 'missing' does not exist"
    ) in messages


async def test_multi_ack_pending_and_renotify(store: SqliteStore) -> None:
    await add_users(store, "alice", "bob")
    snap = snapshot({"type": "notify_users", "user_ids": ["alice", "bob"], "multi_ack": True})
    plan = plan_step(snap, Cursor(), now=NOW)
    assert isinstance(plan, Plan)
    key = _multi_ack_key(plan)
    assert key == "inc-1:c0:r0:s0"
    await service.execute(
        store=store, snapshot=snap, effects=effects(plan), notes=[], cursor=Cursor(), now=NOW
    )
    inc = incident(status=IncidentStatus.ACKNOWLEDGED, acknowledgers=("alice",))
    await store.upsert("incidents", to_doc(inc))
    pending, messages = await service.multi_ack(
        store=store, incident_id="inc-1", key=key, renotify=True, now=NOW
    )
    assert pending == ["bob"]
    assert [(m["user_id"], m["idempotency_key"]) for m in messages] == [("bob", f"{key}:m1:bob")]
    assert _multi_ack_interval(EscalationInput(snapshot=snap, multi_ack_key=key)) == 5.0


async def test_reescalate_unacknowledges_or_wakes(store: SqliteStore) -> None:
    acked = incident(
        status=IncidentStatus.ACKNOWLEDGED,
        acknowledged_by=Actor(kind="user", id="alice"),
        acknowledged_at=NOW,
    )
    await store.upsert("incidents", to_doc(acked))
    await service.reescalate(store=store, incident_id="inc-1", now=NOW)
    doc = await store.get("incidents", "inc-1", "inc-1")
    assert doc is not None and doc["status"] == "triggered"
    # Twice is harmless: already triggered.
    await service.reescalate(store=store, incident_id="inc-1", now=NOW)


@pytest.mark.parametrize(
    ("status", "custom", "expected"),
    [
        ("Running", {"mode": "run", "cursor": {"position": 2}, "next_due": NOW.isoformat()}, None),
        (None, None, "missing"),
        ("Failed", {"mode": "run", "cursor": {"position": 2}}, "failed"),
        ("Terminated", None, "terminated"),
        ("Completed", None, "completed early"),
        (
            "Running",
            {
                "mode": "run",
                "cursor": {"position": 2},
                "next_due": (NOW - timedelta(minutes=10)).isoformat(),
            },
            "past its next step",
        ),
    ],
)
def test_audit_decision(status: str | None, custom: Any, expected: str | None) -> None:
    view = auditor.InstanceView(runtime_status=status, custom_status=custom, input=None)
    repair = auditor.audit_decision(incident(), view, now=NOW)
    if expected is None:
        assert repair is None
        return
    assert repair is not None and expected in repair.reason
    if custom:
        assert repair.cursor.position == 2
    assert repair.terminate == (status == "Running")


def test_audit_ignores_closed_and_unpaged_incidents() -> None:
    view = auditor.InstanceView(runtime_status=None, custom_status=None, input=None)
    assert auditor.audit_decision(incident(status="resolved"), view, now=NOW) is None
    assert auditor.audit_decision(incident(page=False), view, now=NOW) is None
    assert auditor.audit_decision(incident(escalation_policy_id=None), view, now=NOW) is None


def test_status_document_round_trips() -> None:
    status = EscalationStatus(mode="hold", cursor=Cursor(position=1, cycle=2), next_due=NOW)
    assert EscalationStatus.model_validate(status.model_dump(mode="json")) == status


async def test_status_updates_go_to_everyone_paged_but_the_actor(store: SqliteStore) -> None:
    await add_users(store, "alice", "bob")
    snap = snapshot({"type": "notify_team", "team_id": "team"})
    plan = plan_step(snap, Cursor(), now=NOW)
    assert isinstance(plan, Plan)
    await service.execute(
        store=store, snapshot=snap, effects=effects(plan), notes=[], cursor=Cursor(), now=NOW
    )
    acked = incident(
        status=IncidentStatus.ACKNOWLEDGED,
        acknowledged_by=Actor(kind="user", id="alice"),
        acknowledged_at=NOW,
    )
    await store.upsert("incidents", to_doc(acked))
    jobs = await service.status_updates(
        store=store, incident_id="inc-1", event="acknowledged", cycle=0
    )
    assert [(j.get("user_id"), j["type"]) for j in jobs] == [
        (None, "teams_update"),
        ("bob", "status_update"),
    ]


async def test_round_robin_turns_are_atomic_and_continue_a_stored_counter(
    store: SqliteStore,
) -> None:
    """The counter is the store's atomic increment: concurrent turns never share a turn, and a
    counter written before (it holds the number of turns taken) goes on where it was."""
    await add_users(store, "alice", "bob", "carol")
    await store.create("counters", {"id": "rr:team", "pk": "rr:team", "value": 4})
    turns = await asyncio.gather(*(targets._round_robin(store, "team") for _ in range(12)))
    picked = [t[0] for t in turns]
    assert sorted(picked) == sorted(["alice", "bob", "carol"] * 4)
    assert (await store.get("counters", "rr:team", "rr:team") or {})["value"] == 16
    assert await targets._round_robin(store, "team") == ["bob"]  # turn 16: 16 % 3 == 1
