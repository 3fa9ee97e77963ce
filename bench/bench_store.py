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


async def _measure(label: str, n: int, op: Callable[[int], Awaitable[object]]) -> str:
    lat: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        await op(i)
        lat.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    lat.sort()
    return f"{label:>12}: {n / total:8.0f} ops/s  p99 {lat[int(n * 0.99) - 1] * 1000:6.2f} ms"


async def _bench(name: str, store: DocumentStore) -> None:
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

    lines = [await _measure("point write", N, write), await _measure("point read", N, read)]
    lines.append(await _measure("query page", PAGES, page))
    print(f"-- {name}")
    for line in lines:
        print(line)
    await store.close()


@contextlib.contextmanager
def _tmpdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


async def _all() -> None:
    from shared.store.cosmos import CosmosStore
    from shared.store.postgres import PostgresStore
    from shared.store.sqlite import SqliteStore

    with _tmpdir() as tmp:
        await _bench("sqlite", await SqliteStore.open(tmp / "bench.sqlite"))
    with postgres_server() as dsn:
        await _bench("postgres", await PostgresStore.open(dsn))
    with cosmos_server() as (endpoint, key):
        await _bench(
            "cosmos emulator",
            await CosmosStore.open(endpoint=endpoint, database="bench", key=key, emulator=True),
        )


def main() -> None:
    asyncio.run(_all())


if __name__ == "__main__":
    main()
