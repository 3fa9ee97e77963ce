"""Who is on call now and next, per schedule, and a person's upcoming shifts: the console's
"On call now" and "My shifts" pages, computed from the final schedules (overrides and swaps
applied) like every other on-call answer.

Each schedule is computed in a worker thread within the schedule budget
(``limits.compute``); one that needs repair or is too complex is reported with its problem and
the others still answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from shared.auth.access import require, team_scope
from shared.auth.models import Action, Principal
from shared.schedules import limits, stored
from shared.schedules.models import Schedule, Shift
from shared.schedules.people import names
from shared.schedules.resolve import final_schedule
from shared.store.port import DocumentStore

#: How far ahead "next" and "my shifts" look by default, and at most.
HORIZON_DAYS = 14
MAX_DAYS = 93
#: How far back a running shift's start is looked for (a longer shift shows this as start).
LOOKBACK = timedelta(days=7)
#: Schedules one answer covers at most (a tenant has tens).
MAX_SCHEDULES = 200


class PersonRef(BaseModel):
    id: str
    name: str
    email: str | None = None


class OnCallShift(BaseModel):
    """Who holds a shift and its UTC bounds; ``end`` is the hand-off."""

    users: list[PersonRef]
    start: datetime
    end: datetime


class ScheduleOnCall(BaseModel):
    schedule_id: str
    schedule_name: str
    team_id: str
    #: The schedule's IANA zone, to show hand-offs in it beside the viewer's.
    time_zone: str
    #: None: nobody on call now (a gap).
    now: OnCallShift | None = None
    #: The next different on-call within the horizon; None: none scheduled.
    next: OnCallShift | None = None
    #: Why this schedule could not be computed (it needs repair, or is too complex).
    problem: str | None = None


class OnCallNow(BaseModel):
    at: datetime
    schedules: list[ScheduleOnCall]


class MyShift(BaseModel):
    schedule_id: str
    schedule_name: str
    team_id: str
    time_zone: str
    start: datetime
    end: datetime


class MyShifts(BaseModel):
    start: datetime
    end: datetime
    shifts: list[MyShift]


async def _schedules(store: DocumentStore, team_ids: list[str] | None) -> list[Schedule | str]:
    """The stored schedules of ``team_ids`` (all when None); a broken one as its id."""
    out: list[Schedule | str] = []
    page = await stored.query_schedules(store, team_ids=team_ids, limit=MAX_SCHEDULES)
    for doc in page.items:
        try:
            out.append(stored.load(doc))
        except stored.NeedsRepair:
            out.append(str(doc.get("id")))
    return out


def _teams(principal: Principal, team_id: str | None) -> list[str] | None:
    """A named team (which needs READ there); else the caller's own teams; else (an admin or
    an API key, without memberships) every team the caller may read. None: all teams."""
    if team_id:
        require(principal, Action.READ, [team_id])
        return [team_id]
    scope = team_scope(principal, Action.READ)
    own = sorted(t for t in principal.teams if scope.all_teams or t in scope.team_ids)
    if own:
        return own
    return None if scope.all_teams else sorted(scope.team_ids)


def _runs(shifts: list[Shift]) -> list[Shift]:
    """Adjacent shifts of the same people as one (layers split them at their own edges)."""
    merged: list[Shift] = []
    for shift in shifts:
        last = merged[-1] if merged else None
        if last is not None and last.user == shift.user and last.end == shift.start:
            merged[-1] = last.model_copy(update={"end": shift.end})
        else:
            merged.append(shift)
    return merged


async def on_call_now(
    *, store: DocumentStore, principal: Principal, team_id: str | None, at: datetime
) -> OnCallNow:
    answers: list[ScheduleOnCall] = []
    people: set[str] = set()
    computed: list[tuple[Schedule, Shift | None, Shift | None]] = []
    teams = _teams(principal, team_id)
    for schedule in await _schedules(store, teams) if teams != [] else []:
        if isinstance(schedule, str):
            answers.append(
                ScheduleOnCall(
                    schedule_id=schedule,
                    schedule_name=schedule,
                    team_id=team_id or "",
                    time_zone="UTC",
                    problem="The schedule needs repair (GET /schedules/{id} names the rule).",
                )
            )
            continue
        try:
            shifts = await limits.compute(
                final_schedule, schedule, at - LOOKBACK, at + timedelta(days=HORIZON_DAYS)
            )
        except limits.ScheduleTooComplex as exc:
            answers.append(_named(schedule, problem=exc.detail))
            continue
        runs = _runs(shifts)
        current = next((s for s in runs if s.start <= at < s.end and s.user), None)
        after = current.end if current is not None else at
        upcoming = next((s for s in runs if s.start >= after and s.user), None)
        for shift in (current, upcoming):
            if shift is not None and shift.user:
                people.update(shift.user.split(","))
        computed.append((schedule, current, upcoming))
    known = await names(store, people)

    def view(shift: Shift | None) -> OnCallShift | None:
        if shift is None or not shift.user:
            return None
        users = [
            PersonRef(id=u, name=known[u].name, email=known[u].email)
            if u in known
            else PersonRef(id=u, name=u)
            for u in shift.user.split(",")
        ]
        return OnCallShift(users=users, start=shift.start, end=shift.end)

    for schedule, current, upcoming in computed:
        answers.append(_named(schedule, now=view(current), next=view(upcoming)))
    answers.sort(key=lambda a: (a.team_id, a.schedule_name.lower(), a.schedule_id))
    return OnCallNow(at=at, schedules=answers)


def _named(schedule: Schedule, **fields: object) -> ScheduleOnCall:
    return ScheduleOnCall(
        schedule_id=schedule.id,
        schedule_name=schedule.name,
        team_id=schedule.team_id,
        time_zone=schedule.time_zone,
        **fields,
    )


async def my_shifts(
    *, store: DocumentStore, user_id: str, team_ids: list[str], start: datetime, days: int
) -> MyShifts:
    """The person's shifts from ``start`` for ``days`` days, in the schedules of their teams."""
    end = start + timedelta(days=days)
    found: list[MyShift] = []
    for schedule in await _schedules(store, team_ids) if team_ids else []:
        if isinstance(schedule, str):
            continue
        try:
            shifts = await limits.compute(final_schedule, schedule, start - LOOKBACK, end)
        except limits.ScheduleTooComplex:
            continue
        found += [
            MyShift(
                schedule_id=schedule.id,
                schedule_name=schedule.name,
                team_id=schedule.team_id,
                time_zone=schedule.time_zone,
                start=s.start,
                end=s.end,
            )
            for s in _runs(shifts)
            if s.user and user_id in s.user.split(",") and s.end > start
        ]
    found.sort(key=lambda s: (s.start, s.schedule_id))
    return MyShifts(start=start, end=end, shifts=found)
