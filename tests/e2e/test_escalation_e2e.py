"""Escalation end to end: the real app in devhost, real durable replay, short real waits.

Alerts go in through the ingest endpoint, the pipeline opens incidents and starts one
orchestration per incident; what the escalation did is read back from the incident timeline
(every notify step writes who it paged, and when). Incident actions are applied the way the
incident service does (lifecycle + store + ``DurableEscalation.signal``) with a durable client
pointed at devhost's RPC endpoint.

No test sleeps for a fixed time. "Nobody else is paged" is asserted once the orchestration says
it waits on signals only (its custom status: no ``next_due``), so a late page cannot slip past
the check; "not before the wait" is asserted on the times the app recorded, so a loaded machine
cannot fail it. A step's wait runs from when the orchestration planned the step, which is no
earlier than the alert was sent and a little before the step's page is recorded; so the k-th
page is recorded no earlier than the sending of the alert plus the waits before it.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import azure.durable_functions as df
import httpx
import pytest

from shared.auth.documents import user_doc
from shared.auth.keys import INTEGRATION_KEY
from shared.auth.models import TeamRole, User
from shared.catalog.models import Integration, Service, Team
from shared.escalation import auditor
from shared.escalation.durable import DurableEscalation
from shared.incidents.lifecycle import decide
from shared.incidents.models import Action, Actor, Incident
from shared.incidents.stored import TIMELINE
from shared.schedules.models import Layer, Schedule
from shared.store.codec import from_doc, to_doc
from shared.store.port import DocumentStore, eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost

#: Minutes per second, for waits written in seconds.
S = 1 / 60
#: Long enough that an action taken right after a page lands inside the wait on a loaded machine.
LONG = 6
TEAM = "team-esc"
USERS = ("alice", "bob", "carol")

POLICIES: dict[str, dict[str, Any]] = {
    "walk": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            {"type": "wait", "minutes": 1.5 * S},
            {"type": "notify_users", "user_ids": ["bob"]},
            {"type": "wait", "minutes": 1.5 * S},
            {"type": "notify_users", "user_ids": ["carol"]},
        ]
    },
    "ack-timeout": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            {"type": "wait", "minutes": 30 * S},
            {"type": "notify_users", "user_ids": ["bob"]},
        ],
        "ack_timeout_minutes": 2 * S,
    },
    "repeat": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            {"type": "wait", "minutes": 0.5 * S},
            {"type": "repeat", "times": 2},
        ]
    },
    "round-robin": {"steps": [{"type": "notify_round_robin", "team_id": TEAM}]},
    "multi-ack": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice", "bob"], "multi_ack": True},
            # Also the re-notify interval for whoever has not acknowledged.
            {"type": "wait", "minutes": 2 * S},
            {"type": "notify_users", "user_ids": ["carol"]},
        ]
    },
    "schedule": {"steps": [{"type": "notify_schedule", "schedule_id": "sched-esc"}]},
    "count": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            {"type": "wait", "minutes": 1.5 * S},
            {"type": "alert_count", "threshold": 1, "window_minutes": 5},
            {"type": "notify_users", "user_ids": ["bob"]},
        ]
    },
    "edited": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            {"type": "wait", "minutes": 3 * S},
            {"type": "notify_users", "user_ids": ["bob"]},
        ]
    },
    "long-wait": {
        "steps": [
            {"type": "notify_users", "user_ids": ["alice"]},
            # Long enough that "escalate now" and a devhost restart are clearly distinguishable
            # from the wait running out, even on a loaded CI machine.
            {"type": "wait", "minutes": LONG * S},
            {"type": "notify_users", "user_ids": ["bob"]},
        ]
    },
}


class Env:
    def __init__(self, host: DevhostHandle, db: Path, keys: dict[str, str]) -> None:
        self.host = host
        self.db = db
        self.keys = keys

    def client(self) -> df.DurableOrchestrationClient:
        binding = {
            "taskHubName": "devhost",
            "creationUrls": {},
            "managementUrls": {"id": "INSTANCEID"},
            "rpcBaseUrl": f"{self.host.base_url}/.devhost/durabletask-rpc/",
        }
        return df.DurableOrchestrationClient(json.dumps(binding))

    async def store(self) -> SqliteStore:
        return await SqliteStore.open(self.db)

    async def alert(self, policy: str, dedup: str, status: str = "firing") -> str:
        body = {"title": f"{policy} {dedup}", "id": dedup, "status": status}
        async with httpx.AsyncClient() as http:
            r = await http.post(
                f"{self.host.base_url}/api/integrations/{self.keys[policy]}", json=body
            )
            assert r.status_code == 202, r.text
        if status != "firing":
            return ""
        return await self.incident_id(dedup)

    async def incident_id(self, dedup: str, within: float = 15.0) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            store = await self.store()
            try:
                page = await store.query("incidents", where=[eq("dedup_key", dedup)], limit=5)
            finally:
                await store.close()
            if page.items:
                return str(page.items[0]["id"])
            await asyncio.sleep(0.1)
        raise AssertionError(f"no incident for {dedup}")

    async def paged(self, incident_id: str) -> list[tuple[datetime, list[str]]]:
        """(when the app recorded it, targets) for every notify step run, in order."""
        store = await self.store()
        try:
            page = await store.query("timeline", where=[eq("incident_id", incident_id)], limit=500)
        finally:
            await store.close()
        entries = sorted(
            (e for e in page.items if e.get("kind") == "escalation" and "targets" in e["data"]),
            key=lambda e: (e["at"], e["id"]),
        )
        return [(datetime.fromisoformat(e["at"]), e["data"]["targets"]) for e in entries]

    async def wait_paged(self, incident_id: str, count: int, within: float = 20.0) -> list[Any]:
        deadline = time.monotonic() + within
        while True:
            got = await self.paged(incident_id)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"only {got} after {within} s")
            await asyncio.sleep(0.1)

    async def act(self, incident_id: str, kind: str, user: str = "alice", **extra: Any) -> datetime:
        """What the incident service does for an action: decide, write, signal. Returns the
        action's time, as written on the incident."""
        now = datetime.now(UTC)
        store = await self.store()
        try:
            doc = await store.get("incidents", incident_id, incident_id)
            assert doc is not None
            outcome = decide(
                from_doc(Incident, doc),
                Action(kind=kind, actor=Actor(kind="user", id=user), **extra),  # type: ignore[arg-type]
                now=now,
            )
            if outcome.changed:
                await store.replace("incidents", to_doc(outcome.incident), if_match=doc["_etag"])
            if outcome.signal:
                port = DurableEscalation(client=self.client(), store=store)
                await port.signal(incident_id, outcome.signal, from_source=False)
        finally:
            await store.close()
        return now

    async def incident(self, incident_id: str) -> dict[str, Any]:
        store = await self.store()
        try:
            doc = await store.get("incidents", incident_id, incident_id)
        finally:
            await store.close()
        assert doc is not None
        return doc

    async def runtime_status(self, incident_id: str) -> str | None:
        status = await self.client().get_status(incident_id)
        value = status.runtime_status
        return None if value is None else str(value.value)

    async def wait_status(self, incident_id: str, runtime: str, within: float = 20.0) -> None:
        deadline = time.monotonic() + within
        while (got := await self.runtime_status(incident_id)) != runtime:
            assert time.monotonic() < deadline, f"{got}, not {runtime}, after {within} s"
            await asyncio.sleep(0.1)

    async def wait_settled(self, incident_id: str, mode: str, within: float = 20.0) -> None:
        """Until the orchestration is in ``mode`` and waits on signals only (no ``next_due``):
        from then on only an incident action can page anyone."""
        deadline = time.monotonic() + within
        while True:
            custom = (await self.client().get_status(incident_id)).custom_status
            status = json.loads(custom) if isinstance(custom, str) else custom
            if status and status.get("mode") == mode and status.get("next_due") is None:
                return
            assert time.monotonic() < deadline, f"escalation status {status} after {within} s"
            await asyncio.sleep(0.1)


def gap(earlier: datetime, later: datetime) -> timedelta:
    return later - earlier


def secs(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


async def _seed(store: DocumentStore) -> dict[str, str]:
    now = datetime.now(UTC)
    await store.upsert("teams", to_doc(Team(id=TEAM, name="Escalation team", created_at=now)))
    for name in USERS:
        user = User(
            id=name,
            tenant_id="t",
            name=name.title(),
            email=f"{name}@example.com",
            teams={TEAM: TeamRole.MEMBER},
            created_at=now,
            updated_at=now,
            last_seen_at=now,
        )
        await store.upsert("users", user_doc(user))
    schedule = Schedule(
        id="sched-esc",
        name="Primary",
        team_id=TEAM,
        time_zone="Europe/Berlin",
        layers=(Layer(name="only", participants=("carol",), start=datetime(2026, 1, 1, 9, 0)),),
    )
    # Layer starts are local wall-clock (naive) times, which the codec refuses by design.
    await store.upsert("schedules", {**schedule.model_dump(mode="json"), "pk": schedule.id})
    keys: dict[str, str] = {}
    for name, body in POLICIES.items():
        policy = {"id": f"pol-{name}", "name": name, "team_id": TEAM, "version": 1, **body}
        await store.upsert("escalation_policies", {**policy, "pk": policy["id"]})
        service = Service(
            id=f"svc-{name}", name=name, team_id=TEAM, escalation_policy_id=f"pol-{name}"
        )
        await store.upsert("services", to_doc(service))
        issued = INTEGRATION_KEY.issue()
        integration = Integration(
            id=f"int-{name}",
            name=name,
            service_id=service.id,
            team_id=TEAM,
            format="generic",
            key_prefix=issued.key_id,
            key_hash=issued.key_hash,
        )
        await store.upsert("integrations", to_doc(integration))
        keys[name] = issued.secret
    return keys


@pytest.fixture(scope="module")
def escalation_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("escalation")
    db = state / "openalert.sqlite"

    async def seed() -> dict[str, str]:
        store = await SqliteStore.open(db)
        try:
            return await _seed(store)
        finally:
            await store.close()

    keys = asyncio.run(seed())
    env = {"SQLITE_PATH": str(db), "DEVHOST_IDP_ENABLED": "false", "AzureWebJobsStorage": ""}
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=env)
    yield Env(handle, db, keys)
    handle.stop()


@pytest.fixture
async def env(escalation_host: Env) -> AsyncIterator[Env]:
    yield escalation_host
    # The SDK keeps one aiohttp session per process, bound to the loop that made it; each test
    # has its own loop.
    from azure.durable_functions.models.utils import http_utils

    await http_utils._close_session()


def dedup() -> str:
    return uuid.uuid4().hex[:12]


async def test_unacknowledged_incident_walks_every_step_with_its_waits(env: Env) -> None:
    sent = datetime.now(UTC)
    incident = await env.alert("walk", dedup())
    await env.wait_settled(incident, "done")
    paged = await env.paged(incident)
    assert [targets for _, targets in paged] == [["alice"], ["bob"], ["carol"]], (
        "the policy ran out; nobody else is paged"
    )
    _, (t1, _), (t2, _) = paged
    assert gap(sent, t1) >= secs(1.5) and gap(sent, t2) >= secs(3), "each wait is waited out"
    assert await env.runtime_status(incident) == "Running", "alive for acks and timeouts"


async def test_acknowledge_stops_paging_and_resolve_ends_the_orchestration(env: Env) -> None:
    incident = await env.alert("long-wait", dedup())
    await env.wait_paged(incident, 1)
    await env.act(incident, "acknowledge", "alice")
    await env.wait_settled(incident, "hold")
    assert [t for _, t in await env.paged(incident)] == [["alice"]]
    await env.act(incident, "resolve", "alice")
    await env.wait_status(incident, "Completed")
    assert [t for _, t in await env.paged(incident)] == [["alice"]]


async def test_acknowledging_twice_is_idempotent(env: Env) -> None:
    incident = await env.alert("long-wait", dedup())
    await env.wait_paged(incident, 1)
    await env.act(incident, "acknowledge", "alice")
    await env.act(incident, "acknowledge", "alice")
    await env.wait_settled(incident, "hold")
    assert (await env.incident(incident))["status"] == "acknowledged"
    assert [t for _, t in await env.paged(incident)] == [["alice"]]


async def test_ack_timeout_unacknowledges_and_escalates_again(env: Env) -> None:
    incident = await env.alert("ack-timeout", dedup())
    await env.wait_paged(incident, 1)
    acked = await env.act(incident, "acknowledge", "alice")
    assert (await env.incident(incident))["status"] == "acknowledged"
    paged = await env.wait_paged(incident, 2, within=30)
    assert [t for _, t in paged] == [["alice"], ["alice"]], "a new cycle starts from step 1"
    assert gap(acked, paged[1][0]) >= secs(2), "not before the acknowledgement timed out"
    assert (await env.incident(incident))["status"] == "triggered"


async def test_resolve_from_the_source_stops_the_escalation(env: Env) -> None:
    key = dedup()
    incident = await env.alert("walk", key)
    await env.wait_paged(incident, 1)
    await env.alert("walk", key, status="resolved")
    await env.wait_status(incident, "Completed")
    resolved_at = datetime.fromisoformat((await env.incident(incident))["resolved_at"])
    paged = await env.paged(incident)
    assert paged[0][1] == ["alice"]
    assert [t for at, t in paged if at > resolved_at] == [], "nobody is paged once resolved"


async def test_repeat_runs_the_policy_again_then_stops(env: Env) -> None:
    sent = datetime.now(UTC)
    incident = await env.alert("repeat", dedup())
    await env.wait_settled(incident, "done")
    paged = await env.paged(incident)
    assert [t for _, t in paged] == [["alice"]] * 3
    assert all(gap(sent, at) >= secs(0.5 * n) for n, (at, _) in enumerate(paged))


async def test_round_robin_takes_turns_across_incidents(env: Env) -> None:
    first = await env.alert("round-robin", dedup())
    second = await env.alert("round-robin", dedup())
    third = await env.alert("round-robin", dedup())
    picks = [(await env.wait_paged(i, 1))[0][1][0] for i in (first, second, third)]
    assert sorted(picks) == ["alice", "bob", "carol"]


async def test_multi_ack_keeps_paging_whoever_has_not_acknowledged(env: Env) -> None:
    incident = await env.alert("multi-ack", dedup())
    await env.wait_paged(incident, 1)
    await env.act(incident, "acknowledge", "alice")
    paged = await env.wait_paged(incident, 2, within=15)
    assert paged[1][1] == ["bob"], "bob has not acknowledged: paged again, alice is not"
    await env.act(incident, "acknowledge", "bob")
    await env.wait_settled(incident, "hold")
    targets = [t for _, t in await env.paged(incident)]
    assert ["carol"] not in targets, "everyone on the step acknowledged: no escalation"
    assert targets.count(["bob"]) <= 3


async def test_schedule_target_is_whoever_is_on_call(env: Env) -> None:
    incident = await env.alert("schedule", dedup())
    assert (await env.wait_paged(incident, 1))[0][1] == ["carol"]


async def test_alert_count_condition(env: Env) -> None:
    quiet = await env.alert("count", dedup())
    key = dedup()
    noisy = await env.alert("count", key)
    await env.alert("count", key)
    await env.alert("count", key)
    paged = await env.wait_paged(noisy, 2, within=10)
    assert [t for _, t in paged] == [["alice"], ["bob"]], "3 alerts in 5 min: more than 1"
    assert [t for _, t in await env.paged(quiet)] == [["alice"]], "1 alert: not more than 1"


async def test_policy_edited_mid_incident_does_not_change_a_running_escalation(
    env: Env,
) -> None:
    incident = await env.alert("edited", dedup())
    await env.wait_paged(incident, 1)
    store = await env.store()
    try:
        doc = await store.get("escalation_policies", "pol-edited", "pol-edited")
        assert doc is not None
        edited = json.loads(json.dumps(doc).replace('"bob"', '"carol"'))
        await store.replace("escalation_policies", {**edited, "version": 2}, if_match=doc["_etag"])
    finally:
        await store.close()
    paged = await env.wait_paged(incident, 2, within=10)
    assert paged[1][1] == ["bob"], "the frozen snapshot still pages bob"


async def test_escalate_now_skips_the_wait(env: Env) -> None:
    sent = datetime.now(UTC)
    incident = await env.alert("long-wait", dedup())
    await env.wait_paged(incident, 1)
    escalated = await env.act(incident, "escalate", "alice")
    paged = await env.wait_paged(incident, 2)
    assert paged[1][1] in (["bob"], ["carol"])
    assert paged[1][0] >= escalated, "paged because of the escalation"
    assert gap(sent, paged[1][0]) < secs(LONG), "not because the wait ran out"


async def test_auditor_repairs_a_killed_orchestration(env: Env) -> None:
    incident = await env.alert("long-wait", dedup())
    await env.wait_paged(incident, 1)
    client = env.client()
    await client.terminate(incident, "simulated loss")
    assert await env.runtime_status(incident) == "Terminated"
    store = await env.store()
    try:
        repairs = await auditor.audit(store=store, client=client, now=datetime.now(UTC))
        # devhost runs the auditor's own timer too (every minute at :30): on a slow machine it
        # can repair the instance between the kill and this call. Either way the repair is
        # recorded exactly once on the incident's timeline.
        lines = await store.query(TIMELINE, where=[eq("incident_id", incident)], limit=1000)
    finally:
        await store.close()
    assert [r.incident_id for r in repairs if r.incident_id == incident] in ([incident], [])
    repaired = [d["message"] for d in lines.items if d["message"].startswith("Escalation repaired")]
    assert len(repaired) == 1 and "terminated" in repaired[0], repaired
    # Restarted: Pending until devhost's Durable worker picks the new instance up.
    await env.wait_status(incident, "Running")
    # Restarted at the recorded cursor (step 1, then its wait): paging continues to bob.
    paged = await env.wait_paged(incident, 2, within=30)
    assert [t for _, t in paged][-1] in (["alice"], ["bob"])


async def test_devhost_restart_mid_wait_continues_on_time(env: Env) -> None:
    sent = datetime.now(UTC)
    incident = await env.alert("long-wait", dedup())
    await env.wait_paged(incident, 1)
    env.host.kill()
    env.host.start()
    paged = await env.wait_paged(incident, 2, within=30)
    assert [t for _, t in paged] == [["alice"], ["bob"]], "the wait survives the restart, once"
    assert gap(sent, paged[1][0]) >= secs(LONG), "and is not cut short by it"


def test_timeline_reads_naturally(escalation_host: Env) -> None:
    async def check() -> None:
        incident = await escalation_host.alert("walk", dedup())
        await escalation_host.wait_paged(incident, 1)
        store = await escalation_host.store()
        try:
            page = await store.query("timeline", where=[eq("incident_id", incident)], limit=50)
        finally:
            await store.close()
        messages = [e["message"] for e in page.items if e["kind"] == "escalation"]
        assert "Step 1: notifying Alice (users)" in messages

    asyncio.run(check())
