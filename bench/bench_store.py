"""Store adapters side by side: point read, point write, 50-item query page (ops/s and p99).

Each backend is the real thing started locally: a SQLite file, a PostgreSQL cluster, the Cosmos
emulator (an in-memory Node.js server, so its figures say little about real Cosmos DB).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from shared.store.port import DocumentStore, eq
from tests.fixtures.cosmos import cosmos_server
from tests.fixtures.postgres import postgres_server

N = 2000
PAGES = 200


Row = tuple[str, list[tuple[float, float]]]  # backend, [(ops/s, p99 ms)] per operation


async def _measure(n: int, op: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    lat: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        await op(i)
        lat.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    lat.sort()
    return n / total, lat[int(n * 0.99) - 1] * 1000


async def _bench(name: str, store: DocumentStore) -> Row:
    run = uuid.uuid4().hex[:8]
    team = f"team-{run}"

    async def write(i: int) -> object:
        doc_id = f"{run}-{i}"
        return await store.create(
            "incidents",
            {
                "id": doc_id,
                "pk": doc_id,
                "team_id": team,
                "status": "triggered",
                "number": i,
                "title": "x" * 200,
            },
        )

    async def read(i: int) -> object:
        doc_id = f"{run}-{i % N}"
        return await store.get("incidents", doc_id, doc_id)

    async def page(i: int) -> object:
        return await store.query(
            "incidents", where=[eq("team_id", team)], order_by=("number", False), limit=50
        )

    try:
        # Sequential on purpose: writes must exist before the reads and pages that use them.
        figures = [await _measure(N, write), await _measure(N, read)]
        figures.append(await _measure(PAGES, page))
    finally:
        await store.close()
    return name, figures


@contextlib.contextmanager
def _tmpdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


async def _all() -> None:
    from shared.store.cosmos import CosmosStore
    from shared.store.postgres import PostgresStore
    from shared.store.sqlite import SqliteStore

    rows: list[Row] = []
    with _tmpdir() as tmp:
        rows.append(await _bench("sqlite", await SqliteStore.open(tmp / "bench.sqlite")))
    with postgres_server() as dsn:
        rows.append(await _bench("postgres", await PostgresStore.open(dsn)))
    with cosmos_server() as (endpoint, key):
        rows.append(
            await _bench(
                "cosmos emulator",
                await CosmosStore.open(endpoint=endpoint, database="bench", key=key, emulator=True),
            )
        )
    head = ("backend", "point write", "point read", "50-item query page")
    print(f"{head[0]:<16}" + "".join(f"{h:>26}" for h in head[1:]))
    for name, figures in rows:
        cells = "".join(f"{f'{ops:,.0f}/s p99 {p99:.2f} ms':>26}" for ops, p99 in figures)
        print(f"{name:<16}{cells}")


def main() -> None:
    asyncio.run(_all())


if __name__ == "__main__":
    main()
