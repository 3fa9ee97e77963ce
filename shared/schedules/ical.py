"""RFC 5545 export of resolved shifts and import of an external calendar's shifts.

UIDs are stable per shift (schedule id + user + UTC start) so a calendar client that
re-subscribes updates events in place instead of duplicating them. Times are written in UTC.
Import expands recurring events (RRULE, EXDATE) inside a bounded window.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from shared.schedules.models import InvalidSchedule, Schedule, Shift


def _uid(schedule_id: str, shift: Shift) -> str:
    key = f"{schedule_id}|{shift.user}|{shift.start.astimezone(UTC).isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@openalert"


def export_shifts(
    schedule: Schedule, shifts: Sequence[Shift], *, now: datetime, calname: str | None = None
) -> bytes:
    """Gaps (``user`` None) are left out: a calendar shows who is on call, not who is not."""
    cal = Calendar()
    cal.add("prodid", "-//OpenAlert//schedules//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", calname or schedule.name)
    for shift in shifts:
        if shift.user is None:
            continue
        ev = Event()
        ev.add("uid", _uid(schedule.id, shift))
        ev.add("dtstamp", now.astimezone(UTC))
        ev.add("dtstart", shift.start.astimezone(UTC))
        ev.add("dtend", shift.end.astimezone(UTC))
        ev.add("summary", f"{shift.user} on call: {schedule.name}")
        cal.add_component(ev)
    return bytes(cal.to_ical())


def _utc(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise InvalidSchedule(f"{field} must carry a time zone or be UTC", field=field)
        return value.astimezone(UTC)
    if isinstance(value, date):
        raise InvalidSchedule(f"{field}: all-day events are not shifts", field=field)
    raise InvalidSchedule(f"{field} is missing or not a date-time", field=field)


def import_shifts(
    data: bytes,
    *,
    user_for: Callable[[str], str | None],
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> list[Shift]:
    """Shifts from an iCalendar file; ``user_for`` maps an ATTENDEE email or SUMMARY to a user.

    Recurring events (RRULE, with EXDATE) are expanded inside [window_start, window_end)
    (default: the next 90 days from the earliest event); a recurring event without a window end
    would be infinite.
    """
    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise InvalidSchedule(f"not an iCalendar file: {exc}", field="calendar") from exc
    events = list(cal.walk("VEVENT"))
    starts = [_utc(ev.decoded("dtstart", None), "DTSTART") for ev in events]
    lo = window_start or (min(starts) if starts else datetime.now(UTC))
    hi = window_end or lo + timedelta(days=90)
    out: list[Shift] = []
    for ev, start in zip(events, starts, strict=True):
        end = _utc(ev.decoded("dtend", None), "DTEND")
        attendee = ev.get("attendee")
        raw = str(attendee[0] if isinstance(attendee, list) else attendee or "")
        key = raw.removeprefix("mailto:").removeprefix("MAILTO:") or str(ev.get("summary", ""))
        user = user_for(key)
        if user is None or end <= start:
            continue
        length = end - start
        rule = ev.get("rrule")
        if rule is None:
            occurrences = [start]
        else:
            try:
                expanded = rrulestr(rule.to_ical().decode(), dtstart=start)
            except (ValueError, TypeError) as exc:
                raise InvalidSchedule(f"RRULE is not valid: {exc}", field="RRULE") from exc
            excluded = {_utc(d.dt, "EXDATE") for d in _exdates(ev)}
            occurrences = [
                o.astimezone(UTC)
                for o in expanded.between(lo - length, hi, inc=True)
                if o.astimezone(UTC) not in excluded
            ]
        out.extend(
            Shift(user=user, start=o, end=o + length, source="ical")
            for o in occurrences
            if o + length > lo and o < hi
        )
    return sorted(out, key=lambda s: s.start)


def _exdates(ev: Any) -> list[Any]:
    value = ev.get("exdate")
    if value is None:
        return []
    groups = value if isinstance(value, list) else [value]
    return [d for g in groups for d in g.dts]
