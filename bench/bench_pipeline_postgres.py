"""The alert pipeline on the PostgreSQL backend, beside SQLite in the same run.

Goal (issue 22): within 2x of SQLite. Both backends run the same steps under the same load, so
the ratio says more than either figure on this shared machine:
- ``process_envelope`` alone, 16 messages in flight (the host's ``maxConcurrentCalls``), on
  each real adapter: new incidents, then duplicates of one key (the contended path: one
  incident document replaced under optimistic concurrency);
- devhost draining a queued backlog through its real queue with ``STORE_BACKEND`` set, on a
  route that does not page (escalation runs on devhost's own Durable state whatever the store,
  so paging would blur the store's share), timed by the incidents' own creation times.

PostgreSQL is a throw-away local cluster (``tests.fixtures.postgres``) with durability off, as
in the tests; SQLite is a file in a temporary directory.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import psycopg

from bench.bench_pipeline import DEVHOST_ENV, N, _bench_envelope, _drain, _edge, prepare_store
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from shared.store import _sql
from shared.store.containers import spec_for
from shared.store.port import DocumentStore
from shared.store.postgres import PostgresStore
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost
from tests.fixtures.escalation import RecordedEscalation
from tests.fixtures.postgres import postgres_server

ALONE = 1000

Opener = Callable[[], Awaitable[DocumentStore]]


async def _alone(store: DocumentStore, *, duplicates: bool) -> float:
    """Alerts/s through ``process_envelope`` on ``store``, 16 in flight."""
    ports = ProcessPorts(store=store, claim_check=None, escalation=RecordedEscalation())
    # Envelope ids differ between the two runs: a redelivered id is not processed again.
    base = 10 * ALONE if duplicates else 0
    envelopes = [
        _bench_envelope(base + i, "storm" if duplicates else f"new-{i}") for i in range(ALONE)
    ]
    # The first envelope fills the instance's catalog cache, as in a running instance.
    warm = _bench_envelope(base + ALONE, f"warm-{duplicates}")
    await process_envelope(warm, ports=ports, first_delivery=True)
    sem = asyncio.Semaphore(16)

    async def one(env: Envelope) -> None:
        async with sem:
            await process_envelope(env, ports=ports, first_delivery=True)

    started = time.perf_counter()
    await asyncio.gather(*(one(e) for e in envelopes))
    return ALONE / (time.perf_counter() - started)


async def _alone_both(open_store: Opener) -> tuple[float, float]:
    store = await open_store()
    try:
        await prepare_store(store)
        new = await _alone(store, duplicates=False)
        dup = await _alone(store, duplicates=True)
    finally:
        await store.close()
    return new, dup


def _pg_drain(dsn: str, prefix: str, total: int) -> float:
    """:func:`bench.bench_pipeline._drain` reading PostgreSQL: alerts/s from the first to the
    last incident of the backlog, by their own creation times."""
    table = _sql.table(spec_for("incidents"))
    count_sql = f"SELECT COUNT(*) FROM \"{table}\" WHERE doc->>'dedup_key' LIKE %s"
    times_sql = f"SELECT doc->>'created_at' FROM \"{table}\" WHERE doc->>'dedup_key' LIKE %s"
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            row = conn.execute(count_sql, (prefix + "%",)).fetchone()
            if row is not None and row[0] >= total:
                break
            time.sleep(0.5)
        rows = conn.execute(times_sql, (prefix + "%",)).fetchall()
    stamps = sorted(datetime.fromisoformat(str(r[0])).timestamp() for r in rows)
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


def _devhost_drain(tmp: Path, backend: str, env: dict[str, str], dsn: str = "") -> float:
    """Queue N alerts with processing disabled, then time devhost draining them."""
    state = tmp / f"devhost-{backend}.sqlite"
    edge = start_devhost(
        app_dir=ROOT, state=state, env={**env, "AzureWebJobs.process_alerts.Disabled": "true"}
    )
    try:
        asyncio.run(_edge(edge.base_url, env["BENCH_KEY"]))
    finally:
        edge.stop()
    handle = start_devhost(app_dir=ROOT, state=state, env=env)
    try:
        if backend == "postgres":
            return _pg_drain(dsn, "t-", N)
        return asyncio.run(_drain(Path(env["SQLITE_PATH"])))
    finally:
        handle.stop()


def main() -> None:
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as d, postgres_server() as bare_dsn:
        tmp = Path(d)
        # A password in the DSN keeps the app from asking Entra ID for a token; the throw-away
        # cluster trusts loopback and ignores it.
        dsn = bare_dsn.replace("postgres@", "postgres:bench@", 1)
        sqlite_db = tmp / "alone.sqlite"
        alone = {
            "sqlite": asyncio.run(_alone_both(lambda: SqliteStore.open(sqlite_db))),
            "postgres": asyncio.run(_alone_both(lambda: PostgresStore.open(dsn))),
        }
        for what, i in (("new incidents", 0), ("duplicates of one key", 1)):
            lite, pg = alone["sqlite"][i], alone["postgres"][i]
            print(
                f"processed alone, {what}: SQLite {lite:5.0f}/s, PostgreSQL {pg:5.0f}/s"
                f" ({lite / pg:.2f}x; {ALONE} alerts, 16 in flight; goal within 2x)"
            )

        drained: dict[str, float] = {}
        quiet = dict(DEVHOST_ENV)
        lite_db = tmp / "drain.sqlite"
        lite_key = asyncio.run(_prepare_sqlite(lite_db))
        drained["sqlite"] = _devhost_drain(
            tmp, "sqlite", {**quiet, "SQLITE_PATH": str(lite_db), "BENCH_KEY": lite_key}
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE drain")
        drain_dsn = dsn.rsplit("/", 1)[0] + "/drain"
        pg_key = asyncio.run(_prepare_postgres(drain_dsn))
        pg_env = {
            **quiet,
            "STORE_BACKEND": "postgres",
            "POSTGRES_DSN": drain_dsn,
            "BENCH_KEY": pg_key,
        }
        drained["postgres"] = _devhost_drain(tmp, "postgres", pg_env, drain_dsn)
        lite, pg = drained["sqlite"], drained["postgres"]
        print(
            f"processed by devhost:  SQLite {lite:5.0f}/s, PostgreSQL {pg:5.0f}/s"
            f" ({lite / pg:.2f}x; {N} queued, each a new incident on a route that does not page)"
        )


async def _prepare_sqlite(db: Path) -> str:
    store = await SqliteStore.open(db)
    try:
        return await prepare_store(store, page=False)
    finally:
        await store.close()


async def _prepare_postgres(dsn: str) -> str:
    store = await PostgresStore.open(dsn)
    try:
        return await prepare_store(store, page=False)
    finally:
        await store.close()


if __name__ == "__main__":
    main()
