"""Escalation activities: the work an orchestration asks for, done against the store.

Everything here is called from activities, never from the orchestrator. Activities are
at-least-once, so each write is keyed: a notify step's targets are resolved once per idempotency
key (:mod:`shared.escalation.targets`), timeline entries have derived ids, and every queued
notification carries an idempotency key the delivery side deduplicates on. Freezing a policy,
the Durable client adapter and the auditor are in :mod:`~shared.escalation.freeze`,
:mod:`~shared.escalation.durable` and :mod:`~shared.escalation.auditor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pydantic import TypeAdapter

from shared.catalog.references import Ref, refusal
from shared.errors import NotFound, PreconditionFailed
from shared.escalation.boundaries import permitted
from shared.escalation.models import (
    CallWebhook,
    Cursor,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicySnapshot,
    PostToChannel,
    Step,
)
from shared.escalation.targets import STEPS, describe, display_names, recorded_targets
from shared.escalation.timeline import SYSTEM, write_line
from shared.incidents.models import Action, Incident, IncidentStatus
from shared.incidents.service import apply_action
from shared.incidents.stored import load_incident
from shared.store.port import DocumentStore, eq

# Step is an annotated union, not a class; the cast keeps mypy's view of it simple.
_STEP: TypeAdapter[Step] = TypeAdapter(cast(Any, Step))


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
            targets, skipped = await recorded_targets(
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
                f"{label}: notifying {await display_names(store, targets)} ({describe(step)})"
                if targets
                else f"{label}: nobody to notify ({describe(step)} is empty)"
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
        await write_line(store, incident_id, now, note, entry_id=f"{base}:n{n}")
    return result


async def _note(
    store: DocumentStore,
    incident_id: str,
    now: datetime,
    message: str,
    key: str,
    data: dict[str, Any],
) -> None:
    await write_line(
        store, incident_id, now, message, entry_id=f"esc:{key}", data={"key": key, **data}
    )


async def reescalate(*, store: DocumentStore, incident_id: str, now: datetime) -> None:
    """An acknowledgement timed out or a snooze ended: back to triggered, paging again."""
    incident = await load_incident(store, incident_id)
    if incident is None:
        return
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
    incident = await load_incident(store, incident_id)
    if step_doc is None or incident is None:
        return [], []
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
            f"Still waiting for {await display_names(store, pending)} to acknowledge; paging again",
            f"{key}:m{round_}",
            {"targets": pending},
        )
    return pending, messages


async def status_updates(
    *, store: DocumentStore, incident_id: str, event: str, cycle: int
) -> list[dict[str, Any]]:
    """Status-update jobs for everyone paged for the incident except whoever did it; the
    notification side sends them only to people who opted in."""
    incident = await load_incident(store, incident_id)
    if incident is None:
        return []
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
