"""The RRULE forms OpenAlert expands (rotation layers and imported calendars), and a cached,
bisected list of a rule's occurrences.

dateutil walks a rule period by period until year 9999 when its filters never match (e.g.
``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`` takes seconds and yields nothing), and ``UNTIL`` does not
stop that walk. So only forms that always match within a few years are accepted: frequencies
hourly to yearly, no BYSETPOS / BYWEEKNO / BYYEARDAY, BYMONTHDAY within ±28 (every month has
those days), and no ordinal BYDAY beside BYMONTHDAY. Sub-hourly shifts come from BYMINUTE.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from array import array
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from shared.schedules import limits

_FREQS = {"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_REFUSED = {"BYSETPOS", "BYWEEKNO", "BYYEARDAY", "BYEASTER"}


def parse(text: str, dtstart: datetime) -> rrule:
    """One RRULE (``FREQ=...;...``) anchored at ``dtstart``; ValueError says what is refused."""
    body = text.strip().removeprefix("RRULE:")
    if "\n" in body or ":" in body:
        raise ValueError("give one RRULE line (FREQ=...), without DTSTART or other properties")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{item!r} is not NAME=VALUE")
        parts[name.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq not in _FREQS:
        raise ValueError(f"FREQ must be one of {', '.join(sorted(_FREQS))} (got {freq})")
    refused = sorted(_REFUSED & parts.keys())
    if refused:
        raise ValueError(f"{', '.join(refused)} is not supported")
    days = [d for d in parts.get("BYMONTHDAY", "").split(",") if d]
    if any(not d.lstrip("+-").isdigit() or not 1 <= abs(int(d)) <= 28 for d in days):
        raise ValueError("BYMONTHDAY must be within 1..28 or -28..-1")
    if days and any(d[:1] in "+-0123456789" for d in parts.get("BYDAY", "").split(",") if d):
        raise ValueError("BYDAY with an ordinal (e.g. 2MO) cannot be combined with BYMONTHDAY")
    try:
        parsed = rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"not an RFC 5545 RRULE: {exc}") from None
    if not isinstance(parsed, rrule):
        raise ValueError("give one RRULE")
    return parsed


def shortest_gap(rule: rrule, first: int = 500) -> float | None:
    """Seconds between the closest two of the rule's first ``first`` occurrences."""
    head = list(itertools.islice(iter(rule), first))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(head)]
    return min(gaps) if gaps else None


#: Most occurrences kept per rule (15-minute shifts for about 7 years): with
#: :func:`occurrences`' cache of 64 rules, at most ~130 MB however rules are chosen.
MAX_OCCURRENCES = 250_000
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


def _seconds(local: datetime) -> int:
    return (local - _EPOCH) // _SECOND


class Occurrences:
    """A rule's occurrences (naive local times), generated once, found by bisection; kept as
    whole seconds in an ``array`` (8 bytes each, not a datetime object each)."""

    def __init__(self, rule: rrule) -> None:
        self._iter: Iterator[datetime] | None = iter(rule)
        self._seen = array("q")
        self._lock = threading.Lock()

    def _extend(self, done: Callable[[], bool]) -> None:
        with self._lock:
            while self._iter is not None and not done():
                limits.check()
                if len(self._seen) >= MAX_OCCURRENCES:
                    raise limits.ScheduleTooComplex(
                        f"This rotation's rule has more than {MAX_OCCURRENCES} shifts before the "
                        "time asked; start the layer later (a new layer from today)."
                    )
                nxt = next(self._iter, None)
                if nxt is None:
                    self._iter = None
                else:
                    self._seen.append(_seconds(nxt))

    def at(self, k: int) -> datetime | None:
        """The k-th occurrence (0 = the start), or None past the end of a finite rule."""
        self._extend(lambda: len(self._seen) > k)
        return _EPOCH + self._seen[k] * _SECOND if k < len(self._seen) else None

    def index(self, local: datetime) -> int:
        """How many occurrences are at or before ``local``, minus one (-1: none)."""
        # Bisect on whole seconds; a sub-second ``local`` counts as its second's end.
        target = _seconds(local)
        self._extend(lambda: bool(self._seen) and self._seen[-1] > target)
        return bisect.bisect_right(self._seen, target) - 1


@lru_cache(maxsize=64)
def occurrences(text: str, start: datetime) -> Occurrences:
    return Occurrences(parse(text, start))
