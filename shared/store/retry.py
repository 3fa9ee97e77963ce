"""Optimistic concurrency: read, decide, write guarded by the etag read; on a lost race, again.

Every read-modify-write loop in the product goes through :func:`optimistic`. An attempt returns
its answer, or :data:`RETRY` when its guarded write lost a race (it catches the store's
``PreconditionFailed``/``Conflict`` itself, around that write only, so the same error from any
other call still propagates). Callers keep their own attempt counts: a storm of alerts on one
incident warrants many more tries than a person editing a schedule.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar, final

T = TypeVar("T")


@final
class Retry:
    """An attempt's answer when it lost a race and should run again on a fresh read."""


RETRY: Final = Retry()


def no_pause(retry: int) -> float:
    """Retry at once (a person's edit: contention is rare and brief)."""
    return 0.0


def linear_jitter(retry: int) -> float:
    """Up to 20 ms more per retry, so two writers do not collide forever."""
    return random.uniform(0, 0.02 * retry)


def exponential_jitter(retry: int) -> float:
    """Doubling from 4 ms, capped at 50 ms: many writers of one document (an alert storm)."""
    return random.uniform(0, min(0.05, 0.002 * 2**retry))


async def optimistic(
    attempt: Callable[[int], Awaitable[T | Retry]],
    *,
    attempts: int,
    exhausted: Callable[[], Exception],
    pause: Callable[[int], float] = no_pause,
) -> T:
    """Run ``attempt(n)`` for n = 0, 1, ... until it answers something other than
    :data:`RETRY`, pausing ``pause(n)`` seconds before each retry; after ``attempts`` tries
    raise ``exhausted()``."""
    for n in range(attempts):
        if n:
            delay = pause(n)
            if delay > 0:
                await asyncio.sleep(delay)
        answer = await attempt(n)
        if not isinstance(answer, Retry):
            return answer
    raise exhausted()
