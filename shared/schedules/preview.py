"""What an editor shows before it saves, and "take over now".

:func:`preview` runs an unsaved schedule body through the same resolver the pager uses
(:func:`~shared.schedules.resolve.final_schedule`) under the same budget, with the overrides
and swaps of the schedule it would replace, so the editor never re-implements rotations in the
browser. It checks the body exactly as a save would (the people exist and are the team's), so
a preview that answers is a body that saves.

:func:`take_over` is an override like any other (``shared.schedules.overrides``: the same
length, people, team and count rules), for the caller, from now to the end of the shift that is
running (or a time they choose).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from shared.auth.access import require
from shared.auth.models import Action, Principal, PrincipalKind
from shared.catalog.references import check_references
from shared.errors import Conflict, InvalidInput, NotFound
from shared.schedules import limits, stored
from shared.schedules import overrides as ovr
from shared.schedules.models import Override, Schedule, ScheduleBody, Shift
from shared.schedules.people import layer_people, require_people, schedule_refs
from shared.schedules.resolve import final_schedule
from shared.store.port import DocumentStore

#: Most weeks a preview covers: the longest range any schedule computation covers.
MAX_WEEKS = limits.WINDOW.days // 7


class PreviewShift(Shift):
    #: True where nobody is on call: a page routed to the schedule then reaches nobody.
    gap: bool


class SchedulePreview(BaseModel):
    """The final schedule the body would produce over [start, end)."""

    start: datetime
    end: datetime
    shifts: list[PreviewShift]
    gaps: int = Field(description="How many of the shifts are gaps.")
    gap_hours: float
    #: On-call hours per user id over the range (overlapping overrides count for each).
    hours: dict[str, float]


def summarize(shifts: list[Shift], start: datetime, end: datetime) -> SchedulePreview:
    """Pure: flag the gaps and add up the hours."""
    flagged = [PreviewShift(**s.model_dump(), gap=s.user is None) for s in shifts]
    hours: dict[str, float] = {}
    gap_hours = 0.0
    for s in flagged:
        length = (s.end - s.start).total_seconds() / 3600
        if s.gap:
            gap_hours += length
            continue
        for user in (s.user or "").split(","):
            hours[user] = hours.get(user, 0.0) + length
    return SchedulePreview(
        start=start,
        end=end,
        shifts=flagged,
        gaps=sum(s.gap for s in flagged),
        gap_hours=round(gap_hours, 4),
        hours={u: round(h, 4) for u, h in sorted(hours.items())},
    )


async def preview(
    *,
    store: DocumentStore,
    principal: Principal,
    body: ScheduleBody,
    start: datetime,
    weeks: int,
    schedule_id: str | None = None,
) -> SchedulePreview:
    """The next ``weeks`` of shifts of ``body`` (an edit of ``schedule_id``, or a new one)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks must be 1..{MAX_WEEKS}.", field="weeks")
    teams = {body.team_id}
    current: Schedule | None = None
    if schedule_id is not None:
        doc = await stored.load_schedule_doc(store, schedule_id)
        if doc is None:
            raise NotFound(f"Schedule {schedule_id!r} does not exist.")
        try:
            current = stored.load(doc)
        except stored.NeedsRepair:
            # Its layers break a newer rule: the edit being previewed is what replaces them.
            current = stored.load({**doc, "layers": []})
        teams.add(current.team_id)
    # The rights a save would need: configuring a schedule shows who it puts on call.
    require(principal, Action.CONFIGURE, teams)
    await require_people(store, layer_people(body.layers))
    await check_references(store, team_id=body.team_id, refs=schedule_refs(body.layers, ()))
    draft = Schedule(
        id=schedule_id or "preview",
        overrides=current.overrides if current else (),
        swaps=current.swaps if current else (),
        **body.model_dump(),
    )
    end = start + timedelta(weeks=weeks)
    shifts = await limits.compute(final_schedule, draft, start, end)
    return summarize(shifts, start, end)


def running_shift(shifts: list[Shift], now: datetime) -> Shift:
    """The shift containing ``now`` in a final schedule computed from ``now``."""
    for s in shifts:
        if s.start <= now < s.end:
            return s
    raise Conflict("No shift is running now.")


async def take_over(
    *,
    store: DocumentStore,
    principal: Principal,
    schedule_id: str,
    now: datetime,
    until: datetime | None,
) -> Override:
    """An override for the caller from ``now`` to the running shift's end (of a gap too: the
    caller covers it), or ``until``."""
    schedule, _ = await stored.load_schedule(store, schedule_id)
    require(principal, Action.CONFIGURE, [schedule.team_id])
    if principal.kind is not PrincipalKind.USER:
        raise InvalidInput("Only a person can take a shift over.", field="principal")
    user_id = principal.id
    if until is not None:
        if until.utcoffset() is None:
            raise InvalidInput("until needs a UTC offset (e.g. Z).", field="until")
        if until <= now:
            raise InvalidInput("until must be in the future.", field="until")
        if until - now > limits.WINDOW:
            raise InvalidInput(
                f"A take-over lasts at most {limits.WINDOW.days} days.", field="until"
            )
    shifts = await limits.compute(final_schedule, schedule, now, now + limits.WINDOW)
    shift = running_shift(shifts, now)
    if shift.user is not None and user_id in shift.user.split(","):
        raise Conflict("You are already on call in this schedule now.")
    # The person on call hands the stretch over: if they hold it through an override, that
    # override gives way there (else both would be on call).
    return await ovr.create_override(
        store=store,
        schedule_id=schedule.id,
        user=user_id,
        start=now,
        end=until or shift.end,
        replacing=frozenset(shift.user.split(",")) if shift.user else frozenset(),
    )
