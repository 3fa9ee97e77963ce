"""Pure escalation step evaluation: (snapshot, cursor, facts, now) → plan.

The orchestrator replays plans; it never interprets steps itself. :func:`plan_step` walks from the
cursor through consecutive steps until it must wait (a ``wait`` step, a closed time window with
``outside="wait"``) or the policy ends, collecting the effects to carry out (notify, post, webhook,
resolve). :func:`react` decides what an incident event (acknowledged, resolved, ...) does to a
running escalation. No I/O and no clock: ``now`` is always passed in (in an orchestrator it is
``context.current_utc_datetime``), so evaluation is deterministic under replay.

Idempotency: every effect carries a key built from incident id, cycle, repeat and step position,
so an activity re-run after a crash (Durable activities are at-least-once) can be deduplicated
by the notification service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.escalation.models import (
    AlertCountCondition,
    CallWebhook,
    Cursor,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicySnapshot,
    PostToChannel,
    Repeat,
    ResolveIncident,
    TimeRange,
    TimeWindow,
    Wait,
)

NotifyStep = NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin


@dataclass(frozen=True)
class Effect:
    """Something an activity must do. ``step`` is the frozen step it came from."""

    kind: Literal["notify", "post_to_channel", "call_webhook", "resolve"]
    step: NotifyStep | PostToChannel | CallWebhook | ResolveIncident
    position: int
    idempotency_key: str


@dataclass(frozen=True)
class NeedAlertCount:
    """The next step is an alert-count condition: call again with the count for this window."""

    window_minutes: float


@dataclass(frozen=True)
class Plan:
    effects: tuple[Effect, ...]
    #: Where to continue; None when the escalation has run out of steps or a condition stopped it.
    next: Cursor | None
    #: Hold until then before evaluating ``next`` (None with a cursor: continue immediately).
    wait_until: datetime | None
    #: Human-readable reasons, one per step evaluated, for the timeline.
    notes: tuple[str, ...] = field(default=())


def _key(snapshot: PolicySnapshot, cursor: Cursor, position: int) -> str:
    return f"{snapshot.incident_id}:c{cursor.cycle}:r{cursor.repeats_done}:s{position}"


def in_range(local: datetime, rng: TimeRange) -> bool:
    t = local.time().replace(tzinfo=None)
    weekday = local.weekday()
    if rng.start < rng.end:
        return weekday in rng.weekdays and rng.start <= t < rng.end
    # Wraps past midnight (22:00-06:00): the late part belongs to the day it started on.
    return (weekday in rng.weekdays and t >= rng.start) or (
        (weekday - 1) % 7 in rng.weekdays and t < rng.end
    )


def window_is_open(step: TimeWindow, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(step.timezone))
    return any(in_range(local, rng) for rng in step.ranges)


def next_window_open(step: TimeWindow, now: datetime) -> datetime:
    """The first instant after ``now`` at which a range opens (aware UTC).

    A start time that does not exist on a DST spring-forward day is taken with ``fold=0``
    (the pre-transition offset), i.e. it lands just after the gap, as RFC 5545 specifies.
    """
    zone = ZoneInfo(step.timezone)
    today: date = now.astimezone(zone).date()
    candidates: list[datetime] = []
    for offset in range(8):
        day = today + timedelta(days=offset)
        for rng in step.ranges:
            if day.weekday() in rng.weekdays:
                opens = datetime.combine(day, rng.start, tzinfo=zone).astimezone(now.tzinfo)
                if opens > now:
                    candidates.append(opens)
    # Non-empty: ranges have at least one weekday, so one opens within any 8 days.
    return min(candidates)


def plan_step(
    snapshot: PolicySnapshot,
    cursor: Cursor,
    *,
    now: datetime,
    alerts_in_window: int | None = None,
) -> Plan | NeedAlertCount:
    """Evaluate from ``cursor`` until the escalation must wait or ends.

    ``alerts_in_window`` answers a previous :class:`NeedAlertCount` for the step at the cursor.
    """
    effects: list[Effect] = []
    notes: list[str] = []
    position = cursor.position
    repeats_done = cursor.repeats_done
    answered = alerts_in_window

    def here() -> Cursor:
        return Cursor(position=position, repeats_done=repeats_done, cycle=cursor.cycle)

    while position < len(snapshot.steps):
        step = snapshot.steps[position]
        label = f"step {position + 1}"
        current = here()
        if isinstance(step, NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin):
            effects.append(Effect("notify", step, position, _key(snapshot, current, position)))
        elif isinstance(step, PostToChannel):
            effects.append(
                Effect("post_to_channel", step, position, _key(snapshot, current, position))
            )
        elif isinstance(step, CallWebhook):
            effects.append(
                Effect("call_webhook", step, position, _key(snapshot, current, position))
            )
        elif isinstance(step, ResolveIncident):
            effects.append(Effect("resolve", step, position, _key(snapshot, current, position)))
            notes.append(f"{label}: resolve the incident")
            return Plan(tuple(effects), None, None, tuple(notes))
        elif isinstance(step, Wait):
            notes.append(f"{label}: wait {step.minutes:g} min")
            nxt = Cursor(position=position + 1, repeats_done=repeats_done, cycle=cursor.cycle)
            return Plan(tuple(effects), nxt, now + timedelta(minutes=step.minutes), tuple(notes))
        elif isinstance(step, TimeWindow):
            if not window_is_open(step, now):
                if step.outside == "stop":
                    notes.append(f"{label}: outside the time window; escalation stops")
                    return Plan(tuple(effects), None, None, tuple(notes))
                opens = next_window_open(step, now)
                notes.append(f"{label}: outside the time window; holding until it opens")
                return Plan(tuple(effects), here(), opens, tuple(notes))
        elif isinstance(step, AlertCountCondition):
            if answered is None:
                if effects or position != cursor.position:
                    # Checkpoint first (effects to carry out, progress made); the count is then
                    # asked for with the cursor at this step.
                    return Plan(tuple(effects), here(), None, tuple(notes))
                return NeedAlertCount(step.window_minutes)
            count, answered = answered, None
            if count <= step.threshold:
                notes.append(
                    f"{label}: {count} alert(s) in {step.window_minutes:g} min, not more than "
                    f"{step.threshold}; escalation stops"
                )
                return Plan(tuple(effects), None, None, tuple(notes))
        elif isinstance(step, Repeat):
            if repeats_done < step.times:
                repeats_done += 1
                notes.append(f"{label}: repeat from the start ({repeats_done} of {step.times})")
                position = 0
                # A repeat starts a new round: return so the round's effects get fresh keys and
                # the orchestrator checkpoints between rounds.
                return Plan(tuple(effects), here(), None, tuple(notes))
        position += 1

    notes.append("all steps done")
    return Plan(tuple(effects), None, None, tuple(notes))


Signal = Literal["acknowledged", "unacknowledged", "resolved", "escalate", "snoozed"]


@dataclass(frozen=True)
class Reaction:
    """What a running escalation does with an incident event.

    - ``stop``: the incident is resolved; the orchestration completes.
    - ``hold``: stop paging and wait for the next event; with ``wait_until`` set (ack timeout),
      unacknowledge the incident and restart at that time if nothing else happened.
    - ``restart``: run the policy again from ``cursor`` (a new cycle).
    - ``advance``: skip the current wait and continue at ``cursor`` now ("escalate now").
    - ``ignore``: the event does not change the escalation.
    """

    kind: Literal["stop", "hold", "restart", "advance", "ignore"]
    cursor: Cursor | None = None
    wait_until: datetime | None = None


def react(
    snapshot: PolicySnapshot,
    cursor: Cursor,
    signal: Signal,
    *,
    now: datetime,
    finished: bool = False,
    from_source: bool = False,
) -> Reaction:
    """Decide what ``signal`` does to an escalation at ``cursor``.

    ``finished``: the policy has run out of steps (``cursor`` is then the last one evaluated);
    the orchestration stays alive until resolution so acknowledgement timeouts still apply.
    """
    if signal == "resolved":
        return Reaction("stop")
    if signal == "acknowledged":
        if from_source and not snapshot.source_acks_count:
            return Reaction("ignore")
        timeout = snapshot.ack_timeout_minutes
        return Reaction(
            "hold", wait_until=None if timeout is None else now + timedelta(minutes=timeout)
        )
    if signal == "snoozed":
        # The incident service wakes the incident when the snooze ends and sends
        # "unacknowledged"; until then nobody is paged.
        return Reaction("hold")
    if signal == "unacknowledged":
        return Reaction("restart", cursor=Cursor(cycle=cursor.cycle + 1))
    # escalate now: continue with whatever comes after the current wait, immediately. When the
    # policy has run out, start another pass rather than silently doing nothing.
    if finished:
        return Reaction("restart", cursor=Cursor(cycle=cursor.cycle + 1))
    return Reaction("advance", cursor=cursor)
