"""Handoff planning: pure, run every minute with the previous state; time is passed in.

Idempotency: every intent carries ``schedule id|user|shift start|kind`` as its key, so a re-run
of the same minute (or a redelivered timer) yields identical keys and the sender drops repeats.
Catch-up: the state remembers ``checked_until``; a run covers (checked_until, now], so missed
minutes are still planned once. Reminders whose time is older than ``grace`` are dropped rather
than sent late (default 15 minutes); "now on call" is always sent for the current shift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from shared.schedules.models import Schedule, Shift
from shared.schedules.resolve import final_schedule

DEFAULT_LEADS = (timedelta(hours=24), timedelta(hours=1))
DEFAULT_GRACE = timedelta(minutes=15)
#: How far ahead a gap is announced.
GAP_NOTICE = timedelta(hours=24)


class ScheduleState(BaseModel):
    users: tuple[str, ...] = ()
    checked_until: datetime | None = None


class Intent(BaseModel):
    kind: Literal["now_on_call", "shift_reminder", "gap"]
    schedule_id: str
    user: str | None
    shift_start: datetime
    idempotency_key: str
    lead_minutes: int | None = None


class Handoff(BaseModel):
    schedule_id: str
    at: datetime
    from_users: tuple[str, ...]
    to_users: tuple[str, ...]


def _key(sid: str, user: str | None, start: datetime, kind: str) -> str:
    return f"{sid}|{user or '-'}|{start.astimezone(UTC).isoformat()}|{kind}"


def _users(shift: Shift) -> tuple[str, ...]:
    return tuple(shift.user.split(",")) if shift.user else ()


def plan_handoffs(
    schedules: Sequence[Schedule],
    previous_state: Mapping[str, ScheduleState],
    now: datetime,
    reminder_prefs: Mapping[str, Sequence[timedelta]],
    *,
    grace: timedelta = DEFAULT_GRACE,
) -> tuple[dict[str, ScheduleState], list[Handoff], list[Intent]]:
    """``reminder_prefs`` maps a user to reminder leads; users absent get 24 h and 1 h."""
    now = now.astimezone(UTC)
    state: dict[str, ScheduleState] = {}
    handoffs: list[Handoff] = []
    intents: list[Intent] = []
    longest = max([*DEFAULT_LEADS, *(d for v in reminder_prefs.values() for d in v)])
    for s in schedules:
        prev = previous_state.get(s.id, ScheduleState())
        since = prev.checked_until or now - timedelta(minutes=1)
        since = max(since, now - longest - grace)
        window = final_schedule(s, now - timedelta(days=1), now + longest + GAP_NOTICE)
        current = next(x for x in window if x.start <= now < x.end)
        users = _users(current)
        if users != prev.users:
            handoffs.append(
                Handoff(schedule_id=s.id, at=now, from_users=prev.users, to_users=users)
            )
            intents.extend(
                Intent(
                    kind="now_on_call",
                    schedule_id=s.id,
                    user=u,
                    shift_start=current.start,
                    idempotency_key=_key(s.id, u, current.start, "now_on_call"),
                )
                for u in users
                if u not in prev.users
            )
        for shift in window:
            if shift.start <= now and shift is not current:
                continue
            if shift.user is None:
                announce = shift.start - GAP_NOTICE
                # A first run announces every gap already inside the notice window.
                if since < announce <= now or (prev.checked_until is None and announce <= now):
                    intents.append(
                        Intent(
                            kind="gap",
                            schedule_id=s.id,
                            user=None,
                            shift_start=shift.start,
                            idempotency_key=_key(s.id, None, shift.start, "gap"),
                        )
                    )
                continue
            for u in _users(shift):
                for lead in reminder_prefs.get(u, DEFAULT_LEADS):
                    due = shift.start - lead
                    if since < due <= now and now - due <= grace:
                        intents.append(
                            Intent(
                                kind="shift_reminder",
                                schedule_id=s.id,
                                user=u,
                                shift_start=shift.start,
                                lead_minutes=int(lead.total_seconds() // 60),
                                idempotency_key=_key(
                                    s.id, u, shift.start, f"reminder-{int(lead.total_seconds())}"
                                ),
                            )
                        )
        state[s.id] = ScheduleState(users=users, checked_until=now)
    return state, handoffs, intents
