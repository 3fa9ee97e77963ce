"""Schedules: on_call on a 3-layer schedule with 200 overrides, final_schedule over 31 days."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, time, timedelta

from shared.schedules.models import Frequency, Layer, Override, Restriction, Schedule
from shared.schedules.resolve import final_schedule, on_call


def _schedule() -> Schedule:
    start = datetime(2026, 1, 1, 9, 0)
    layers = (
        Layer(name="weekly", participants=tuple("abcdef"), start=start),
        Layer(
            name="daily",
            participants=tuple("ghij"),
            start=start,
            frequency=Frequency.DAILY,
            restrictions=(Restriction(weekdays=frozenset(range(5)), start=time(9), end=time(17)),),
        ),
        Layer(
            name="hourly",
            participants=tuple("kl"),
            start=start,
            frequency=Frequency.HOURLY,
            interval=12,
            effective_until=datetime(2026, 6, 1, tzinfo=UTC),
        ),
    )
    base = datetime(2026, 1, 1, tzinfo=UTC)
    overrides = tuple(
        Override(
            user=f"o{i}",
            start=base + timedelta(hours=17 * i),
            end=base + timedelta(hours=17 * i + 3),
        )
        for i in range(200)
    )
    return Schedule(
        id="b",
        name="B",
        team_id="t",
        time_zone="America/New_York",
        layers=layers,
        overrides=overrides,
    )


def main() -> None:
    s = _schedule()
    at = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)
    n = 5000
    t0 = clock.perf_counter()
    for i in range(n):
        on_call(s, at + timedelta(minutes=7 * i))
    per_call = (clock.perf_counter() - t0) / n * 1e6
    print(f"on_call (3 layers, 200 overrides): {per_call:.1f} us/call (goal < 1000)")
    runs = 20
    t0 = clock.perf_counter()
    for _ in range(runs):
        shifts = final_schedule(
            s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
        )
    ms = (clock.perf_counter() - t0) / runs * 1e3
    print(f"final_schedule (31 days, {len(shifts)} shifts): {ms:.1f} ms (goal < 50)")
