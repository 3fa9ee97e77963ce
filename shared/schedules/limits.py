"""Bounds on schedule work, so no schedule (saved, imported or stored before these rules) can
hold the host: a shortest shift, a most-shifts-per-window, a most-overrides, and a CPU budget
for each computation, which runs in a worker thread instead of on the event loop.

The budget is cooperative: the resolver's loops call :func:`check`, which raises
:class:`ScheduleTooComplex` once the computation's deadline has passed. That one computation
fails with a clear error; everything else on the host carries on.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from shared.errors import InvalidInput

#: Shortest shift a layer or an imported calendar event may produce.
MIN_SHIFT = timedelta(minutes=15)
#: Longest range any schedule computation covers at once (the API's ``/final`` range).
WINDOW = timedelta(days=93)
#: Most shift boundaries a schedule may have in one computed window (checked at save for a
#: :data:`WINDOW`, and again whenever a range is computed).
MAX_SHIFTS_PER_WINDOW = 20_000
#: Most overrides a schedule holds, whichever path adds them (API, swaps, calendar import).
MAX_OVERRIDES = 2_000
#: Most events one calendar import may expand to inside its window.
MAX_IMPORT_EVENTS = 5_000
#: CPU seconds one schedule computation may take before it is failed.
BUDGET_SECONDS = 2.0


class ScheduleTooComplex(InvalidInput):
    type_slug = "schedule-too-complex"
    title = "Schedule too complex"


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "schedule_deadline", default=None
)


def check() -> None:
    """Raise if the running computation has used up its budget (no budget: never)."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise ScheduleTooComplex(
            "Computing this schedule took longer than its budget; it has too many shifts, "
            "layers or overrides for the range asked.",
        )


P = ParamSpec("P")
R = TypeVar("R")


def within_budget(budget: float, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``fn`` here with a deadline ``budget`` seconds away."""
    token = _deadline.set(time.monotonic() + budget)
    try:
        return fn(*args, **kwargs)
    finally:
        _deadline.reset(token)


async def compute(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a CPU-bound schedule computation in a worker thread with the budget
    :data:`BUDGET_SECONDS` (read at each call)."""
    budget = BUDGET_SECONDS

    def run() -> R:
        return within_budget(budget, fn, *args, **kwargs)

    return await asyncio.to_thread(run)
