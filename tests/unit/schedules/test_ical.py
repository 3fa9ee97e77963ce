"""iCal export/import: stable UIDs, UTC times, round-trip of resolved shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from shared.schedules.ical import export_shifts, import_shifts
from shared.schedules.models import InvalidSchedule, Layer, Override, Schedule
from shared.schedules.resolve import final_schedule

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _schedule(overrides: tuple[Override, ...] = ()) -> Schedule:
    layer = Layer.model_validate(
        {"name": "L", "participants": ["a", "b"], "start": "2026-01-01T09:00", "frequency": "daily"}
    )
    return Schedule(
        id="s",
        name="Ops",
        team_id="t",
        time_zone="Europe/Berlin",
        layers=(layer,),
        overrides=overrides,
    )


def test_export_fields() -> None:
    s = _schedule()
    shifts = final_schedule(s, datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC))
    cal = Calendar.from_ical(export_shifts(s, shifts, now=NOW))
    assert str(cal["x-wr-calname"]) == "Ops"
    events = list(cal.walk("VEVENT"))
    # 2026-01-02 09:00 CET = 08:00Z handoff splits the day into two shifts.
    assert [str(e["summary"]) for e in events] == ["a on call: Ops", "b on call: Ops"]
    assert events[0].decoded("dtend") == datetime(2026, 1, 2, 8, tzinfo=UTC)
    again = Calendar.from_ical(export_shifts(s, shifts, now=NOW + timedelta(days=1)))
    assert [e["uid"] for e in again.walk("VEVENT")] == [e["uid"] for e in events]


def test_import_rejects_garbage() -> None:
    with pytest.raises(InvalidSchedule):
        import_shifts(b"not a calendar", user_for=lambda k: k)


def test_import_expands_recurring_events_with_exdates() -> None:
    # 00:00-08:00 UTC every day from Jan 1, except Jan 2; window Jan 1 - Jan 4.
    rec = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART:20260101T000000Z\r\nDTEND:20260101T080000Z\r\nRRULE:FREQ=DAILY\r\n"
        b"EXDATE:20260102T000000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    got = import_shifts(
        rec,
        user_for=lambda k: k,
        window_start=datetime(2026, 1, 1, tzinfo=UTC),
        window_end=datetime(2026, 1, 4, tzinfo=UTC),
    )
    assert [(s.user, s.start.day, s.end.hour) for s in got] == [("x", 1, 8), ("x", 3, 8)]


def test_import_maps_attendee_email() -> None:
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART:20260101T000000Z\r\nDTEND:20260101T080000Z\r\n"
        b"ATTENDEE:mailto:ann@example.com\r\nSUMMARY:whatever\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    got = import_shifts(ics, user_for={"ann@example.com": "u-ann"}.get)
    assert [(s.user, s.start, s.end) for s in got] == [
        ("u-ann", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 8, tzinfo=UTC))
    ]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 600)), max_size=5))
def test_export_import_round_trips(spans: list[tuple[int, int]]) -> None:
    base = datetime(2026, 3, 25, tzinfo=UTC)
    ovs = tuple(
        Override(user="o", start=base + timedelta(minutes=m), end=base + timedelta(minutes=m + d))
        for m, d in spans
    )
    s = _schedule(ovs)
    shifts = [x for x in final_schedule(s, base, base + timedelta(days=3)) if x.user]
    back = import_shifts(export_shifts(s, shifts, now=NOW), user_for=lambda k: k.split(" ")[0])
    assert [(x.user, x.start, x.end) for x in back] == [(x.user, x.start, x.end) for x in shifts]
