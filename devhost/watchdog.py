"""The event-loop watchdog: a function that holds devhost's loop is named in the log.

Every async function invocation runs inside :func:`watched`, which times each step of the
function's coroutine — from the moment the loop resumes it to the moment it next awaits
something that is not ready. During a step nothing else in devhost (HTTP, queues, timers,
orchestrations) can run. A step over the limit is logged as a warning naming the function, and
the test fixture fails a test whose devhost logged one (``tests/fixtures/devhost.py``), so "this
input hangs the host" becomes a failing test.

The limit (``DEVHOST_LOOP_WARN_MS``, default 100 ms) applies to the CPU time the loop's thread
spent in the step. That is what the hangs seen so far were made of (a quadratic schedule, regex
backtracking, deep nesting), and unlike wall time it does not grow when the machine is busy: on
the shared 2-core CI box a 20 ms step can take 200 ms of wall time while other processes run,
and a wall-time limit there failed healthy tests. Blocking without CPU (``time.sleep``,
synchronous network I/O in async code) is caught by a wall-time limit ten times higher (1 s by
default), which load alone does not reach. A function's first invocation in a process is not
checked: it imports its modules and builds per-process clients, a cold start that Azure pays too,
not a hold that an input can cause.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

log = logging.getLogger("devhost.watchdog")

T = TypeVar("T")

#: The text every watchdog warning starts with (the test fixture looks for it).
WARNING = "event loop held"
DEFAULT_THRESHOLD_MS = 100.0
#: Wall time may exceed the CPU limit by this factor before a step counts as blocking.
WALL_FACTOR = 10.0


def threshold_s() -> float:
    raw = os.environ.get("DEVHOST_LOOP_WARN_MS", "").strip()
    return (float(raw) if raw else DEFAULT_THRESHOLD_MS) / 1000.0


class _Watched:
    """An awaitable that drives ``coro`` step by step and times each step."""

    def __init__(self, coro: Coroutine[Any, Any, Any], name: str, limit_s: float) -> None:
        self._coro = coro
        self._name = name
        self._limit_s = limit_s

    def _check(self, started: tuple[float, float]) -> None:
        wall = time.perf_counter() - started[0]
        cpu = time.thread_time() - started[1]
        if cpu > self._limit_s or wall > self._limit_s * WALL_FACTOR:
            log.warning(
                "%s for %.0f ms (%.0f ms CPU) by function %s (limit %.0f ms CPU, %.0f ms wall)",
                WARNING,
                wall * 1000,
                cpu * 1000,
                self._name,
                self._limit_s * 1000,
                self._limit_s * WALL_FACTOR * 1000,
            )

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self._coro
        to_send: Any = None
        to_throw: BaseException | None = None
        while True:
            started = (time.perf_counter(), time.thread_time())
            try:
                if to_throw is not None:
                    yielded = coro.throw(to_throw)
                else:
                    yielded = coro.send(to_send)
            except StopIteration as done:
                self._check(started)
                return done.value
            except BaseException:
                self._check(started)
                raise
            self._check(started)
            try:
                to_send, to_throw = (yield yielded), None
            except BaseException as exc:  # cancellation and errors go into the function
                to_send, to_throw = None, exc


_warm: set[str] = set()


async def watched(name: str, coro: Coroutine[Any, Any, T]) -> T:
    """Run one invocation of function ``name`` under the watchdog (from its second one on)."""
    if name not in _warm:
        _warm.add(name)
        return await coro
    result: T = await _Watched(coro, name, threshold_s())
    return result
