"""RFC 5545 export of resolved shifts and import of an external calendar's events.

Export: one event per person and shift. UIDs are stable (schedule id + user + UTC start), so a
calendar client that re-subscribes updates events in place. Each event names the person the way
people and other calendars read it (SUMMARY: display name; ATTENDEE: e-mail) and carries our
ids in ``X-OPENALERT-*`` properties, so importing our own export finds the same people again.

Import: recurring events are expanded in the event's own zone (its TZID, from a VTIMEZONE or
the IANA database), as RFC 5545 §3.8.5 requires: a weekly 10:00 New York event stays at 10:00
local across the DST change, and a local-time EXDATE removes the occurrence it names. Local
times are converted like rotation handoffs (``fold=0``: a missing time moves forward by the
gap, a repeated one is its first occurrence). All-day events are whole local days in the
calendar's zone, or skipped when asked. Expansion stops at the window's end and at
``limits.MAX_IMPORT_EVENTS`` occurrences; each event gets a report line, so one odd event never
refuses the calendar.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar
from pydantic import BaseModel

from shared.schedules import limits, rrules
from shared.schedules.models import InvalidSchedule, Schedule, Shift

X_USER = "X-OPENALERT-USER-ID"
X_SCHEDULE = "X-OPENALERT-SCHEDULE-ID"
#: "override", or the layer whose rotation made the shift.
X_SOURCE = "X-OPENALERT-SOURCE"


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None = None


def _uid(schedule_id: str, user: str, start: datetime) -> str:
    key = f"{schedule_id}|{user}|{start.astimezone(UTC).isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@openalert"


def _text(value: str) -> str:
    """An RFC 5545 TEXT value (§3.3.11); other control characters are dropped."""
    if not value.isprintable():
        value = "".join(c for c in value if c.isprintable() or c == "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value: quoted, since names hold spaces, commas and colons (§3.2)."""
    return '"' + "".join(c for c in value if c != '"' and c.isprintable()) + '"'


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a leading space, never inside a character."""
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    start, room = 0, 75
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # back off to the start of a UTF-8 character
        parts.append(data[start:end].decode())
        start, room = end, 74
    return "\r\n ".join(parts) + "\r\n"


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def export_shifts(
    schedule: Schedule,
    shifts: Sequence[Shift],
    *,
    now: datetime,
    calname: str | None = None,
    people: Mapping[str, Person] | None = None,
) -> bytes:
    """Gaps (``user`` None) are left out: a calendar shows who is on call, not who is not.
    ``people`` names users; a user missing from it is shown by id."""
    return export_calendar(calname or schedule.name, [(schedule, shifts)], now=now, people=people)


def export_calendar(
    calname: str,
    parts: Sequence[tuple[Schedule, Sequence[Shift]]],
    *,
    now: datetime,
    people: Mapping[str, Person] | None = None,
) -> bytes:
    """One calendar of several schedules' shifts (a person's calendar), each event naming its
    schedule.

    Written directly rather than through ``icalendar``'s component tree, which took most of a
    calendar poll's time (hundreds of events, each property an object)."""
    known = people or {}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OpenAlert//schedules//EN",
        f"X-WR-CALNAME:{_text(calname)}",
    ]
    stamp = _stamp(now)
    for schedule, shifts in parts:
        for shift in shifts:
            for user in shift.user.split(",") if shift.user else ():
                person = known.get(user, Person(name=user))
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:{_uid(schedule.id, user, shift.start)}",
                    f"DTSTAMP:{stamp}",
                    f"DTSTART:{_stamp(shift.start)}",
                    f"DTEND:{_stamp(shift.end)}",
                    f"SUMMARY:{_text(f'{person.name} on call: {schedule.name}')}",
                ]
                if person.email:
                    lines.append(f"ATTENDEE;CN={_param(person.name)}:mailto:{person.email}")
                lines += [
                    f"{X_USER}:{_text(user)}",
                    f"{X_SCHEDULE}:{_text(schedule.id)}",
                    f"{X_SOURCE}:{_text(shift.source or '')}",
                    "END:VEVENT",
                ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) for line in lines).encode()


# --- import ---------------------------------------------------------------------------------
class EventReport(BaseModel):
    """What an import did with one calendar event."""

    uid: str
    summary: str
    outcome: Literal["imported", "merged", "skipped"]
    #: Why it was skipped (or merged), in words.
    reason: str | None = None
    #: Overrides it made (imported) or matched (merged) in the window.
    occurrences: int = 0


@dataclass
class Occurrence:
    start: datetime
    end: datetime


@dataclass
class ParsedEvent:
    uid: str
    summary: str
    #: Ways the event names its person, best first: our user id, ATTENDEE e-mail, SUMMARY.
    keys: list[str]
    #: The schedule and source our own export wrote, if the event came from it.
    schedule_id: str | None
    source: str | None
    occurrences: list[Occurrence] = field(default_factory=list)
    #: Set when the event is skipped before any person is looked up.
    skipped: str | None = None


def _local(value: datetime, zone: tzinfo) -> datetime:
    """A date-time as naive wall-clock time in ``zone`` (floating times already are)."""
    if value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(zone).replace(tzinfo=None)


def _aware(local: datetime, zone: tzinfo) -> datetime:
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _keys(ev: Any) -> list[str]:
    keys: list[str] = []
    ours = ev.get(X_USER)
    if ours:
        keys.append(str(ours))
    attendees = ev.get("attendee")
    for a in attendees if isinstance(attendees, list) else [attendees] if attendees else []:
        mail = str(a)
        if mail.lower().startswith("mailto:"):
            keys.append(mail[7:])
        elif mail:
            keys.append(mail)
    summary = str(ev.get("summary", "")).strip()
    if summary:
        keys.append(summary)
        head = summary.split(" on call", 1)[0].strip()
        if head and head != summary:
            keys.append(head)
    return keys


class _Skip(Exception):
    pass


def _times(ev: Any, zone: tzinfo, all_day: Literal["import", "skip"]) -> tuple[Any, Any, tzinfo]:
    """(start, end, the zone its local times are in); dates stay dates."""
    try:
        start = ev.decoded("dtstart", None)
        end = ev.decoded("dtend", None)
        duration = ev.decoded("duration", None)
    except (ValueError, TypeError, KeyError) as exc:
        raise _Skip(f"DTSTART/DTEND cannot be read: {exc}") from None
    if not isinstance(start, date):
        raise _Skip("no DTSTART")
    is_day = not isinstance(start, datetime)
    if is_day and all_day == "skip":
        raise _Skip("an all-day event (skipped as asked)")
    if end is None and isinstance(duration, timedelta):
        end = start + duration
    if end is None:
        end = start + timedelta(days=1) if is_day else start
    if isinstance(end, datetime) != isinstance(start, datetime):
        raise _Skip("DTSTART and DTEND are not both dates or both date-times")
    own = start.tzinfo if isinstance(start, datetime) and start.tzinfo is not None else zone
    return start, end, own


def _exdates(ev: Any, own: tzinfo) -> tuple[set[datetime], set[date]]:
    times: set[datetime] = set()
    days: set[date] = set()
    value = ev.get("exdate")
    groups = value if isinstance(value, list) else [value] if value is not None else []
    for g in groups:
        for d in getattr(g, "dts", ()):
            dt = d.dt
            if isinstance(dt, datetime):
                times.add(_local(dt, own))
            elif isinstance(dt, date):
                days.add(dt)
            else:
                raise _Skip("EXDATE is not a date or date-time")
    return times, days


def _rdates(ev: Any, own: tzinfo) -> list[datetime]:
    """RDATE instances as local times (a date is its midnight; a PERIOD its start)."""
    value = ev.get("rdate")
    groups = value if isinstance(value, list) else [value] if value is not None else []
    out: list[datetime] = []
    for g in groups:
        for d in getattr(g, "dts", ()):
            dt = d.dt[0] if isinstance(d.dt, tuple) else d.dt
            if isinstance(dt, datetime):
                out.append(_local(dt, own))
            elif isinstance(dt, date):
                out.append(datetime.combine(dt, datetime.min.time()))
            else:
                raise _Skip("RDATE is not a date, date-time or period")
    return sorted(out)


def _rule_text(ev: Any, own: tzinfo) -> str | None:
    rule = ev.get("rrule")
    if rule is None:
        return None
    if isinstance(rule, list):
        raise _Skip("more than one RRULE")
    parts = dict(rule)
    # dateutil wants UNTIL in the same form as DTSTART, which is expanded as local time.
    until = parts.get("UNTIL")
    if until:
        u = until[0]
        parts["UNTIL"] = [_local(u, own) if isinstance(u, datetime) else u]
    text = type(rule)(parts).to_ical().decode()
    return str(text)


def _expand(
    ev: Any, *, zone: tzinfo, all_day: Literal["import", "skip"], lo: datetime, hi: datetime
) -> Iterator[Occurrence]:
    start, end, own = _times(ev, zone, all_day)
    if isinstance(start, datetime):
        local_start, local_end = _local(start, own), _local(end, own)
    else:
        local_start = datetime.combine(start, datetime.min.time())
        local_end = datetime.combine(end, datetime.min.time())
    length = local_end - local_start
    if length < limits.MIN_SHIFT:
        raise _Skip(f"shorter than {int(limits.MIN_SHIFT.total_seconds() // 60)} minutes")
    times, days = _exdates(ev, own)
    text = _rule_text(ev, own)
    if text is None:
        starts: Iterator[datetime] = iter([local_start])
    else:
        try:
            rule = rrules.parse(text, local_start)
        except ValueError as exc:
            raise _Skip(f"RRULE: {exc}") from None
        # DTSTART is always the first instance, even when the rule would not produce it.
        starts = itertools.chain([local_start], (d for d in rule if d != local_start))
    previous: datetime | None = None
    for local in heapq.merge(starts, _rdates(ev, own)):
        limits.check()
        if local == previous:
            continue  # an RDATE the rule also produces is one occurrence
        previous = local
        first = _aware(local, own)
        if first >= hi:
            return
        if local in times or local.date() in days:
            continue
        last = _aware(local + length, own)
        # A spring-forward gap can swallow a short occurrence whole; it has no time to cover.
        if last > lo and last > first:
            yield Occurrence(first, last)


def parse_calendar(
    data: bytes,
    *,
    zone: str,
    window_start: datetime,
    window_end: datetime,
    all_day: Literal["import", "skip"] = "import",
) -> list[ParsedEvent]:
    """Every VEVENT with its occurrences overlapping [window_start, window_end).

    ``zone`` is the zone of floating times and all-day events (``X-WR-TIMEZONE`` wins when it
    names an IANA zone). More than ``limits.MAX_IMPORT_EVENTS`` occurrences refuses the file.
    """
    try:
        cal = Calendar.from_ical(data)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InvalidSchedule(f"not an iCalendar file: {exc}", field="calendar") from exc
    tz: tzinfo = ZoneInfo(zone)
    declared = str(cal.get("x-wr-timezone", "") or "")
    if declared:
        try:
            tz = ZoneInfo(declared)
        except (ValueError, KeyError):
            pass
    total = 0
    out: list[ParsedEvent] = []
    for ev in cal.walk("VEVENT"):
        parsed = ParsedEvent(
            uid=str(ev.get("uid", "")),
            summary=str(ev.get("summary", "")),
            keys=_keys(ev),
            schedule_id=str(ev[X_SCHEDULE]) if X_SCHEDULE in ev else None,
            source=str(ev[X_SOURCE]) if X_SOURCE in ev else None,
        )
        out.append(parsed)
        try:
            for occurrence in _expand(ev, zone=tz, all_day=all_day, lo=window_start, hi=window_end):
                total += 1
                if total > limits.MAX_IMPORT_EVENTS:
                    raise InvalidSchedule(
                        f"The calendar has more than {limits.MAX_IMPORT_EVENTS} events in the "
                        "import window; import fewer days.",
                        field="days",
                    )
                parsed.occurrences.append(occurrence)
        except _Skip as why:
            parsed.occurrences.clear()
            parsed.skipped = str(why)
        except (ValueError, TypeError, OverflowError) as exc:
            parsed.occurrences.clear()
            parsed.skipped = f"cannot be read: {exc}"
    return out
