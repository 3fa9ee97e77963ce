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


def _bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def daily(
    transitions: Sequence[Transition],
    *,
    opening: ComponentStatus | None,
    known_from: datetime,
    now: datetime,
    tz: ZoneInfo,
    days: int = DAYS,
) -> list[Day]:
    """One :class:`Day` per calendar day, oldest first, ending with today (so far).

    ``transitions`` are in time order; ``opening`` is the status before the first of them
    (None: unknown until the first transition). Nothing before ``known_from`` (the component's
    creation) counts.
    """
    today = now.astimezone(tz).date()
    first = today - timedelta(days=days - 1)
    out: list[Day] = []
    index = 0
    status = opening
    start_of_window, _ = _bounds(first, tz)
    while index < len(transitions) and transitions[index][0] <= start_of_window:
        status = transitions[index][1]
        index += 1
    for offset in range(days):
        day = first + timedelta(days=offset)
        lo, hi = _bounds(day, tz)
        hi = min(hi, now)
        cursor = max(lo, known_from)
        worst: ComponentStatus | None = None
        known = down = 0.0
        while cursor < hi:
            upto = hi
            if index < len(transitions) and transitions[index][0] < hi:
                upto = max(transitions[index][0], cursor)
            if status is not None and upto > cursor:
                span = (upto - cursor).total_seconds()
                known += span
                down += span * WEIGHT.get(status, 0.0)
                if worst is None or SEVERITY_RANK[status] > SEVERITY_RANK[worst]:
                    worst = status
            cursor = upto
            if index < len(transitions) and transitions[index][0] <= cursor:
                status = transitions[index][1]
                index += 1
        # Later transitions of a day cut short by known_from or now still set the state.
        while index < len(transitions) and transitions[index][0] < _bounds(day, tz)[1]:
            if transitions[index][0] >= now:
                break
            status = transitions[index][1]
            index += 1
        out.append(Day(day, worst, known, down))
    return out


def overall_uptime(days: Sequence[Day]) -> float | None:
    """The uptime of the whole window (None when nothing in it is known)."""
    known = sum(d.known_seconds for d in days)
    if known <= 0:
        return None
    return 1.0 - sum(d.down_seconds for d in days) / known
