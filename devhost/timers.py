"""Timer triggers on 6-field NCRONTAB schedules (seconds first), with missed-run catch-up.

The last due time of each function is persisted, so after downtime a missed occurrence fires
once at start with ``past_due=True`` (the host's schedule monitor does the same with
``useMonitor``), and ``run_on_startup`` runs it once more at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from azure.functions.timer import TimerRequest
from croniter import croniter

from devhost.config import DevhostError
from devhost.plugins import FunctionInfo

log = logging.getLogger("devhost.timers")

Invoke = Callable[[FunctionInfo, Any], Awaitable[Any]]


def next_after(schedule: str, after: datetime) -> datetime:
    nxt: datetime = croniter(schedule, after, second_at_beginning=True).get_next(datetime)
    return nxt


def validate(schedule: str, name: str) -> None:
    if len(schedule.split()) != 6:
        raise DevhostError(
            f"function {name}: schedule {schedule!r} must be a 6-field NCRONTAB expression"
            " (seconds minutes hours day month day-of-week)"
        )
    if not croniter.is_valid(schedule, second_at_beginning=True):
        raise DevhostError(f"function {name}: invalid NCRONTAB schedule {schedule!r}")


class TimerRunner:
    def __init__(
        self, db: sqlite3.Connection, functions: list[FunctionInfo], invoke: Invoke
    ) -> None:
        self._db = db
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS timer_state (name TEXT PRIMARY KEY, last_due REAL NOT NULL)"
        )
        self._functions = functions
        self._invoke = invoke
        self._tasks: list[asyncio.Task[None]] = []
        for fn in functions:
            validate(str(fn.trigger.data.get("schedule", "")), fn.name)

    async def start(self) -> None:
        for fn in self._functions:
            self._tasks.append(asyncio.create_task(self._run(fn), name=f"timer:{fn.name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _last_due(self, name: str) -> datetime | None:
        row = self._db.execute("SELECT last_due FROM timer_state WHERE name=?", (name,)).fetchone()
        return datetime.fromtimestamp(row[0], UTC) if row else None

    def _record(self, name: str, due: datetime) -> None:
        self._db.execute(
            "INSERT INTO timer_state (name, last_due) VALUES (?, ?)"
            " ON CONFLICT(name) DO UPDATE SET last_due=excluded.last_due",
            (name, due.timestamp()),
        )

    async def _fire(
        self, fn: FunctionInfo, due: datetime, *, past_due: bool, schedule: str
    ) -> None:
        request = TimerRequest(
            past_due=past_due,
            schedule_status={
                "Last": due.isoformat(),
                "Next": next_after(schedule, due).isoformat(),
                "LastUpdated": datetime.now(UTC).isoformat(),
            },
            schedule={"AdjustForDST": True},
        )
        try:
            await self._invoke(fn, request)
        except Exception:
            log.exception("timer function %s failed", fn.name)

    async def _run(self, fn: FunctionInfo) -> None:
        schedule = str(fn.trigger.data["schedule"])
        now = datetime.now(UTC)
        last = self._last_due(fn.name)
        if last is not None and next_after(schedule, last) <= now:
            # One catch-up run for everything missed while down, not one per missed occurrence.
            await self._fire(fn, now, past_due=True, schedule=schedule)
        elif fn.trigger.data.get("runOnStartup"):
            await self._fire(fn, now, past_due=False, schedule=schedule)
        self._record(fn.name, now)
        while True:
            due = next_after(schedule, datetime.now(UTC))
            await asyncio.sleep(max(0.0, due.timestamp() - time.time()))
            late = time.time() - due.timestamp()
            await self._fire(fn, due, past_due=late > 1.0, schedule=schedule)
            self._record(fn.name, due)
