"""Targets: who a notify step pages, resolved once per step and recorded.

A step's targets are recorded under its idempotency key before any message goes out, so an
activity that runs again reuses them: a round-robin turn or a schedule lookup cannot pick a
different person the second time. The record also holds who was skipped and why (people outside
the incident's team are never paged), and later the multi-ack and status-update activities
read it to know who was paged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.auth.documents import user_display_name
from shared.auth.service import list_team_members
from shared.errors import Conflict
from shared.escalation.boundaries import permitted, step_refusal
from shared.escalation.models import NotifyRoundRobin, NotifySchedule, NotifyTeam, NotifyUsers, Step
from shared.schedules import limits, stored
from shared.schedules.models import Schedule
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import utc_iso
from shared.store.counters import count_up
from shared.store.port import DocumentStore

#: Where resolved targets of notify steps are kept (partitioned by incident).
STEPS = "escalation_steps"


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
    turn = await count_up(store, counter_id) - 1
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


def describe(step: Step) -> str:
    if isinstance(step, NotifySchedule):
        which = {"current": "on call", "next": "next on call", "previous": "previously on call"}
        return f"{which[step.which]} in schedule {step.schedule_id}"
    if isinstance(step, NotifyTeam):
        return f"members of team {step.team_id}"
    if isinstance(step, NotifyRoundRobin):
        return f"round-robin in team {step.team_id}"
    return "users"


async def display_names(store: DocumentStore, user_ids: list[str]) -> str:
    names: list[str] = []
    for user_id in user_ids[:10]:
        names.append(await user_display_name(store, user_id))
    more = len(user_ids) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


async def recorded_targets(
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
