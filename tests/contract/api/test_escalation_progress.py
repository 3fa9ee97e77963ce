"""``GET /incidents/{id}/escalation``: the frozen steps, where the escalation stands, what fires
next and when, and who was paged by which channel, from the orchestration's status, the
timeline and the delivery log (real SQLite store; the durable client's status as the SDK
returns it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.escalation.models import EscalationInput, EscalationStatus, PolicySnapshot
from shared.incidents.models import Actor, Incident, IncidentStatus, TimelineEntry
from shared.incidents.service import record_timeline
from shared.notifications.models import DeliveryAttempt
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VIEWER = Principal(kind=PrincipalKind.USER, id="v", roles=frozenset({AppRole.VIEWER}))
STEPS = [
    {"type": "notify_users", "user_ids": ["alice"]},
    {"type": "wait", "minutes": 5},
    {"type": "notify_users", "user_ids": ["bob"]},
    {"type": "repeat", "times": 1},
]


@dataclass
class Status:
    """What ``DurableOrchestrationClient.get_status`` returns (the attributes read)."""

    runtime_status: Any
    custom_status: Any
    input_: Any


class Client:
    def __init__(self, status: Status | None) -> None:
        self.status = status
        self.asked: list[tuple[str, bool]] = []

    async def get_status(self, instance_id: str, show_input: bool = False, **_: Any) -> Any:
        self.asked.append((instance_id, show_input))
        if self.status is None:
            raise RuntimeError("task hub unreachable")
        return self.status

    async def start_new(self, *a: Any, **k: Any) -> str:
        raise AssertionError("a view starts nothing")

    async def raise_event(self, *a: Any, **k: Any) -> None:
        raise AssertionError("a view signals nothing")

    async def terminate(self, *a: Any, **k: Any) -> None:
        raise AssertionError("a view terminates nothing")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    incident = Incident(
        id="inc-1",
        number=1,
        title="down",
        team_id="t",
        service_id="svc",
        escalation_policy_id="pol",
        created_at=NOW,
        updated_at=NOW,
    )
    await s.create("incidents", to_doc(incident))
    await s.upsert(
        "escalation_policies",
        {"id": "pol", "pk": "pol", "name": "p", "team_id": "t", "version": 3, "steps": STEPS},
    )
    await s.upsert(
        "users",
        {"id": "alice", "pk": "alice", "name": "Alice A", "tenant_id": "x", "teams": {}},
    )
    for n, channel in enumerate(("teams", "sms")):
        attempt = DeliveryAttempt(
            id=f"d{n}",
            idempotency_key=f"k{n}",
            user_id="alice",
            incident_id="inc-1",
            channel=channel,
            target="+4412345678" if channel == "sms" else "alice",
            status="sent",
            started_at=NOW + timedelta(seconds=n),
        )
        doc = to_doc(attempt)
        doc["created_at"] = doc["started_at"]
        await s.upsert("notifications", doc)
    line = TimelineEntry(
        incident_id="inc-1",
        at=NOW,
        kind="escalation",
        actor=Actor(kind="system", id="openalert"),
        message="Step 1: notifying Alice A (users)",
        via="escalation",
    )
    await record_timeline(s, line, entry_id="esc:1")
    yield s
    await s.close()


async def progress(store: SqliteStore, client: Client | None) -> dict[str, Any]:
    async def auth(_: str | None) -> Principal:
        return VIEWER

    reply = await API.dispatch(
        method="GET",
        path="incidents/inc-1/escalation",
        query={},
        headers={"Authorization": "Bearer x"},
        body=b"",
        authenticate=auth,
        ports=ApiPorts(
            store=store,
            auth=None,  # type: ignore[arg-type]
            escalation=None,  # type: ignore[arg-type]
            notify=None,  # type: ignore[arg-type]
            orchestrations=client,
        ),
        base_url="http://oa.example",
    )
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def snapshot_input(version: int = 2) -> str:
    snapshot = PolicySnapshot(
        policy_id="pol",
        policy_version=version,
        incident_id="inc-1",
        incident_number=1,
        team_id="t",
        severity="P3",
        steps=STEPS,  # type: ignore[arg-type]
        frozen_at=NOW,
    )
    return EscalationInput(snapshot=snapshot).model_dump_json()


async def test_a_waiting_escalation_names_the_next_step_and_when(store: SqliteStore) -> None:
    due = NOW + timedelta(minutes=5)
    custom = EscalationStatus(mode="run", cursor={"position": 0}, next_due=due)  # type: ignore[arg-type]
    client = Client(Status("Running", custom.model_dump(mode="json"), snapshot_input()))
    body = await progress(store, client)
    assert client.asked == [("inc-1", True)]
    assert body["state"] == "waiting"
    assert body["policy_version"] == 2  # the frozen copy, not the stored version 3
    assert [s["summary"] for s in body["steps"]] == [
        "Notify alice",
        "Wait 5 minutes",
        "Notify bob",
        "Repeat from step 1 (up to 1 times)",
    ]
    assert body["current_step"] == 1
    assert body["next_step"] == 3 and body["next_at"] == "2026-12-01T09:05:00Z"
    assert [(p["user_name"], p["channel"]) for p in body["pages"]] == [
        ("Alice A", "teams"),
        ("Alice A", "sms"),
    ]
    assert [h["message"] for h in body["history"]] == ["Step 1: notifying Alice A (users)"]


async def test_acknowledged_and_finished_states(store: SqliteStore) -> None:
    hold = EscalationStatus(mode="hold", cursor={"position": 2}, next_due=None)  # type: ignore[arg-type]
    body = await progress(
        store, Client(Status("Running", hold.model_dump(mode="json"), snapshot_input()))
    )
    assert (body["state"], body["next_step"], body["next_at"]) == ("holding", None, None)
    resolved = (await store.get("incidents", "inc-1", "inc-1")) or {}
    resolved["status"] = IncidentStatus.RESOLVED.value
    await store.upsert("incidents", resolved)
    body = await progress(
        store, Client(Status("Running", hold.model_dump(mode="json"), snapshot_input()))
    )
    assert body["state"] == "finished" and body["current_step"] is None


async def test_without_an_orchestration_the_current_policy_is_shown(store: SqliteStore) -> None:
    for client in (None, Client(None)):
        body = await progress(store, client)
        assert body["state"] == "finished"
        assert body["policy_version"] == 3 and len(body["steps"]) == 4
        assert len(body["pages"]) == 2
