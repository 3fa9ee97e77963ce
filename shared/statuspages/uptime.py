"""90-day uptime from a component's status transitions. Pure.

History is stored compactly as transitions (the moment a component's shown status changed and
the new status), not samples, so a quiet year is a handful of entries. A day is a calendar day
in the page's time zone. Downtime is weighted as Statuspage weights it: a major outage counts in
full, a partial outage at 30 %; degraded performance and maintenance count as up. Time before
the component existed (or before the history's first known state) is "no data", neither up nor
down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.statuspages.models import SEVERITY_RANK, ComponentStatus

DAYS = 90
WEIGHT: dict[ComponentStatus, float] = {
    ComponentStatus.MAJOR: 1.0,
    ComponentStatus.PARTIAL: 0.3,
}

Transition = tuple[datetime, ComponentStatus]


@dataclass(frozen=True)
class Day:
    day: date
    #: The worst status shown during the day; None when nothing is known of it.
    worst: ComponentStatus | None
    known_seconds: float
    down_seconds: float

    @property
    def uptime(self) -> float | None:
        if self.known_seconds <= 0:
            return None
        return 1.0 - self.down_seconds / self.known_seconds


@dataclass(frozen=True)
class Window:
    """The calendar days of the window in a zone, as epoch-second bounds (computed once per
    page and shared by its components: zone arithmetic is the expensive part)."""

    days: tuple[date, ...]
    #: ``len(days) + 1`` bounds: day ``i`` is ``[bounds[i], bounds[i + 1])``.
    bounds: tuple[float, ...]
    now: float


def window(*, now: datetime, tz: ZoneInfo, days: int = DAYS) -> Window:
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    dates = tuple(first + timedelta(days=n) for n in range(days))
    bounds = tuple(
        datetime.combine(first + timedelta(days=n), time(0), tzinfo=tz).timestamp()
        for n in range(days + 1)
    )
    return Window(dates, bounds, now.timestamp())


def daily(
    transitions: Sequence[Transition],
    *,
    opening: ComponentStatus | None,
    known_from: datetime,
    now: datetime,
    tz: ZoneInfo,
    days: int = DAYS,
    span: Window | None = None,
) -> list[Day]:
    """One :class:`Day` per calendar day, oldest first, ending with today (so far).

    ``transitions`` are in time order; ``opening`` is the status before the first of them
    (None: unknown until the first transition). Nothing before ``known_from`` (the component's
    creation) counts. ``span`` is :func:`window` for ``now``/``tz`` when the caller has it.
    """
    w = span or window(now=now, tz=tz, days=days)
    changes = [(t.timestamp(), st) for t, st in transitions]
    status = opening
    index = 0
    # The state when the window opens.
    while index < len(changes) and changes[index][0] <= w.bounds[0]:
        status = changes[index][1]
        index += 1
    start = known_from.timestamp()
    out: list[Day] = []
    for n, day in enumerate(w.days):
        lo, hi = w.bounds[n], min(w.bounds[n + 1], w.now)
        cursor = max(lo, start)
        worst: ComponentStatus | None = None
        known = down = 0.0
        while True:
            upto = hi
            if index < len(changes) and changes[index][0] < hi:
                upto = max(changes[index][0], cursor)
            if status is not None and upto > cursor:
                length = upto - cursor
                known += length
                down += length * WEIGHT.get(status, 0.0)
                if worst is None or SEVERITY_RANK[status] > SEVERITY_RANK[worst]:
                    worst = status
            cursor = max(cursor, upto)
            if index < len(changes) and changes[index][0] < hi:
                status = changes[index][1]
                index += 1
                continue
            if cursor >= hi:
                break
        out.append(Day(day, worst, known, down))
    return out


def overall_uptime(days: Sequence[Day]) -> float | None:
    """The uptime of the whole window (None when nothing in it is known)."""
    known = sum(d.known_seconds for d in days)
    if known <= 0:
        return None
    return 1.0 - sum(d.down_seconds for d in days) / known
