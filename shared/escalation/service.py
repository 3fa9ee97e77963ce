"""Escalation I/O: freezing policies, the activities' work, the durable port and the auditor.

Everything here is called from activities or client functions, never from the orchestrator.
Activities are at-least-once, so each write is keyed: the targets a notify step resolved are
recorded under the step's idempotency key before any message goes out (a re-run reuses them, so a
round-robin or schedule lookup cannot pick a different person the second time), timeline entries
have derived ids, and every queued notification carries an idempotency key the delivery side
deduplicates on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from pydantic import TypeAdapter

from shared.auth.documents import user_display_name
from shared.auth.service import list_team_members
from shared.catalog.references import Ref, refusal
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.escalation.boundaries import permitted, step_refusal
from shared.escalation.models import (
    SIGNAL_EVENT,
    CallWebhook,
    Cursor,
    EscalationInput,
    EscalationStatus,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicySnapshot,
    PostToChannel,
    SignalKind,
    SignalPayload,
    Step,
)
from shared.escalation.policies import load_policy
from shared.incidents.models import Action, Actor, Incident, IncidentStatus, TimelineEntry
from shared.incidents.service import apply_action, record_timeline
from shared.schedules import limits, stored
from shared.schedules.models import Schedule
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import from_doc, utc_iso
from shared.store.port import DocumentStore, eq, in_

log = logging.getLogger(__name__)

ORCHESTRATOR = "escalation_orchestrator"
SYSTEM = Actor(kind="system", id="escalation", display="OpenAlert escalation")
#: Where resolved targets of notify steps are kept (partitioned by incident).
STEPS = "escalation_steps"
# Step is an annotated union, not a class; the cast keeps mypy's view of it simple.
_STEP: TypeAdapter[Step] = TypeAdapter(cast(Any, Step))

#: How long past its own next wake-up an orchestration may be before the auditor repairs it.
AUDIT_GRACE = timedelta(minutes=2)


# --- freezing ------------------------------------------------------------------------------
async def freeze_policy(*, store: DocumentStore, incident: Incident) -> PolicySnapshot | None:
    """The incident's policy as it is now, frozen for the orchestration; None without one."""
    policy_id = incident.escalation_policy_id
    if not policy_id:
        return None
    loaded = await load_policy(store, policy_id)
    if loaded is None:
        return None
    reason = await refusal(store, incident.team_id, Ref("policy", policy_id, "policy"))
    if reason is not None:
        entry = TimelineEntry(
            incident_id=incident.id,
            at=incident.created_at,
            kind="escalation",
            actor=SYSTEM,
            message=f"Not using the escalation policy: {reason}",
            via="escalation",
        )
        await record_timeline(store, entry, entry_id=f"esc:{incident.id}:refused-policy")
        return None
    policy, _ = loaded
    return PolicySnapshot(
        policy_id=policy.id,
        policy_version=policy.version,
        incident_id=incident.id,
        incident_number=incident.number,
        team_id=incident.team_id,
        severity=incident.severity,
        steps=policy.steps,
        ack_timeout_minutes=policy.ack_timeout_minutes,
        source_acks_count=policy.source_acks_count,
        frozen_at=incident.created_at,
    )


# --- system actions ------------------------------------------------------------------------
async def system_action(
    *, store: DocumentStore, incident_id: str, action: Action, now: datetime
) -> Incident | None:
    """Apply an action on OpenAlert's behalf (policy resolve, ack timeout). No signal is sent:
    the orchestration that asked for it already knows."""
    try:
        incident, _ = await apply_action(
            store=store, incident_id=incident_id, action=action, now=now
        )
    except NotFound:
        return None
    return incident


# --- targets -------------------------------------------------------------------------------
async def _team_members(store: DocumentStore, team_id: str) -> list[str]:
    members: list[str] = []
    continuation: str | None = None
    while True:
        users, continuation = await list_team_members(
            store=store, team_id=team_id, limit=100, continuation=continuation
        )
        members.extend(u.id for u in users)
        if continuation is None or len(members) >= 500:
            return sorted(members)


async def _round_robin(store: DocumentStore, team_id: str) -> list[str]:
    members = await _team_members(store, team_id)
    if not members:
        return []
    counter_id = f"rr:{team_id}"
    # The counter holds the number of turns taken, so this turn is the one before the new value.
    turn = await store.increment("counters", counter_id, counter_id, "value") - 1
    return [members[turn % len(members)]]


async def _schedule_targets(store: DocumentStore, step: NotifySchedule, now: datetime) -> list[str]:
    doc = await stored.load_schedule_doc(store, step.schedule_id)
    if doc is None:
        return []
    schedule = stored.load(doc)
    # In a worker thread with the schedule budget: a pathological schedule fails this lookup
    # with a clear error instead of holding the event loop that delivers every other page.
    return await limits.compute(_pick, schedule, step.which, now)


def _pick(schedule: Schedule, which: str, now: datetime) -> list[str]:
    if which == "current":
        return list(on_call(schedule, now).users)
    current = set(on_call(schedule, now).users)
    if which == "next":
        for shift in final_schedule(schedule, now, now + timedelta(days=31)):
            if shift.user and shift.user not in current:
                return [shift.user]
        return []
    previous = final_schedule(schedule, now - timedelta(days=31), now)
    for shift in reversed(previous):
        if shift.user and shift.user not in current:
            return [shift.user]
    return []


async def resolve_targets(
    store: DocumentStore,
    step: NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin,
    now: datetime,
) -> list[str]:
    if isinstance(step, NotifyUsers):
        return list(dict.fromkeys(step.user_ids))
    if isinstance(step, NotifyTeam):
        return await _team_members(store, step.team_id)
    if isinstance(step, NotifyRoundRobin):
        return await _round_robin(store, step.team_id)
    return await _schedule_targets(store, step, now)


def _describe(step: Step) -> str:
    if isinstance(step, NotifySchedule):
        which = {"current": "on call", "next": "next on call", "previous": "previously on call"}
        return f"{which[step.which]} in schedule {step.schedule_id}"
    if isinstance(step, NotifyTeam):
        return f"members of team {step.team_id}"
    if isinstance(step, NotifyRoundRobin):
        return f"round-robin in team {step.team_id}"
    return "users"


async def _display(store: DocumentStore, user_ids: list[str]) -> str:
    names: list[str] = []
    for user_id in user_ids[:10]:
        names.append(await user_display_name(store, user_id))
    more = len(user_ids) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


# --- activities ----------------------------------------------------------------------------
@dataclass
class ExecuteResult:
    #: Messages for the ``notifications`` queue (JSON objects).
    messages: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, list[str]] = field(default_factory=dict)


async def execute(
    *,
    store: DocumentStore,
    snapshot: PolicySnapshot,
    effects: list[dict[str, Any]],
    notes: list[str],
    cursor: Cursor,
    now: datetime,
) -> ExecuteResult:
    """Carry out one plan's effects: resolve targets, queue notifications, write the timeline."""
    result = ExecuteResult()
    incident_id = snapshot.incident_id
    for effect in effects:
        step = _STEP.validate_python(effect["step"])
        key = str(effect["key"])
        label = f"Step {int(effect['position']) + 1}"
        if isinstance(step, NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin):
            targets, skipped = await _recorded_targets(
                store, snapshot.team_id, incident_id, key, step, now
            )
            result.targets[key] = targets
            multi_ack = getattr(step, "multi_ack", False)
            for user_id in targets:
                result.messages.append(
                    {
                        "type": "notify",
                        "incident_id": incident_id,
                        "user_id": user_id,
                        "importance": step.importance,
                        "idempotency_key": f"{key}:{user_id}",
                        "step": int(effect["position"]) + 1,
                        "multi_ack": multi_ack,
                    }
                )
            message = (
                f"{label}: notifying {await _display(store, targets)} ({_describe(step)})"
                if targets
                else f"{label}: nobody to notify ({_describe(step)} is empty)"
            )
            if skipped:
                message += "; not paged: " + "; ".join(skipped)
            await _note(
                store, incident_id, now, message, key, {"targets": targets, "skipped": skipped}
            )
        elif isinstance(step, PostToChannel):
            result.messages.append(
                {
                    "type": "teams_post",
                    "incident_id": incident_id,
                    "channel_id": step.channel_id,
                    "idempotency_key": key,
                }
            )
            await _note(store, incident_id, now, f"{label}: posting to Teams channel", key, {})
        elif isinstance(step, CallWebhook):
            reason = await refusal(
                store, snapshot.team_id, Ref("webhook", step.webhook_id, "webhook_id")
            )
            if reason is not None:
                message = f"{label}: not calling the webhook: {reason}"
                await _note(store, incident_id, now, message, key, {"skipped": [reason]})
                continue
            result.messages.append(
                {
                    "type": "webhook",
                    "incident_id": incident_id,
                    "webhook_id": step.webhook_id,
                    "event": "escalated",
                    "idempotency_key": key,
                }
            )
            await _note(store, incident_id, now, f"{label}: calling webhook", key, {})
        else:
            await system_action(
                store=store,
                incident_id=incident_id,
                action=Action(kind="resolve", actor=SYSTEM, via="escalation"),
                now=now,
            )
    # "t" sorts after the steps' "s" keys: at equal times the timeline lists the pages first.
    base = f"esc:{incident_id}:c{cursor.cycle}:r{cursor.repeats_done}:t{cursor.position}"
    for n, note in enumerate(notes):
        entry = TimelineEntry(
            incident_id=incident_id,
            at=now,
            kind="escalation",
            actor=SYSTEM,
            message=note,
            via="escalation",
        )
        await record_timeline(store, entry, entry_id=f"{base}:n{n}")
    return result


async def _note(
    store: DocumentStore,
    incident_id: str,
    now: datetime,
    message: str,
    key: str,
    data: dict[str, Any],
) -> None:
    entry = TimelineEntry(
        incident_id=incident_id,
        at=now,
        kind="escalation",
        actor=SYSTEM,
        message=message,
        via="escalation",
        data={"key": key, **data},
    )
    await record_timeline(store, entry, entry_id=f"esc:{key}")


async def _recorded_targets(
    store: DocumentStore,
    team_id: str,
    incident_id: str,
    key: str,
    step: NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin,
    now: datetime,
) -> tuple[list[str], list[str]]:
    """The step's permitted targets and the reasons others were skipped, resolved once per
    idempotency key (a re-run reuses the record)."""
    existing = await store.get(STEPS, incident_id, key)
    if existing is not None:
        return list(existing["targets"]), list(existing.get("skipped", []))
    # Checked again here, not only when the policy was saved: memberships change while a
    # policy stays the same, and a frozen snapshot must not page people who left the team.
    step_reason = await step_refusal(store, team_id, step)
    if step_reason is not None:
        targets: list[str] = []
        skipped = [step_reason]
    elif isinstance(step, NotifyTeam | NotifyRoundRobin):
        # The team's own members by construction (a membership query): nothing to re-check.
        targets, skipped = await resolve_targets(store, step, now), []
    else:
        try:
            resolved = await resolve_targets(store, step, now)
        except (stored.NeedsRepair, limits.ScheduleTooComplex) as exc:
            # Retrying cannot help (the stored schedule breaks a rule, or is too dense to
            # compute, until someone fixes it), and a failed activity would end the whole
            # escalation: the step says why on the timeline and the other targets are paged.
            resolved = []
            step_reason = f"the schedule could not be resolved: {exc.detail}"
        targets, skipped = await permitted(store, team_id, resolved)
        if step_reason is not None:
            skipped = [step_reason, *skipped]
    doc = {
        "id": key,
        "incident_id": incident_id,
        "targets": targets,
        "skipped": skipped,
        "multi_ack": bool(getattr(step, "multi_ack", False)),
        "importance": step.importance,
        "renotified": 0,
        "at": utc_iso(now),
    }
    try:
        await store.create(STEPS, doc)
    except Conflict:
        again = await store.get(STEPS, incident_id, key)
        if again is not None:
            return list(again["targets"]), list(again.get("skipped", []))
    return targets, skipped


async def reescalate(*, store: DocumentStore, incident_id: str, now: datetime) -> None:
    """An acknowledgement timed out or a snooze ended: back to triggered, paging again."""
    doc = await store.get("incidents", incident_id, incident_id)
    if doc is None:
        return
    incident = from_doc(Incident, doc)
    kind = "wake" if incident.status == IncidentStatus.SNOOZED else "unacknowledge"
    await system_action(
        store=store,
        incident_id=incident_id,
        action=Action(kind=kind, actor=SYSTEM, via="escalation"),
        now=now,
    )


async def multi_ack(
    *, store: DocumentStore, incident_id: str, key: str, renotify: bool, now: datetime
) -> tuple[list[str], list[dict[str, Any]]]:
    """Targets of a multi-ack step who have not acknowledged; with ``renotify``, page them again.

    Returns (pending user ids, notification messages).
    """
    step_doc = await store.get(STEPS, incident_id, key)
    incident_doc = await store.get("incidents", incident_id, incident_id)
    if step_doc is None or incident_doc is None:
        return [], []
    incident = from_doc(Incident, incident_doc)
    if not incident.is_open:
        return [], []
    pending = [u for u in step_doc["targets"] if u not in incident.acknowledgers]
    messages: list[dict[str, Any]] = []
    skipped: list[str] = []
    if renotify and pending:
        pending, skipped = await permitted(store, incident.team_id, pending)
    if renotify and skipped:
        await _note(
            store,
            incident_id,
            now,
            "Not paging again: " + "; ".join(skipped),
            f"{key}:m{int(step_doc.get('renotified', 0)) + 1}:skipped",
            {"skipped": skipped},
        )
    if renotify and pending:
        round_ = int(step_doc.get("renotified", 0)) + 1
        try:
            await store.replace(
                STEPS, {**step_doc, "renotified": round_}, if_match=step_doc["_etag"]
            )
        except PreconditionFailed:
            round_ = int((await store.get(STEPS, incident_id, key) or step_doc)["renotified"])
        for user_id in pending:
            messages.append(
                {
                    "type": "notify",
                    "incident_id": incident_id,
                    "user_id": user_id,
                    "importance": step_doc.get("importance", "default"),
                    "idempotency_key": f"{key}:m{round_}:{user_id}",
                    "multi_ack": True,
                }
            )
        await _note(
            store,
            incident_id,
            now,
            f"Still waiting for {await _display(store, pending)} to acknowledge; paging again",
            f"{key}:m{round_}",
            {"targets": pending},
        )
    return pending, messages


async def status_updates(
    *, store: DocumentStore, incident_id: str, event: str, cycle: int
) -> list[dict[str, Any]]:
    """Status-update jobs for everyone paged for the incident except whoever did it; the
    notification side sends them only to people who opted in."""
    incident_doc = await store.get("incidents", incident_id, incident_id)
    if incident_doc is None:
        return []
    incident = from_doc(Incident, incident_doc)
    actor = incident.acknowledged_by if event == "acknowledged" else incident.resolved_by
    paged: set[str] = set()
    continuation: str | None = None
    while True:
        page = await store.query(
            STEPS, where=[eq("incident_id", incident_id)], limit=200, continuation=continuation
        )
        for doc in page.items:
            paged.update(doc.get("targets", []))
        continuation = page.continuation
        if continuation is None:
            break
    if actor is not None:
        paged.discard(actor.id)
    # Posted Teams cards show the new state too (delivered from the queue, never from here).
    cards = {
        "type": "teams_update",
        "incident_id": incident_id,
        "idempotency_key": f"{incident_id}:{event}:c{cycle}:cards",
    }
    return [cards] + [
        {
            "type": "status_update",
            "incident_id": incident_id,
            "user_id": user_id,
            "event": event,
            "idempotency_key": f"{incident_id}:{event}:c{cycle}:{user_id}",
        }
        for user_id in sorted(paged)
    ]


# --- the durable port ------------------------------------------------------------------------
class DurableClient(Protocol):
    """The part of ``DurableOrchestrationClient`` escalation uses."""

    async def start_new(
        self,
        orchestration_function_name: str,
        instance_id: str | None = None,
        client_input: object | None = None,
    ) -> str: ...

    async def raise_event(
        self, instance_id: str, event_name: str, event_data: Any = None
    ) -> None: ...

    async def get_status(
        self,
        instance_id: str,
        show_history: bool = False,
        show_history_output: bool = False,
        show_input: bool = False,
    ) -> Any: ...

    async def terminate(self, instance_id: str, reason: str) -> None: ...


def _already_running(exc: Exception) -> bool:
    return "already exists" in str(exc)


def _gone(exc: Exception) -> bool:
    text = str(exc)
    return "No instance with ID" in text or "is gone" in text


@dataclass
class DurableEscalation:
    """:class:`shared.pipeline.process.EscalationPort` backed by Durable Functions.

    ``start`` is idempotent: a re-delivered start finds the orchestration running and does
    nothing. ``signal`` to an incident without a running orchestration (never paged, already
    finished) is not an error.
    """

    client: DurableClient
    store: DocumentStore
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def start(self, incident: Incident) -> None:
        if not incident.page:
            return
        snapshot = await freeze_policy(store=self.store, incident=incident)
        if snapshot is None:
            entry = TimelineEntry(
                incident_id=incident.id,
                at=self.clock(),
                kind="escalation",
                actor=SYSTEM,
                message="No escalation policy: nobody is paged for this incident",
                via="escalation",
            )
            await record_timeline(self.store, entry, entry_id=f"esc:{incident.id}:no-policy")
            return
        payload = EscalationInput(snapshot=snapshot).model_dump(mode="json")
        try:
            await self.client.start_new(ORCHESTRATOR, incident.id, payload)
        except Exception as exc:
            if _already_running(exc):
                log.info("escalation for incident %s is already running", incident.id)
                return
            raise

    async def signal(self, incident_id: str, signal: SignalKind, *, from_source: bool) -> None:
        until: datetime | None = None
        if signal == "snoozed":
            doc = await self.store.get("incidents", incident_id, incident_id)
            if doc is not None:
                until = from_doc(Incident, doc).snoozed_until
        payload = SignalPayload(signal=signal, from_source=from_source, until=until)
        try:
            await self.client.raise_event(
                incident_id, SIGNAL_EVENT, payload.model_dump(mode="json")
            )
        except Exception as exc:
            if _gone(exc):
                log.info("no running escalation for incident %s (%s ignored)", incident_id, signal)
                return
            raise


# --- the auditor -----------------------------------------------------------------------------
@dataclass(frozen=True)
class InstanceView:
    runtime_status: str | None
    custom_status: Any
    input: Any


@dataclass(frozen=True)
class Repair:
    incident_id: str
    reason: str
    cursor: Cursor
    #: Terminate the old instance first (it is running but stuck).
    terminate: bool


def audit_decision(
    incident: Incident, view: InstanceView, *, now: datetime, grace: timedelta = AUDIT_GRACE
) -> Repair | None:
    """Pure: does this open incident's escalation need repairing, and from where?"""
    if not incident.is_open or not incident.page or not incident.escalation_policy_id:
        return None
    status = view.runtime_status
    custom = _status(view.custom_status)
    cursor = custom.cursor if custom is not None else Cursor()
    if status is None:
        return Repair(incident.id, "its orchestration is missing", cursor, terminate=False)
    if status in ("Failed", "Terminated", "Canceled"):
        return Repair(incident.id, f"its orchestration is {status.lower()}", cursor, False)
    if status == "Completed":
        # Completed while the incident is still open: only legitimate when the policy resolved it
        # (then the incident would not be open) — anything else is lost paging.
        return Repair(incident.id, "its orchestration completed early", cursor, terminate=False)
    if custom is not None and custom.next_due is not None and custom.next_due < now - grace:
        late = int((now - custom.next_due).total_seconds())
        return Repair(
            incident.id, f"its orchestration is {late} s past its next step", cursor, True
        )
    return None


def _status(value: Any) -> EscalationStatus | None:
    if not isinstance(value, dict):
        return None
    try:
        return EscalationStatus.model_validate(value)
    except ValueError:
        return None


async def audit(
    *, store: DocumentStore, client: DurableClient, now: datetime, limit: int = 500
) -> list[Repair]:
    """Find open incidents whose escalation is missing, failed or stuck, and restart them.

    A repair restarts the orchestration at the recorded cursor (the step it was on, so a step
    may page again: better twice than never) with the incident's current policy.
    """
    repairs: list[Repair] = []
    continuation: str | None = None
    open_statuses = [s.value for s in IncidentStatus if s != IncidentStatus.RESOLVED]
    while len(repairs) < limit:
        page = await store.query(
            "incidents",
            where=[in_("status", open_statuses)],
            limit=100,
            continuation=continuation,
        )
        for doc in page.items:
            incident = from_doc(Incident, doc)
            status = await client.get_status(incident.id, show_input=False)
            runtime_status = getattr(status, "runtime_status", None)
            view = InstanceView(
                runtime_status=getattr(runtime_status, "value", runtime_status),
                custom_status=getattr(status, "custom_status", None),
                input=None,
            )
            repair = audit_decision(incident, view, now=now)
            if repair is None:
                continue
            await _repair(store=store, client=client, incident=incident, repair=repair, now=now)
            repairs.append(repair)
        continuation = page.continuation
        if continuation is None:
            break
    return repairs


async def _repair(
    *,
    store: DocumentStore,
    client: DurableClient,
    incident: Incident,
    repair: Repair,
    now: datetime,
) -> None:
    snapshot = await freeze_policy(store=store, incident=incident)
    if snapshot is None:
        return
    if repair.terminate:
        try:
            await client.terminate(incident.id, f"auditor: {repair.reason}")
        except Exception as exc:
            if not _gone(exc):
                raise
    mode = "hold" if incident.status != IncidentStatus.TRIGGERED else "run"
    payload = EscalationInput(snapshot=snapshot, cursor=repair.cursor, mode=mode)
    try:
        await client.start_new(ORCHESTRATOR, incident.id, payload.model_dump(mode="json"))
    except Exception as exc:
        if not _already_running(exc):
            raise
    log.warning("escalation auditor repaired incident %s: %s", incident.id, repair.reason)
    entry = TimelineEntry(
        incident_id=incident.id,
        at=now,
        kind="escalation",
        actor=SYSTEM,
        message=(
            f"Escalation repaired: {repair.reason}; restarted at step {repair.cursor.position + 1}"
        ),
        via="escalation",
    )
    await record_timeline(store, entry, entry_id=f"esc:{incident.id}:repair:{utc_iso(now)}")
