"""The SQLite adapter when another process holds the write lock: the operation waits in the
store's thread (the event loop keeps running), succeeds once the lock is released, and gives up
with StoreUnavailable after BUSY_WAIT_S."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.store import sqlite as sqlite_store
from shared.store.port import StoreUnavailable
from shared.store.sqlite import SqliteStore


@contextlib.asynccontextmanager
async def another_writer(path: Path, seconds: float) -> AsyncIterator[None]:
    """Another connection (as another process would) holds the write lock for ``seconds``
    from the moment this is entered; leaving waits for it to let go."""
    held = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        other.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    await asyncio.to_thread(held.wait)
    try:
        yield
    finally:
        await asyncio.to_thread(holder.join)


async def test_a_write_waits_for_another_process_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite"
    store = await SqliteStore.open(path)
    try:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        async with another_writer(path, 0.5):
            running = asyncio.create_task(ticker())
            started = time.monotonic()
            await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
            waited = time.monotonic() - started
            running.cancel()
        assert waited >= 0.3  # it really waited for the other connection
        assert ticks >= 5  # ...while the loop went on
        doc = await store.get("teams", "t", "t")
        assert doc is not None and doc["name"] == "Ops"
    finally:
        await store.close()


async def test_a_lock_held_too_long_is_store_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_WAIT_S", 0.2)
    path = tmp_path / "s.sqlite"
    store = await SqliteStore.open(path)
    try:
        async with another_writer(path, 1.0):
            with pytest.raises(StoreUnavailable):
                await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
        # Afterwards the store works again.
        await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
    finally:
        await store.close()
