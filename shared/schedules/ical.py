"""RFC 5545 export of resolved shifts and import of an external calendar's shifts.

UIDs are stable per shift (schedule id + user + UTC start) so a calendar client that
re-subscribes updates events in place instead of duplicating them. Times are written in UTC.
Import reads single VEVENTs only: recurring events (RRULE) are rejected with a clear error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

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


def import_shifts(data: bytes, *, user_for: Callable[[str], str | None]) -> list[Shift]:
    """Shifts from an iCalendar file; ``user_for`` maps an ATTENDEE email or SUMMARY to a user."""
    try:
        cal = Calendar.from_ical(data)
    except ValueError as exc:
        raise InvalidSchedule(f"not an iCalendar file: {exc}", field="calendar") from exc
    out: list[Shift] = []
    for ev in cal.walk("VEVENT"):
        if ev.get("rrule") is not None:
            raise InvalidSchedule("recurring events are not supported", field="RRULE")
        start = _utc(ev.decoded("dtstart", None), "DTSTART")
        end = _utc(ev.decoded("dtend", None), "DTEND")
        attendee = ev.get("attendee")
        raw = str(attendee[0] if isinstance(attendee, list) else attendee or "")
        key = raw.removeprefix("mailto:").removeprefix("MAILTO:") or str(ev.get("summary", ""))
        user = user_for(key)
        if user is not None and end > start:
            out.append(Shift(user=user, start=start, end=end, source="ical"))
    return sorted(out, key=lambda s: s.start)
