"""The auditor: open incidents whose escalation is missing, failed or stuck, restarted.

Paging must never be lost to an orchestration that died, completed early or stopped waking up.
:func:`audit_decision` is the pure rule; :func:`audit` reads the open incidents and each
instance's status and restarts what the rule says needs repairing, at the recorded cursor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.escalation.durable import ORCHESTRATOR, DurableClient, already_running, gone
from shared.escalation.freeze import freeze_policy
from shared.escalation.models import Cursor, EscalationInput, EscalationStatus
from shared.escalation.timeline import write_line
from shared.incidents.models import Incident, IncidentStatus
from shared.incidents.stored import open_incidents
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

#: How long past its own next wake-up an orchestration may be before the auditor repairs it.
AUDIT_GRACE = timedelta(minutes=2)


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
    while len(repairs) < limit:
        incidents, continuation = await open_incidents(store, limit=100, continuation=continuation)
        for incident in incidents:
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
            if not gone(exc):
                raise
    mode = "hold" if incident.status != IncidentStatus.TRIGGERED else "run"
    payload = EscalationInput(snapshot=snapshot, cursor=repair.cursor, mode=mode)
    try:
        await client.start_new(ORCHESTRATOR, incident.id, payload.model_dump(mode="json"))
    except Exception as exc:
        if not already_running(exc):
            raise
    log.warning("escalation auditor repaired incident %s: %s", incident.id, repair.reason)
    await write_line(
        store,
        incident.id,
        now,
        f"Escalation repaired: {repair.reason}; restarted at step {repair.cursor.position + 1}",
        entry_id=f"esc:{incident.id}:repair:{utc_iso(now)}",
    )
