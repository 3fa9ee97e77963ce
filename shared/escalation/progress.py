"""An incident's escalation as a responder reads it: the steps of its frozen policy, which one
it is on, what fires next and when, who was paged by which channel and when.

Assembled from what already exists: the orchestration's custom status (mode, cursor, next
wake-up) and input (the frozen policy), the escalation lines of the timeline, and the delivery
log. Read-only; without an orchestration (never paged, finished and purged, or no durable
client, as in unit tests) the incident's current policy stands in for the frozen one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from shared.auth.documents import user_display_name
from shared.auth.models import Principal
from shared.escalation.durable import DurableClient
from shared.escalation.models import (
    CallWebhook,
    EscalationInput,
    EscalationStatus,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicySnapshot,
    PostToChannel,
    Repeat,
    Step,
    TimeWindow,
    Wait,
)
from shared.escalation.policies import load_policy
from shared.incidents import service as incidents
from shared.incidents.models import Incident, TimelineEntry
from shared.notifications.delivery import list_deliveries
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

#: Pages and escalation lines shown at most (a long storm's incident keeps the newest pages).
SHOWN = 100

State = Literal["waiting", "holding", "waiting_for_acks", "finished", "not_paging"]


class StepView(BaseModel):
    #: 1-based, as the timeline names them ("Step 3: ...").
    position: int
    type: str
    summary: str


class PageView(BaseModel):
    """One notification: who, by which channel, when, and how it went."""

    at: datetime
    user_id: str | None
    user_name: str
    channel: str
    status: str
    finished_at: datetime | None = None


class EscalationProgress(BaseModel):
    incident_id: str
    #: ``waiting``: a wait step runs until ``next_at``; ``holding``: acknowledged or snoozed,
    #: paging paused (until ``next_at`` if an acknowledgement timeout applies);
    #: ``waiting_for_acks``: a multi-ack step re-pages until each target acknowledges;
    #: ``finished``: the policy ran out of steps or the incident is resolved;
    #: ``not_paging``: nobody is paged for this incident (no policy, or "don't page").
    state: State
    policy_id: str | None
    policy_version: int | None
    steps: list[StepView]
    #: The step the escalation stands at (1-based); None when finished or not paging.
    current_step: int | None
    repeats_done: int
    #: The next step that fires by itself and when; None when only a signal moves it.
    next_step: int | None
    next_at: datetime | None
    pages: list[PageView]
    #: The escalation lines of the timeline, oldest first.
    history: list[TimelineEntry]


def summary(step: Step) -> str:
    """One line per step, for people."""
    if isinstance(step, NotifyUsers):
        return f"Notify {', '.join(step.user_ids)}"
    if isinstance(step, NotifySchedule):
        which = {"current": "on call", "next": "next on call", "previous": "previously on call"}
        return f"Notify who is {which[step.which]} in schedule {step.schedule_id}"
    if isinstance(step, NotifyTeam):
        return f"Notify team {step.team_id}"
    if isinstance(step, NotifyRoundRobin):
        return f"Notify one member of team {step.team_id} in turn"
    if isinstance(step, PostToChannel):
        return "Post to the Teams channel"
    if isinstance(step, CallWebhook):
        return f"Call webhook {step.webhook_id}"
    if isinstance(step, Wait):
        return f"Wait {step.minutes:g} minutes"
    if isinstance(step, Repeat):
        return f"Repeat from step 1 (up to {step.times} times)"
    if isinstance(step, TimeWindow):
        return "Continue only within its time window"
    return step.type.replace("_", " ").capitalize()


def _after_wait(steps: tuple[Step, ...], position: int) -> int | None:
    """The step that follows the first wait at or after ``position`` (0-based), if any."""
    for index in range(position, len(steps)):
        if isinstance(steps[index], Wait):
            return index + 1 if index + 1 < len(steps) else None
    return None


async def _orchestration(
    client: DurableClient | None, incident_id: str
) -> tuple[EscalationStatus | None, PolicySnapshot | None, str | None]:
    """(custom status, frozen policy, runtime status) of the incident's orchestration."""
    if client is None:
        return None, None, None
    try:
        status = await client.get_status(incident_id, show_input=True)
    except Exception:
        # Progress is a view: an unreachable task hub shows the current policy instead.
        log.warning("escalation status of %s unavailable", incident_id, exc_info=True)
        return None, None, None
    runtime = getattr(status, "runtime_status", None)
    runtime_name = getattr(runtime, "value", runtime)
    custom: EscalationStatus | None = None
    snapshot: PolicySnapshot | None = None
    raw_custom: Any = getattr(status, "custom_status", None)
    raw_input: Any = getattr(status, "input_", None)
    try:
        if isinstance(raw_custom, dict):
            custom = EscalationStatus.model_validate(raw_custom)
        if isinstance(raw_input, str | dict):
            state = (
                EscalationInput.model_validate_json(raw_input)
                if isinstance(raw_input, str)
                else EscalationInput.model_validate(raw_input)
            )
            snapshot = state.snapshot
    except ValidationError:
        log.warning("escalation status of %s is not in the expected shape", incident_id)
    return custom, snapshot, str(runtime_name) if runtime_name else None


async def escalation_progress(
    *,
    store: DocumentStore,
    principal: Principal,
    incident_id: str,
    client: DurableClient | None,
) -> EscalationProgress:
    incident = await incidents.get_incident(
        store=store, principal=principal, incident_id=incident_id
    )
    custom, snapshot, runtime = await _orchestration(client, incident_id)
    steps: tuple[Step, ...] = ()
    policy_id, version = incident.escalation_policy_id, None
    if snapshot is not None:
        steps, policy_id, version = snapshot.steps, snapshot.policy_id, snapshot.policy_version
    elif incident.escalation_policy_id:
        loaded = await load_policy(store, incident.escalation_policy_id)
        if loaded is not None:
            steps, version = loaded[0].steps, loaded[0].version
    state, current, next_step, next_at = _where(incident, custom, steps, runtime)
    deliveries, _ = await list_deliveries(store=store, incident_id=incident_id, limit=SHOWN)
    names: dict[str, str] = {}
    pages: list[PageView] = []
    for d in sorted(deliveries, key=lambda d: d.started_at):
        if d.user_id is not None and d.user_id not in names:
            names[d.user_id] = await user_display_name(store, d.user_id)
        pages.append(
            PageView(
                at=d.started_at,
                user_id=d.user_id,
                user_name=names.get(d.user_id or "", d.target),
                channel=d.channel,
                status=str(d.status),
                finished_at=d.finished_at,
            )
        )
    lines, _ = await incidents.get_timeline(
        store=store, principal=principal, incident_id=incident_id, limit=SHOWN
    )
    return EscalationProgress(
        incident_id=incident_id,
        state=state,
        policy_id=policy_id,
        policy_version=version,
        steps=[
            StepView(position=n + 1, type=s.type, summary=summary(s)) for n, s in enumerate(steps)
        ],
        current_step=current,
        repeats_done=custom.cursor.repeats_done if custom is not None else 0,
        next_step=next_step,
        next_at=next_at,
        pages=pages,
        history=[line for line in lines if line.kind == "escalation"],
    )


def _where(
    incident: Incident,
    custom: EscalationStatus | None,
    steps: tuple[Step, ...],
    runtime: str | None,
) -> tuple[State, int | None, int | None, datetime | None]:
    """(state, current step, next step, when it fires), steps 1-based."""
    if not incident.page or not incident.escalation_policy_id:
        return "not_paging", None, None, None
    if not incident.is_open or custom is None or runtime in ("Completed", "Terminated"):
        return "finished", None, None, None
    position = custom.cursor.position
    current = position + 1 if position < len(steps) else None
    if custom.mode == "done":
        return "finished", None, None, None
    if custom.mode == "hold":
        # An acknowledgement timeout restarts the escalation from its first step.
        return "holding", current, (1 if custom.next_due else None), custom.next_due
    if custom.mode == "multi_ack":
        return "waiting_for_acks", current, current, custom.next_due
    following = _after_wait(steps, position)
    return "waiting", current, (following + 1 if following is not None else None), custom.next_due
