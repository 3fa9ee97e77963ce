"""Who-is-on-call: hand-computed cases (DST, restrictions, overrides) and properties."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.schedules.models import (
    Frequency,
    InvalidSchedule,
    Layer,
    Override,
    Restriction,
    Schedule,
)
from shared.schedules.resolve import coverage, final_schedule, next_shifts, on_call


def z(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def daily(start: str, people: str = "abc", **kw: object) -> Layer:
    fields: dict[str, object] = {"name": "L", "frequency": "daily", **kw}
    return Layer.model_validate({**fields, "participants": tuple(people), "start": start})


def sched(tzname: str, *layers: Layer, overrides: tuple[Override, ...] = ()) -> Schedule:
    return Schedule(
        id="s1", name="S", team_id="t", time_zone=tzname, layers=layers, overrides=overrides
    )


CASES = [
    # New York spring-forward 2026-03-08: 09:00 EST = 14:00Z, next 09:00 EDT = 13:00Z (23 h).
    ("America/New_York", "2026-03-07T09:00", "2026-03-08T12:59", "a"),
    ("America/New_York", "2026-03-07T09:00", "2026-03-08T13:00", "b"),
    # New York fall-back 2026-11-01: 09:00 EST = 14:00Z, so 13:30Z is still the 25 h first shift.
    ("America/New_York", "2026-10-31T09:00", "2026-11-01T13:30", "a"),
    ("America/New_York", "2026-10-31T09:00", "2026-11-01T14:00", "b"),
    # Berlin 2026-03-29 02:30 does not exist: offset before the gap (+01) -> 01:30Z.
    ("Europe/Berlin", "2026-03-28T02:30", "2026-03-29T01:29", "a"),
    ("Europe/Berlin", "2026-03-28T02:30", "2026-03-29T01:30", "b"),
    # Sydney 2026-04-05 02:30 happens twice: first occurrence (+11) -> 2026-04-04 15:30Z.
    ("Australia/Sydney", "2026-04-04T02:30", "2026-04-04T15:29", "a"),
    ("Australia/Sydney", "2026-04-04T02:30", "2026-04-04T15:30", "b"),
    # Sydney spring-forward 2026-10-04 02:30 missing: offset +10 -> 2026-10-03 16:30Z.
    ("Australia/Sydney", "2026-10-03T02:30", "2026-10-03T16:29", "a"),
    ("Australia/Sydney", "2026-10-03T02:30", "2026-10-03T16:30", "b"),
    # Plain UTC: third day is c, fourth wraps to a; before the start nobody.
    ("UTC", "2026-01-01T00:00", "2026-01-03T23:59", "c"),
    ("UTC", "2026-01-01T00:00", "2026-01-04T00:00", "a"),
    ("UTC", "2026-01-01T00:00", "2025-12-31T23:59", None),
]


@pytest.mark.parametrize(("zone", "start", "at", "expected"), CASES)
def test_daily_handoff_is_local_wall_clock(
    zone: str, start: str, at: str, expected: str | None
) -> None:
    got = on_call(sched(zone, daily(start)), z(at))
    assert got.users == ((expected,) if expected else ())


def test_weekly_and_hourly_intervals() -> None:
    weekly = daily("2026-01-05T09:00", "ab", frequency=Frequency.WEEKLY, interval=2)
    assert on_call(sched("UTC", weekly), z("2026-01-19T08:59")).users == ("a",)
    assert on_call(sched("UTC", weekly), z("2026-01-19T09:00")).users == ("b",)
    hourly = daily("2026-03-08T00:00", "abc", frequency=Frequency.HOURLY, interval=8)
    # Hourly counts real hours: 00:00 EST = 05:00Z, so +16 h = 21:00Z is c despite the DST jump.
    assert on_call(sched("America/New_York", hourly), z("2026-03-08T21:00")).users == ("c",)


def test_restriction_gap_lets_lower_layer_show_through() -> None:
    base = daily("2026-01-01T00:00", "x", name="base")
    office = daily(
        "2026-01-05T09:00",
        "ab",
        name="office",
        frequency=Frequency.WEEKLY,
        restrictions=(Restriction(weekdays=frozenset(range(5)), start=time(9), end=time(17)),),
    )
    s = sched("Europe/Berlin", base, office)
    # Tue 2026-01-06 10:00 CET = 09:00Z: office hours.
    assert on_call(s, z("2026-01-06T09:00")).source == "office"
    # Same day 17:00 CET = 16:00Z: restriction ends, base shows through.
    assert on_call(s, z("2026-01-06T16:00")).users == ("x",)
    # Saturday: base.
    assert on_call(s, z("2026-01-10T10:00")).source == "base"


def test_overnight_restriction_belongs_to_previous_day() -> None:
    night = daily(
        "2026-01-05T00:00",
        "n",
        frequency=Frequency.WEEKLY,
        restrictions=(Restriction(weekdays=frozenset({4}), start=time(22), end=time(6)),),
    )
    s = sched("UTC", night)
    assert on_call(s, z("2026-01-09T23:00")).users == ("n",)  # Friday night
    assert on_call(s, z("2026-01-10T05:59")).users == ("n",)  # early Saturday
    assert on_call(s, z("2026-01-10T06:00")).users == ()
    assert on_call(s, z("2026-01-08T23:00")).users == ()  # Thursday night


def test_override_across_layer_boundary_and_final_schedule() -> None:
    ov = Override(user="o", start=z("2026-01-01T20:00"), end=z("2026-01-02T04:00"))
    s = sched("UTC", daily("2026-01-01T00:00", "ab"), overrides=(ov,))
    shifts = final_schedule(s, z("2026-01-01T00:00"), z("2026-01-03T00:00"))
    assert [(x.user, x.start, x.end, x.source) for x in shifts] == [
        ("a", z("2026-01-01T00:00"), z("2026-01-01T20:00"), "L"),
        ("o", z("2026-01-01T20:00"), z("2026-01-02T04:00"), "override"),
        ("b", z("2026-01-02T04:00"), z("2026-01-03T00:00"), "L"),
    ]


def test_query_from_another_zone_is_the_same_instant() -> None:
    s = sched("America/New_York", daily("2026-03-07T09:00"))
    tokyo = timezone(timedelta(hours=9))
    assert on_call(s, datetime(2026, 3, 8, 22, 0, tzinfo=tokyo)).users == ("b",)


def test_participant_removed_mid_rotation_keeps_history() -> None:
    cut = z("2026-01-03T00:00")
    old = daily("2026-01-01T00:00", "abc", name="v1", effective_until=cut)
    new = daily("2026-01-03T00:00", "ac", name="v2", effective_from=cut)
    s = sched("UTC", old, new)
    got = [on_call(s, z(f"2026-01-0{d}T12:00")).users for d in range(1, 7)]
    assert got == [("a",), ("b",), ("a",), ("c",), ("a",), ("c",)]


def test_gaps_and_hours() -> None:
    s = sched("UTC", daily("2026-01-02T00:00", "ab", effective_until=z("2026-01-04T00:00")))
    gaps, hours = coverage(s, z("2026-01-01T00:00"), z("2026-01-05T00:00"))
    assert [(g.start, g.end) for g in gaps] == [
        (z("2026-01-01T00:00"), z("2026-01-02T00:00")),
        (z("2026-01-04T00:00"), z("2026-01-05T00:00")),
    ]
    assert hours == {"a": 24.0, "b": 24.0}


def test_next_shifts_across_schedules() -> None:
    s1 = sched("UTC", daily("2026-01-01T00:00", "ab"))
    s2 = s1.model_copy(update={"id": "s2", "layers": (daily("2026-01-01T12:00", "ba"),)})
    got = next_shifts("a", z("2026-01-01T06:00"), 3, [s1, s2])
    assert [(sid, sh.start) for sid, sh in got] == [
        ("s1", z("2026-01-01T06:00")),
        ("s2", z("2026-01-02T12:00")),
        ("s1", z("2026-01-03T00:00")),
    ]


def test_bad_input_is_invalid_input() -> None:
    with pytest.raises(ValueError, match="IANA"):
        sched("Mars/Olympus")
    with pytest.raises(InvalidSchedule, match="UTC offset"):
        on_call(sched("UTC"), datetime(2026, 1, 1))
    with pytest.raises(InvalidSchedule, match="after start"):
        final_schedule(sched("UTC"), z("2026-01-02T00:00"), z("2026-01-01T00:00"))


ZONES = st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney"])


def _first(rule: str, after: datetime) -> datetime:
    """The rule's first occurrence after ``after``: a valid layer start for it."""
    from dateutil.rrule import rrulestr

    first = rrulestr(rule, dtstart=after.replace(hour=0, minute=0)).after(after)
    assert first is not None
    return first


@st.composite
def schedules(draw: st.DrawFn) -> tuple[Schedule, datetime]:
    base = z("2026-03-28T00:00") + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
    layers = []
    for i in range(draw(st.integers(1, 3))):
        freq = draw(st.sampled_from(list(Frequency)))
        rule = None
        if freq is Frequency.RRULE:
            # Handoffs at 09:00 and 21:00 on chosen weekdays (irregular shift lengths).
            days = draw(
                st.lists(
                    st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
                    min_size=1,
                    max_size=7,
                    unique=True,
                )
            )
            rule = f"FREQ=WEEKLY;BYDAY={','.join(days)};BYHOUR=9,21;BYMINUTE=0;BYSECOND=0"
        restr: tuple[Restriction, ...] = ()
        if draw(st.booleans()):
            restr = (
                Restriction(
                    start=time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
                    end=time(draw(st.integers(0, 23))),
                ),
            )
        layers.append(
            Layer(
                name=f"L{i}",
                participants=tuple(draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=3))),
                start=(
                    (base - timedelta(hours=draw(st.integers(0, 72)))).replace(tzinfo=None)
                    if rule is None
                    else _first(rule, (base - timedelta(days=8)).replace(tzinfo=None))
                ),
                frequency=freq,
                rrule=rule,
                interval=draw(st.integers(1, 3)),
                restrictions=restr,
            )
        )
    ovs = tuple(
        Override(
            user=draw(st.sampled_from("xy")),
            start=base + timedelta(minutes=m),
            end=base + timedelta(minutes=m + draw(st.integers(1, 300))),
        )
        for m in draw(st.lists(st.integers(0, 300), max_size=3))
    )
    return sched(draw(ZONES), *layers, overrides=ovs), base


@settings(max_examples=40, deadline=None)
@given(schedules())
def test_final_schedule_matches_on_call_every_minute(case: tuple[Schedule, datetime]) -> None:
    s, start = case
    end = start + timedelta(hours=5)
    shifts = final_schedule(s, start, end)
    assert shifts[0].start == start
    assert shifts[-1].end == end
    for prev, nxt in itertools.pairwise(shifts):
        assert prev.end == nxt.start  # contiguous: shifts + gaps tile the range exactly
    for sh in shifts:
        t = sh.start
        while t < sh.end:
            who = on_call(s, t)
            assert (",".join(who.users) or None) == sh.user
            t += timedelta(minutes=1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2024-02-29T08:59", "a"),  # Jan 31 + 1 month clamps to leap day Feb 29
        ("2024-02-29T09:00", "b"),
        ("2024-03-30T12:00", "b"),
        ("2024-03-31T09:00", "c"),  # back to the 31st: offsets are from the start, no drift
        ("2024-04-30T08:59", "c"),
        ("2024-04-30T09:00", "a"),
    ],
)
def test_monthly_rotation_clamps_to_month_end(at: str, expected: str) -> None:
    s = sched("UTC", daily("2024-01-31T09:00", frequency="monthly"))
    assert on_call(s, z(at)).users == (expected,)


def test_rrule_rotation_hand_computed() -> None:
    # Monday and Thursday 09:00 Berlin handoffs, a and b alternating: Mon a, Thu b, Mon a...
    layer = Layer(
        name="mo-th",
        participants=("a", "b"),
        start=datetime(2026, 11, 2, 9, 0),  # a Monday
        frequency=Frequency.RRULE,
        rrule="FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
    )
    s = Schedule(id="s", name="s", team_id="t", time_zone="Europe/Berlin", layers=(layer,))
    # Mon 2 Nov 09:00 CET = 08:00Z: a until Thu 5 Nov 08:00Z, then b until Mon 9 Nov 08:00Z.
    assert on_call(s, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)).users == ("a",)
    assert on_call(s, datetime(2026, 11, 5, 7, 59, tzinfo=UTC)).users == ("a",)
    assert on_call(s, datetime(2026, 11, 5, 8, 0, tzinfo=UTC)).users == ("b",)
    assert on_call(s, datetime(2026, 11, 9, 7, 59, tzinfo=UTC)).users == ("b",)
    assert on_call(s, datetime(2026, 11, 9, 8, 0, tzinfo=UTC)).users == ("a",)
    assert on_call(s, datetime(2026, 11, 2, 7, 59, tzinfo=UTC)).users == ()


def test_finite_rrule_ends_the_rotation() -> None:
    layer = Layer(
        name="twice",
        participants=("a", "b"),
        start=datetime(2026, 1, 1, 0, 0),
        frequency=Frequency.RRULE,
        rrule="FREQ=DAILY;COUNT=3",
    )
    s = Schedule(id="s", name="s", team_id="t", time_zone="UTC", layers=(layer,))
    assert on_call(s, datetime(2026, 1, 1, 12, tzinfo=UTC)).users == ("a",)
    assert on_call(s, datetime(2026, 1, 2, 12, tzinfo=UTC)).users == ("b",)
    # The third occurrence (Jan 3) is the end of the last shift: nobody after it.
    assert on_call(s, datetime(2026, 1, 3, 12, tzinfo=UTC)).users == ()


def test_rrule_must_match_its_start() -> None:
    with pytest.raises(ValueError, match="first occurrence"):
        Layer(
            name="x",
            participants=("a",),
            start=datetime(2026, 11, 3, 9, 0),
            frequency=Frequency.RRULE,
            rrule="FREQ=WEEKLY;BYDAY=MO;BYHOUR=9",
        )
