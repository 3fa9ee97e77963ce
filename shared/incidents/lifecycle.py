"""The incident state machine: which actions are allowed in which status, and what they change.

::

    triggered ──acknowledge──▶ acknowledged ──resolve──▶ resolved
        ▲  ▲                     │    │                    │
        │  └───unacknowledge─────┘    │snooze              │reopen
        │                             ▼                    │
        └──────wake (snooze over)── snoozed ◀──snooze── triggered
        ◀──────────────────────────────────────────────────┘

Pure: :func:`decide` takes the incident, the action and ``now`` and returns the new incident,
the timeline entries to write and the signal for the escalation orchestration. It does no I/O,
so the same rules serve the API, Teams and source-side acknowledgements.

Idempotency: an action that would not change anything (acknowledging an acknowledged incident,
resolving a resolved one) is a no-op — ``changed`` is False, no timeline entry, no signal — not an
error, because retries from Teams clicks and monitoring tools are normal. An action that makes no
sense in the current status (snoozing a resolved incident) is a :class:`~shared.errors.Conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.errors import Conflict, InvalidInput
from shared.incidents.models import (
    Action,
    Incident,
    IncidentStatus,
    Signal,
    TimelineEntry,
)

T = IncidentStatus


@dataclass(frozen=True)
class Outcome:
    incident: Incident
    changed: bool
    timeline: tuple[TimelineEntry, ...] = ()
    signal: Signal | None = None


def _entry(
    incident: Incident, action: Action, now: datetime, kind: str, message: str
) -> TimelineEntry:
    return TimelineEntry(
        incident_id=incident.id,
        at=now,
        kind=kind,
        actor=action.actor,
        message=message,
        via=action.via,
        data={"users": list(action.users)} if action.users else {},
    )


def _unchanged(incident: Incident) -> Outcome:
    return Outcome(incident=incident, changed=False)


def decide(incident: Incident, action: Action, *, now: datetime) -> Outcome:
    """Apply ``action`` to ``incident`` at ``now`` (aware UTC)."""
    who = action.actor.label()
    status = incident.status
    kind = action.kind

    if kind == "acknowledge":
        actor_id = action.actor.id
        if status == T.RESOLVED:
            raise Conflict(f"incident #{incident.number} is resolved; reopen it first")
        acknowledgers = incident.acknowledgers
        newly = action.actor.kind == "user" and actor_id not in acknowledgers
        if newly:
            acknowledgers = (*acknowledgers, actor_id)
        if status == T.ACKNOWLEDGED:
            if not newly:
                return _unchanged(incident)
            # A second person acknowledging matters to multi-ack steps, but the status is the
            # same, so it is recorded without signalling a state change.
            updated = incident.model_copy(
                update={"acknowledgers": acknowledgers, "updated_at": now}
            )
            return Outcome(
                updated,
                True,
                (_entry(incident, action, now, "acknowledged", f"Also acknowledged by {who}"),),
            )
        updated = incident.model_copy(
            update={
                "status": T.ACKNOWLEDGED,
                "acknowledged_at": now,
                "acknowledged_by": action.actor,
                "acknowledgers": acknowledgers,
                "snoozed_until": None,
                "updated_at": now,
            }
        )
        return Outcome(
            updated,
            True,
            (_entry(incident, action, now, "acknowledged", f"Acknowledged by {who}"),),
            "acknowledged",
        )

    if kind == "unacknowledge":
        if status in (T.TRIGGERED, T.RESOLVED):
            return _unchanged(incident)
        updated = incident.model_copy(
            update={
                "status": T.TRIGGERED,
                "acknowledged_at": None,
                "acknowledged_by": None,
                "acknowledgers": (),
                "snoozed_until": None,
                "updated_at": now,
            }
        )
        return Outcome(
            updated,
            True,
            (_entry(incident, action, now, "unacknowledged", f"Unacknowledged by {who}"),),
            "unacknowledged",
        )

    if kind == "resolve":
        if status == T.RESOLVED:
            return _unchanged(incident)
        updated = incident.model_copy(
            update={
                "status": T.RESOLVED,
                "resolved_at": now,
                "resolved_by": action.actor,
                "snoozed_until": None,
                "updated_at": now,
            }
        )
        return Outcome(
            updated,
            True,
            (_entry(incident, action, now, "resolved", f"Resolved by {who}"),),
            "resolved",
        )

    if kind == "reopen":
        if status != T.RESOLVED:
            return _unchanged(incident)
        updated = incident.model_copy(
            update={
                "status": T.TRIGGERED,
                "resolved_at": None,
                "resolved_by": None,
                "acknowledged_at": None,
                "acknowledged_by": None,
                "acknowledgers": (),
                "reopen_count": incident.reopen_count + 1,
                "updated_at": now,
            }
        )
        # Reopening starts a fresh escalation; the caller starts it (the old one has ended), so
        # there is no signal to an existing orchestration here.
        return Outcome(
            updated, True, (_entry(incident, action, now, "reopened", f"Reopened by {who}"),)
        )

    if kind == "snooze":
        if action.snooze_for is None:
            raise InvalidInput(
                "snooze needs a duration", field="snooze_for", expected="1 s to 7 days"
            )
        if status == T.RESOLVED:
            raise Conflict(f"incident #{incident.number} is resolved; it cannot be snoozed")
        until = now + action.snooze_for
        updated = incident.model_copy(
            update={"status": T.SNOOZED, "snoozed_until": until, "updated_at": now}
        )
        message = f"Snoozed by {who} until {until.strftime('%Y-%m-%d %H:%M UTC')}"
        return Outcome(
            updated, True, (_entry(incident, action, now, "snoozed", message),), "snoozed"
        )

    if kind == "wake":
        if status != T.SNOOZED:
            return _unchanged(incident)
        updated = incident.model_copy(
            update={"status": T.TRIGGERED, "snoozed_until": None, "updated_at": now}
        )
        # Waking re-escalates like an unacknowledge: the snooze only postponed the page.
        return Outcome(
            updated,
            True,
            (_entry(incident, action, now, "unsnoozed", "Snooze ended; escalation resumes"),),
            "unacknowledged",
        )

    if kind == "escalate":
        if status == T.RESOLVED:
            raise Conflict(f"incident #{incident.number} is resolved; nothing to escalate")
        return Outcome(
            incident.model_copy(update={"updated_at": now}),
            True,
            (_entry(incident, action, now, "escalated", f"Escalated now by {who}"),),
            "escalate",
        )

    if kind in ("reassign", "add_responder"):
        if not action.users:
            raise InvalidInput(
                f"{kind} needs at least one user", field="users", expected="user ids"
            )
        if status == T.RESOLVED:
            raise Conflict(f"incident #{incident.number} is resolved")
        if kind == "reassign":
            assignees = tuple(dict.fromkeys(action.users))
            message = f"Reassigned by {who} to {', '.join(assignees)}"
        else:
            assignees = tuple(dict.fromkeys((*incident.assignees, *action.users)))
            message = f"{who} added responders {', '.join(action.users)}"
        if assignees == incident.assignees:
            return _unchanged(incident)
        updated = incident.model_copy(update={"assignees": assignees, "updated_at": now})
        return Outcome(updated, True, (_entry(incident, action, now, kind, message),))

    if kind == "add_note":
        if not action.note or not action.note.strip():
            raise InvalidInput("a note needs text", field="note", expected="non-empty text")
        entry = _entry(incident, action, now, "note", action.note.strip())
        return Outcome(incident.model_copy(update={"updated_at": now}), True, (entry,))

    raise InvalidInput(f"unknown action {kind!r}", field="kind")
