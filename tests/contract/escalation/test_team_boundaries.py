"""The escalation activities re-check team boundaries when they page (a real SQLite store).

A policy is checked when it is saved, but memberships change while snapshots stay frozen: a
person who left the team, another team's schedule or webhook, or another team's policy must not
be paged or called, and the timeline says why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.auth.service import set_team_role
from shared.escalation import freeze, service
from shared.escalation.models import Cursor, PolicyBody, PolicySnapshot
from shared.escalation.orchestrator import _multi_ack_key
from shared.escalation.plan import Plan, plan_step
from shared.incidents.models import Incident, IncidentStatus
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for user_id, team in (("alice", "red"), ("bob", "red"), ("mallory", "blue")):
        user = User(
            id=user_id,
            tenant_id="t",
            name=user_id.title(),
            teams={team: TeamRole.MEMBER},
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await s.upsert("users", user_doc(user))
    await s.upsert(
        "webhooks",
        {"id": "wh-blue", "pk": "wh-blue", "team_id": "blue", "name": "b", "url": "https://x/"},
    )
    await s.upsert(
        "schedules",
        {
            "id": "sched-blue",
            "pk": "sched-blue",
            "team_id": "blue",
            "name": "b",
            "time_zone": "UTC",
        },
    )
    yield s
    await s.close()


def snapshot(*steps: dict[str, Any]) -> PolicySnapshot:
    body = PolicyBody.model_validate({"name": "p", "team_id": "red", "steps": steps})
    return PolicySnapshot(
        policy_id="pol",
        policy_version=1,
        incident_id="inc-1",
        incident_number=1,
        team_id="red",
        severity="P2",
        steps=body.steps,
        frozen_at=NOW,
    )


async def run(store: SqliteStore, snap: PolicySnapshot) -> tuple[service.ExecuteResult, Plan]:
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
    result = await service.execute(
        store=store, snapshot=snap, effects=effects, notes=[], cursor=Cursor(), now=NOW
    )
    return result, plan


async def timeline(store: SqliteStore) -> list[str]:
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=50)
    return sorted(str(e["message"]) for e in page.items)


async def test_a_user_of_another_team_is_skipped_with_a_reason(store: SqliteStore) -> None:
    result, _ = await run(
        store, snapshot({"type": "notify_users", "user_ids": ["alice", "mallory"]})
    )
    assert [m["user_id"] for m in result.messages] == ["alice"]
    assert await timeline(store) == [
        "Step 1: notifying Alice (users); not paged: user 'mallory' is not a member of team 'red'"
    ]


async def test_a_person_removed_from_the_team_after_saving_is_not_paged(store: SqliteStore) -> None:
    await set_team_role(store=store, user_id="bob", team_id="red", role=None, now=NOW)
    result, _ = await run(store, snapshot({"type": "notify_users", "user_ids": ["alice", "bob"]}))
    assert [m["user_id"] for m in result.messages] == ["alice"]


async def test_multi_ack_does_not_page_again_someone_who_left(store: SqliteStore) -> None:
    snap = snapshot({"type": "notify_users", "user_ids": ["alice", "bob"], "multi_ack": True})
    _, plan = await run(store, snap)
    incident = Incident(
        id="inc-1",
        number=1,
        title="t",
        team_id="red",
        service_id="svc",
        status=IncidentStatus.TRIGGERED,
        created_at=NOW,
        updated_at=NOW,
    )
    await store.upsert("incidents", to_doc(incident))
    await set_team_role(store=store, user_id="bob", team_id="red", role=None, now=NOW)
    pending, messages = await service.multi_ack(
        store=store, incident_id="inc-1", key=_multi_ack_key(plan) or "", renotify=True, now=NOW
    )
    assert (pending, [m["user_id"] for m in messages]) == (["alice"], ["alice"])
    assert "Not paging again: user 'bob' is not a member of team 'red'" in await timeline(store)


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        (
            {"type": "notify_schedule", "schedule_id": "sched-blue"},
            "Step 1: nobody to notify (on call in schedule sched-blue is empty); "
            "not paged: schedule 'sched-blue' belongs to another team",
        ),
        (
            {"type": "notify_team", "team_id": "blue"},
            "Step 1: nobody to notify (members of team blue is empty); "
            "not paged: team 'blue' is not team 'red'",
        ),
        (
            {"type": "notify_round_robin", "team_id": "blue"},
            "Step 1: nobody to notify (round-robin in team blue is empty); "
            "not paged: team 'blue' is not team 'red'",
        ),
        (
            {"type": "call_webhook", "webhook_id": "wh-blue"},
            "Step 1: not calling the webhook: outgoing webhook 'wh-blue' belongs to another team",
        ),
    ],
)
async def test_another_teams_schedule_team_or_webhook_is_not_used(
    store: SqliteStore, step: dict[str, Any], reason: str
) -> None:
    result, _ = await run(store, snapshot(step))
    assert result.messages == []
    assert await timeline(store) == [reason]


async def test_another_teams_policy_is_not_frozen(store: SqliteStore) -> None:
    await store.upsert(
        "escalation_policies",
        {
            "id": "pol-blue",
            "pk": "pol-blue",
            "name": "Blue",
            "team_id": "blue",
            "version": 1,
            "steps": [{"type": "notify_users", "user_ids": ["mallory"]}],
        },
    )
    incident = Incident(
        id="inc-1",
        number=1,
        title="t",
        team_id="red",
        service_id="svc",
        escalation_policy_id="pol-blue",
        created_at=NOW,
        updated_at=NOW,
    )
    assert await freeze.freeze_policy(store=store, incident=incident) is None
    assert await timeline(store) == [
        "Not using the escalation policy: escalation policy 'pol-blue' belongs to another team"
    ]
