"""Who is on call: pure resolution of layers, restrictions and overrides (time passed in).

Handoffs are local wall-clock times: daily/weekly boundaries are ``start + k*period`` in the
schedule's zone, converted with ``fold=0``. That follows RFC 5545 §3.3.5: a non-existent local
time (spring-forward gap) uses the offset before the gap, i.e. it lands shifted forward by the
gap; an ambiguous one (fall-back) is the first occurrence. Hourly rotations step in wall-clock
time too when their interval divides 24 or is a multiple of it (``Layer.wall_clock``), else
count real hours. Shift boundaries are computed arithmetically from the rotation start; RRULE
boundaries are found by bisection in the rule's cached occurrences.

Every computation is bounded: at most ``limits.MAX_SHIFTS_PER_WINDOW`` boundaries per range,
and the resolver's loops call ``limits.check`` so a computation run under a budget
(``limits.compute``) fails instead of holding its thread.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from shared.schedules import limits, rrules
from shared.schedules.models import (
    GAP,
    Frequency,
    InvalidSchedule,
    Layer,
    OnCall,
    Override,
    Restriction,
    Schedule,
    Shift,
)

_NOBODY = OnCall(users=(), source=None)


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _aware(at: datetime, name: str) -> datetime:
    if at.utcoffset() is None:
        raise InvalidSchedule(f"{name} must carry a UTC offset", field=name)
    return at.astimezone(UTC)


#: A boundary past the end of a finite RRULE: the rotation has ended.
_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def _shift_index(layer: Layer, tz: ZoneInfo, at: datetime) -> int:
    """Index k of the shift containing ``at`` (may be negative: before the rotation starts)."""
    if layer.frequency is Frequency.RRULE:
        assert layer.rrule is not None
        local = at.astimezone(tz).replace(tzinfo=None)
        k = rrules.occurrences(layer.rrule, layer.start).index(local)
        while k >= 0 and _boundary(layer, tz, k) > at:
            k -= 1
        while _boundary(layer, tz, k + 1) <= at:
            k += 1
        return k
    if layer.frequency is Frequency.HOURLY and not layer.wall_clock():
        period = timedelta(hours=layer.interval)
        return (at - _to_utc(layer.start, tz)) // period
    local = at.astimezone(tz).replace(tzinfo=None)
    if layer.frequency is Frequency.MONTHLY:
        months = (local.year - layer.start.year) * 12 + local.month - layer.start.month
        k = months // layer.interval
    else:
        k = (local - layer.start) // _period(layer)
    # The wall-clock estimate can be one off next to a DST change; fix it against real bounds.
    while _boundary(layer, tz, k) > at:
        k -= 1
    while _boundary(layer, tz, k + 1) <= at:
        k += 1
    return k


def _period(layer: Layer) -> timedelta:
    if layer.frequency is Frequency.HOURLY:
        return timedelta(hours=layer.interval)
    if layer.frequency is Frequency.DAILY:
        return timedelta(days=layer.interval)
    return timedelta(weeks=layer.interval)


def _boundary(layer: Layer, tz: ZoneInfo, k: int) -> datetime:
    if layer.frequency is Frequency.RRULE:
        assert layer.rrule is not None
        if k < 0:
            return _to_utc(layer.start, tz) - timedelta(days=366 * 100)
        local = rrules.occurrences(layer.rrule, layer.start).at(k)
        return _NEVER if local is None else _to_utc(local, tz)
    if layer.frequency is Frequency.HOURLY and not layer.wall_clock():
        return _to_utc(layer.start, tz) + k * _period(layer)
    if layer.frequency is Frequency.MONTHLY:
        # Always offset from the start, so a clamped Feb 28 does not drift later months.
        return _to_utc(layer.start + relativedelta(months=k * layer.interval), tz)
    return _to_utc(layer.start + k * _period(layer), tz)


def _in_window(r: Restriction, local: datetime) -> bool:
    tod, day = local.time(), local.weekday()
    if r.start < r.end:
        return day in r.weekdays and r.start <= tod < r.end
    # Overnight window: the part after midnight belongs to the previous day's window.
    return (day in r.weekdays and tod >= r.start) or ((day - 1) % 7 in r.weekdays and tod < r.end)


@dataclass(frozen=True)
class _Bounds:
    """A layer's shift boundaries k0, k0+1, ... over a computed range, for bisection."""

    k0: int
    at: list[datetime]

    def index(self, at: datetime) -> int:
        return self.k0 + bisect.bisect_right(self.at, at) - 1

    def after(self, k: int, layer: Layer, tz: ZoneInfo) -> datetime:
        i = k + 1 - self.k0
        return self.at[i] if 0 <= i < len(self.at) else _boundary(layer, tz, k + 1)


def _layer_user(
    layer: Layer, tz: ZoneInfo, at: datetime, bounds: _Bounds | None = None
) -> str | None:
    if layer.effective_from is not None and at < layer.effective_from:
        return None
    if layer.effective_until is not None and at >= layer.effective_until:
        return None
    k = _shift_index(layer, tz, at) if bounds is None else bounds.index(at)
    if k < 0:
        return None
    if layer.frequency is Frequency.RRULE:
        following = _boundary(layer, tz, k + 1) if bounds is None else bounds.after(k, layer, tz)
        if following is _NEVER:
            return None  # past the last occurrence of a finite rule: the rotation has ended
    if layer.restrictions:
        local = at.astimezone(tz).replace(tzinfo=None)
        if not any(_in_window(r, local) for r in layer.restrictions):
            return None
    who = layer.participants[k % len(layer.participants)]
    return None if who == GAP else who


@dataclass(frozen=True)
class _Index:
    """Overrides sorted by start for bisect; built once per query, not per instant."""

    tz: ZoneInfo
    starts: list[datetime]
    overrides: list[Override]
    longest: timedelta

    @classmethod
    def build(cls, schedule: Schedule) -> _Index:
        ovs = sorted(schedule.overrides, key=lambda o: o.start)
        longest = max((o.end - o.start for o in ovs), default=timedelta(0))
        return cls(ZoneInfo(schedule.time_zone), [o.start for o in ovs], ovs, longest)

    def covering(self, at: datetime) -> tuple[str, ...]:
        i = bisect.bisect_right(self.starts, at)
        users: list[str] = []
        # Only overrides starting within `longest` before `at` can still cover it.
        while i > 0 and self.starts[i - 1] > at - self.longest - timedelta(microseconds=1):
            o = self.overrides[i - 1]
            if o.end > at and o.user not in users:
                users.append(o.user)
            i -= 1
        return tuple(sorted(users))


def _resolve(
    schedule: Schedule, index: _Index, at: datetime, bounds: Sequence[_Bounds] = ()
) -> OnCall:
    users = index.covering(at)
    if users:
        return OnCall(users=users, source="override")
    for i in range(len(schedule.layers) - 1, -1, -1):
        layer = schedule.layers[i]
        user = _layer_user(layer, index.tz, at, bounds[i] if bounds else None)
        if user is not None:
            return OnCall(users=(user,), source=layer.name)
    return _NOBODY


def on_call(schedule: Schedule, at: datetime) -> OnCall:
    """Who is on call at ``at``: overrides first, then the highest layer that has someone."""
    return _resolve(schedule, _Index.build(schedule), _aware(at, "at"))


def _edges(
    schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime
) -> tuple[set[datetime], list[_Bounds]]:
    """Every instant in [start, end] where who is on call may change, and each layer's shift
    boundaries over the range (so each instant's shift is found by bisection)."""
    edges = {start, end}
    bounds: list[_Bounds] = []
    first = start.astimezone(tz).date() - timedelta(days=1)
    days = (end.astimezone(tz).date() - first).days + 2
    spans = [
        (_shift_index(layer, tz, start), _shift_index(layer, tz, end)) for layer in schedule.layers
    ]
    # Counted before any is built, so an over-dense schedule costs nothing to refuse.
    count = sum(k1 - k0 + 2 for k0, k1 in spans) + 2 * len(schedule.overrides)
    count += sum(2 * days * len(layer.restrictions) for layer in schedule.layers)
    if count > limits.MAX_SHIFTS_PER_WINDOW:
        raise limits.ScheduleTooComplex(
            f"This range holds about {count} shift changes; at most "
            f"{limits.MAX_SHIFTS_PER_WINDOW} are computed at once. Ask for a shorter range.",
            field="end",
        )
    for layer, (k0, k1) in zip(schedule.layers, spans, strict=True):
        limits.check()
        edges.update(b for b in (layer.effective_from, layer.effective_until) if b is not None)
        # Boundary k0 is at or before ``start`` and k1 + 1 after ``end``: they bracket the range.
        bounds.append(_Bounds(k0, [_boundary(layer, tz, k) for k in range(k0, k1 + 2)]))
        edges.update(bounds[-1].at)
        if layer.restrictions:
            for n in range(days):
                day = first + timedelta(days=n)
                for r in layer.restrictions:
                    edges.add(_to_utc(datetime.combine(day, r.start), tz))
                    edges.add(_to_utc(datetime.combine(day, r.end), tz))
    for o in schedule.overrides:
        edges.update((o.start.astimezone(UTC), o.end.astimezone(UTC)))
    return {e for e in edges if start <= e <= end}, bounds


def final_schedule(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """Merged shifts over [start, end) with gaps as explicit ``Shift(user=None)`` entries.

    Every instant in the range is in exactly one returned shift, and each shift agrees with
    :func:`on_call` at every instant inside it (evaluated at each candidate boundary).
    """
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        raise InvalidSchedule("end must be after start", field="end")
    if end - start > timedelta(days=366):
        raise InvalidSchedule("range must be at most 366 days", field="end")
    index = _Index.build(schedule)
    edges, bounds = _edges(schedule, index.tz, start, end)
    points = sorted(edges)
    out: list[Shift] = []
    for a, b in itertools.pairwise(points):
        limits.check()
        who = _resolve(schedule, index, a, bounds)
        user = ",".join(who.users) if who.users else None
        if out and out[-1].user == user and out[-1].source == who.source and out[-1].end == a:
            out[-1] = Shift(user=user, start=out[-1].start, end=b, source=who.source)
        else:
            out.append(Shift(user=user, start=a, end=b, source=who.source))
    return out


def coverage(
    schedule: Schedule, start: datetime, end: datetime
) -> tuple[list[Shift], dict[str, float]]:
    """Gaps in [start, end) and on-call hours per user (overlapping overrides count for each)."""
    gaps: list[Shift] = []
    hours: dict[str, float] = {}
    for s in final_schedule(schedule, start, end):
        if s.user is None:
            gaps.append(s)
            continue
        for u in s.user.split(","):
            hours[u] = hours.get(u, 0.0) + (s.end - s.start).total_seconds() / 3600
    return gaps, hours


def next_shifts(
    user: str, after: datetime, n: int, schedules: Sequence[Schedule], horizon_days: int = 90
) -> list[tuple[str, Shift]]:
    """The user's next ``n`` shifts (schedule id, shift) starting or running after ``after``."""
    after = _aware(after, "after")
    found: Iterable[tuple[str, Shift]] = (
        (s.id, sh)
        for s in schedules
        for sh in final_schedule(s, after, after + timedelta(days=horizon_days))
        if sh.user is not None and user in sh.user.split(",")
    )
    return sorted(found, key=lambda p: (p[1].start, p[0]))[:n]


__all__ = ["coverage", "final_schedule", "next_shifts", "on_call"]
