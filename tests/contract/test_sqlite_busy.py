"""The SQLite adapter when another process holds the write lock: the operation waits in the
store's thread (the event loop keeps running), succeeds once the lock is released, and gives up
with StoreUnavailable after BUSY_WAIT_S."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from shared.store import sqlite as sqlite_store
from shared.store.port import StoreUnavailable
from shared.store.sqlite import SqliteStore


def _hold_write_lock(path: Path, seconds: float, held: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    other.execute("ROLLBACK")
    other.close()


async def test_a_write_waits_for_another_process_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite"
    store = await SqliteStore.open(path)
    try:
        held = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, 0.5, held))
        holder.start()
        await asyncio.to_thread(held.wait)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        running = asyncio.create_task(ticker())
        started = time.monotonic()
        await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
        waited = time.monotonic() - started
        running.cancel()
        holder.join()
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
        held = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, 1.0, held))
        holder.start()
        await asyncio.to_thread(held.wait)
        with pytest.raises(StoreUnavailable):
            await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
        holder.join()
        # Afterwards the store works again.
        await store.upsert("teams", {"id": "t", "pk": "t", "name": "Ops"})
    finally:
        await store.close()
