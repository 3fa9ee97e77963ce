"""Overrides as their own resource: create, list by range, delete; and calendar import.

Every path that adds overrides (the API, an accepted swap, a calendar import) goes through
:func:`with_overrides`, so the :data:`~shared.schedules.limits.MAX_OVERRIDES` limit holds on
each with an error that says which path hit it. An edit of the layers (PUT of the schedule)
never carries overrides, so it can neither wipe them nor be refused because of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal, TypeVar

from pydantic import BaseModel

from shared.auth.documents import user_exists, user_id_by_email
from shared.catalog.references import Ref, check_references, refusal
from shared.errors import Conflict, NotFound
from shared.schedules import limits, stored
from shared.schedules.ical import EventReport, ParsedEvent, parse_calendar
from shared.schedules.models import InvalidSchedule, Override, Schedule
from shared.schedules.people import require_people
from shared.store.port import DocumentStore, PreconditionFailed
from shared.store.retry import RETRY, Retry, optimistic

T = TypeVar("T")


class TooManyOverrides(InvalidSchedule):
    type_slug = "too-many-overrides"
    title = "Too many overrides"


def with_overrides(
    schedule: Schedule, kept: tuple[Override, ...], added: tuple[Override, ...], *, path: str
) -> Schedule:
    """The schedule with ``kept + added`` as its overrides, if that stays within the limit."""
    total = len(kept) + len(added)
    if added and total > limits.MAX_OVERRIDES:
        raise TooManyOverrides(
            f"{path} would leave the schedule with {total} overrides; a schedule holds at most "
            f"{limits.MAX_OVERRIDES}. Delete past or unneeded overrides first.",
            path=path,
            limit=limits.MAX_OVERRIDES,
        )
    return schedule.model_copy(update={"overrides": kept + added})


async def change(
    store: DocumentStore, schedule_id: str, edit: Callable[[Schedule], tuple[Schedule, T]]
) -> T:
    """Read, edit, write with the ETag; a concurrent writer makes it re-read (5 tries)."""

    async def attempt(_: int) -> T | Retry:
        schedule, etag = await stored.load_schedule(store, schedule_id)
        new, answer = edit(schedule)
        if new is schedule:
            return answer
        try:
            await stored.save_schedule(store, new, etag=etag)
        except PreconditionFailed:
            return RETRY
        return answer

    return await optimistic(
        attempt,
        attempts=5,
        exhausted=lambda: Conflict("The schedule is changing too fast; try again."),
    )


def _check_length(start: datetime, end: datetime) -> None:
    if end - start < limits.MIN_SHIFT:
        minutes = int(limits.MIN_SHIFT.total_seconds() // 60)
        raise InvalidSchedule(f"An override lasts at least {minutes} minutes.", field="end")


async def create_override(
    *,
    store: DocumentStore,
    schedule_id: str,
    user: str,
    start: datetime,
    end: datetime,
    replacing: frozenset[str] = frozenset(),
) -> Override:
    """``replacing``: people whose overrides give way over [start, end) (a take-over: the
    person on call through an override hands that stretch over; overlapping overrides would
    otherwise put both on call). Their overrides keep what lies outside, in the same write."""
    _check_length(start, end)
    await require_people(store, [("user", user)])
    schedule, _ = await stored.load_schedule(store, schedule_id)
    await check_references(store, team_id=schedule.team_id, refs=[Ref("user", user, "user")])
    made = Override(id=f"ovr-{secrets.token_hex(6)}", user=user, start=start, end=end)

    def add(schedule: Schedule) -> tuple[Schedule, Override]:
        kept = tuple(
            part
            for o in schedule.overrides
            for part in (
                _outside(o, start, end)
                if o.user in replacing and o.start < end and o.end > start
                else (o,)
            )
        )
        return with_overrides(schedule, kept, (made,), path="API"), made

    return await change(store, schedule_id, add)


def _outside(o: Override, start: datetime, end: datetime) -> tuple[Override, ...]:
    """What is left of ``o`` before ``start`` and after ``end`` (the part after gets an id of
    its own, so both stay deletable one by one); a piece shorter than an override may be
    (15 minutes) is dropped, as one could not be made."""
    before = (o.model_copy(update={"end": start}),) if start - o.start >= limits.MIN_SHIFT else ()
    after = (
        (o.model_copy(update={"id": f"ovr-{secrets.token_hex(6)}", "start": end}),)
        if o.end - end >= limits.MIN_SHIFT
        else ()
    )
    return before + after


def in_range(schedule: Schedule, start: datetime, end: datetime) -> list[Override]:
    """Overrides overlapping [start, end), by start."""
    return sorted(
        (o for o in schedule.overrides if o.start < end and o.end > start),
        key=lambda o: (o.start, o.id),
    )


async def delete_override(*, store: DocumentStore, schedule_id: str, override_id: str) -> None:
    def drop(schedule: Schedule) -> tuple[Schedule, None]:
        kept = tuple(o for o in schedule.overrides if o.id != override_id)
        if len(kept) == len(schedule.overrides):
            raise NotFound(f"Override {override_id!r} does not exist.")
        return schedule.model_copy(update={"overrides": kept}), None

    await change(store, schedule_id, drop)


# --- calendar import ---------------------------------------------------------------------------
class ImportResult(BaseModel):
    imported: int
    merged: int
    skipped: int
    events: list[EventReport]
    #: The overrides the import adds (with ``dry_run``: would add).
    created: list[Override] = []


async def _user_for(
    store: DocumentStore, keys: list[str], cache: dict[str, str | None]
) -> str | None:
    for key in keys:
        if key not in cache:
            found = await user_id_by_email(store, key)
            if found is None and await user_exists(store, key):
                found = key
            cache[key] = found
        if cache[key] is not None:
            return cache[key]
    return None


async def import_calendar(
    *,
    store: DocumentStore,
    schedule_id: str,
    ics: bytes,
    now: datetime,
    days: int = 90,
    all_day: Literal["import", "skip"] = "import",
    dry_run: bool = False,
) -> ImportResult:
    """Import the next ``days`` of an external calendar as overrides (source "ical"); a
    re-import replaces the earlier imported ones in that window. An event names its person by
    our user id (``X-OPENALERT-USER-ID``), ATTENDEE e-mail, or SUMMARY (e-mail or user id).
    An event the same as an existing override is merged into it, not added twice; rotation
    shifts of this very schedule (from its own export) are skipped. ``dry_run``: the same
    answer, computed on the stored schedule, and nothing written."""
    end = now + timedelta(days=days)
    schedule, _ = await stored.load_schedule(store, schedule_id)
    events = await limits.compute(
        parse_calendar,
        ics,
        zone=schedule.time_zone,
        window_start=now,
        window_end=end,
        all_day=all_day,
    )
    cache: dict[str, str | None] = {}
    people = [await _user_for(store, ev.keys, cache) for ev in events]
    # People the directory knows must still be the schedule's team's own members: an event
    # naming anyone else is skipped with the reason, not imported.
    refused: dict[str, str] = {}
    for n, user in enumerate(people):
        if user is not None and user not in refused:
            why = await refusal(store, schedule.team_id, Ref("user", user, f"ics.events.{n}"))
            if why is not None:
                refused[user] = why

    def apply(schedule: Schedule) -> tuple[Schedule, ImportResult]:
        kept = tuple(
            o
            for o in schedule.overrides
            if not (o.source == "ical" and o.end > now and o.start < end)
        )
        existing = {(o.user, o.start, o.end) for o in kept}
        added: list[Override] = []
        reports = [
            _report(ev, user, refused.get(user or ""), schedule, existing, added, now, end)
            for ev, user in zip(events, people, strict=True)
        ]
        result = ImportResult(
            imported=sum(r.outcome == "imported" for r in reports),
            merged=sum(r.outcome == "merged" for r in reports),
            skipped=sum(r.outcome == "skipped" for r in reports),
            events=reports,
            created=added,
        )
        return with_overrides(schedule, kept, tuple(added), path="Calendar import"), result

    if dry_run:
        return apply(schedule)[1]
    return await change(store, schedule_id, apply)


def _report(
    ev: ParsedEvent,
    user: str | None,
    refused: str | None,
    schedule: Schedule,
    existing: set[tuple[str, datetime, datetime]],
    added: list[Override],
    now: datetime,
    end: datetime,
) -> EventReport:
    def line(
        outcome: Literal["imported", "merged", "skipped"], reason: str | None, n: int = 0
    ) -> EventReport:
        return EventReport(
            uid=ev.uid, summary=ev.summary, outcome=outcome, reason=reason, occurrences=n
        )

    if ev.skipped:
        return line("skipped", ev.skipped)
    if ev.schedule_id == schedule.id and ev.source not in (None, "", "override"):
        return line("skipped", "a rotation shift of this schedule, which it already has")
    if user is None:
        named = ", ".join(repr(k) for k in ev.keys) or "nobody"
        return line("skipped", f"no known user matches {named}")
    if not ev.occurrences:
        return line("skipped", "no occurrence in the import window")
    if refused is not None:
        return line("skipped", f"{refused}; a schedule names only its own team's members")
    new = merged = 0
    for occ in ev.occurrences:
        start, stop = max(occ.start, now), min(occ.end, end)
        if (user, start, stop) in existing:
            merged += 1
            continue
        existing.add((user, start, stop))
        added.append(Override(user=user, start=start, end=stop, source="ical"))
        new += 1
    if new:
        return line("imported", None, new)
    return line("merged", "the same override already exists", merged)
