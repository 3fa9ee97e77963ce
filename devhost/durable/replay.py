"""Orchestrator replays in worker processes, so replay uses the machine's other cores.

Replaying is pure CPU (the SDK re-parses the whole history every episode) and orchestrators may
not do I/O, so an episode can run in any process that has the app loaded — as in Azure, where
orchestrator code runs in the Python worker process, not in the host. The pool is forked after
the app is imported and before devhost starts threads or sockets; children find orchestrators
by name in :data:`_FUNCTIONS`, inherited through the fork.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger("devhost.durable")

#: name -> (user function, trigger parameter name); set in the parent before forking.
_FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {}


def _replay(name: str, context: str) -> tuple[bool, str, str]:
    """Runs in a worker: (ok, result or error text, traceback)."""
    func, param = _FUNCTIONS[name]
    try:
        return True, str(func(**{param: context})), ""
    except Exception as exc:
        return False, str(exc), traceback.format_exc()


def _ready() -> bool:
    return True


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: a worker outlives a killed devhost (SIGKILL runs no clean-up), blocked
    on its task queue forever; so each one watches its parent and exits once it is gone
    (re-parented). One check a second is plenty for an idle process."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ReplayError(Exception):
    """The orchestrator raised; ``str()`` is its message (with ``$OutOfProcData$`` if any)."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


class ReplayPool:
    def __init__(self, functions: dict[str, tuple[Callable[..., Any], str]], workers: int) -> None:
        _FUNCTIONS.clear()
        _FUNCTIONS.update(functions)
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        self._workers = workers

    async def start(self) -> None:
        """Fork every worker now, while devhost is still single-threaded."""
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, _ready) for _ in range(self._workers))
        )

    @property
    def available(self) -> bool:
        return self._pool is not None

    async def replay(self, name: str, context: str) -> str:
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        try:
            ok, text, details = await loop.run_in_executor(self._pool, _replay, name, context)
        except BrokenProcessPool:
            log.error("durable: a replay worker died; replaying in the devhost process from now")
            self._pool = None
            raise
        if not ok:
            raise ReplayError(text, details)
        return text

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
