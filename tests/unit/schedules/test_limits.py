"""Bounds on schedule work: shortest shift, shifts per window, bisection, budget, DST clock."""

from __future__ import annotations

import asyncio
import time as clock
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from shared.schedules import limits, rrules
from shared.schedules.models import Layer, Restriction, Schedule, ScheduleBody
from shared.schedules.resolve import final_schedule, on_call


def layer(**kw: Any) -> Layer:
    fields: dict[str, Any] = {"name": "L", "participants": ["a", "b"], "start": "2026-01-01T00:00"}
    return Layer.model_validate({**fields, **kw})


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=SECONDLY", "FREQ must be"),
        ("FREQ=MINUTELY;INTERVAL=15", "FREQ must be"),
        ("FREQ=HOURLY;BYMINUTE=0,5,10", "at least 15 minutes"),
        ("FREQ=DAILY;BYHOUR=0;BYMINUTE=0;BYSECOND=0,1", "at least 15 minutes"),
        # dateutil walks to year 9999 looking for a 30 February: seconds of CPU, then nothing.
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "BYMONTHDAY"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=9", "BYSETPOS"),
    ],
)
def test_dense_or_unbounded_rrule_is_refused_at_save(rule: str, why: str) -> None:
    started = clock.monotonic()
    with pytest.raises(ValidationError, match=why):
        layer(frequency="rrule", rrule=rule)
    assert clock.monotonic() - started < 1


def test_short_restriction_window_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 15 minutes"):
        Restriction(start=time(9, 0), end=time(9, 5))
    assert Restriction(start=time(9, 0), end=time(9, 0)).start == time(9, 0)  # all day


def test_too_many_shift_changes_per_window_is_refused_at_save() -> None:
    hourly = {"name": "h", "participants": ["a"], "start": "2026-01-01T00:00"}
    body = {"name": "S", "team_id": "t", "time_zone": "UTC"}
    ScheduleBody.model_validate({**body, "layers": [{**hourly, "frequency": "hourly"}] * 5})
    with pytest.raises(ValidationError, match="change hands up to"):
        ScheduleBody.model_validate({**body, "layers": [{**hourly, "frequency": "hourly"}] * 10})


def test_a_stored_over_dense_schedule_fails_its_computation_not_the_host() -> None:
    # Saved before the density rule: 10 hourly layers over a quarter is ~22,000 changes.
    hourly = layer(frequency="hourly")
    s = Schedule(id="s", name="S", team_id="t", time_zone="UTC", layers=(hourly,) * 10)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(limits.ScheduleTooComplex, match="shorter range"):
        final_schedule(s, start, start + timedelta(days=93))
    assert final_schedule(s, start, start + timedelta(days=1))


def test_rrule_lookup_bisects_instead_of_counting_from_the_start() -> None:
    # 15-minute handoffs since June 2025: counting occurrences from the start for each of the
    # ~100 boundaries of a day took seconds; bisection in the cached list takes milliseconds.
    quarter = layer(
        frequency="rrule", rrule="FREQ=HOURLY;BYMINUTE=0,15,30,45", start="2025-06-01T00:00"
    )
    s = Schedule(id="s", name="S", team_id="t", time_zone="Europe/Berlin", layers=(quarter,))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    started = clock.monotonic()
    shifts = final_schedule(s, start, start + timedelta(days=1))
    assert clock.monotonic() - started < 1.5
    assert len(shifts) == 96
    # 2026-01-01 00:00 Berlin is occurrence 4 * 24 * 214 (an even index): participant a.
    assert on_call(s, datetime(2025, 12, 31, 23, 0, tzinfo=UTC)).users == ("a",)


def test_budget_overrun_fails_that_computation_with_a_clear_error() -> None:
    slow = layer(
        frequency="rrule", rrule="FREQ=HOURLY;BYMINUTE=0,15,30,45", start="2021-03-01T00:00"
    )
    s = Schedule(id="s", name="S", team_id="t", time_zone="UTC", layers=(slow,))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(limits.ScheduleTooComplex, match="longer than its budget"):
        limits.within_budget(0.05, final_schedule, s, at, at + timedelta(days=1))


async def test_compute_runs_off_the_event_loop() -> None:
    ticks = 0
    loop_thread: list[bool] = []

    def busy() -> int:
        try:
            asyncio.get_running_loop()
            loop_thread.append(True)
        except RuntimeError:
            loop_thread.append(False)
        deadline = clock.monotonic() + 0.3
        while clock.monotonic() < deadline:
            limits.check()
        return 1

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    assert await limits.compute(busy) == 1
    task.cancel()
    assert loop_thread == [False]
    assert ticks >= 3  # the loop kept running while the computation did


def test_hourly_rotation_dividing_24_hands_off_at_the_same_wall_clock_times() -> None:
    # 12 h from 08:00 New York across the 2026-03-08 spring-forward.
    wall = layer(frequency="hourly", interval=12, start="2026-03-07T08:00")
    real = layer(frequency="hourly", interval=12, start="2026-03-07T08:00", hourly_clock="elapsed")
    ny = "America/New_York"

    def who(lay: Layer, iso: str) -> tuple[str, ...]:
        s = Schedule(id="s", name="S", team_id="t", time_zone=ny, layers=(lay,))
        return on_call(s, datetime.fromisoformat(iso)).users

    # Mar 9 08:30 EDT: wall-clock shifts are 08:00/20:00 every day -> the 5th shift, a.
    assert who(wall, "2026-03-09T08:30-04:00") == ("a",)
    assert who(wall, "2026-03-09T07:59-04:00") == ("b",)
    # Real hours: 08:00 EST + 48 h = 09:00 EDT, so b is still on until then.
    assert who(real, "2026-03-09T08:30-04:00") == ("b",)
    assert who(real, "2026-03-09T09:00-04:00") == ("a",)
    with pytest.raises(ValidationError, match="'hourly' only"):
        layer(frequency="daily", hourly_clock="elapsed")


def test_a_rules_cached_occurrences_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rrules, "MAX_OCCURRENCES", 1000)
    old = layer(frequency="rrule", rrule="FREQ=HOURLY;BYMINUTE=1,31", start="2025-01-01T00:01")
    s = Schedule(id="s", name="S", team_id="t", time_zone="UTC", layers=(old,))
    assert on_call(s, datetime(2025, 1, 10, tzinfo=UTC)).users  # ~430 occurrences in
    with pytest.raises(limits.ScheduleTooComplex, match="more than 1000 shifts"):
        on_call(s, datetime(2025, 3, 1, tzinfo=UTC))
