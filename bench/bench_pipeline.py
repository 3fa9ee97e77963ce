"""The alert pipeline on devhost + SQLite.

Figures: accepted alerts/s at the HTTP edge, processed alerts/s, 202 → incident-visible latency
at a steady 100 alerts/s, and store operations per new alert and per duplicate (counted on the
real SQLite adapter). Goals (issue 8): >= 1,000/s accepted, >= 500/s processed, p99 < 500 ms,
<= 4 store operations per new alert and <= 2 per duplicate.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from shared.auth.keys import INTEGRATION_KEY
from shared.catalog.models import Integration
from shared.pipeline.demo import seed
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, RecordedEscalation, process_envelope
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost

N = 2000


async def _prepare(db: Path) -> str:
    store = await SqliteStore.open(db)
    try:
        await seed(store, {})
        issued = INTEGRATION_KEY.issue()
        integration = Integration(
            id="int-bench",
            name="bench",
            service_id="svc-demo",
            team_id="team-demo",
            format="generic",
            key_prefix=issued.key_id,
            key_hash=issued.key_hash,
            rate_limit_per_minute=100_000,
            rate_limit_burst=100_000,
        )
        await store.upsert("integrations", to_doc(integration))
        return issued.secret
    finally:
        await store.close()


async def _count_incidents(db: Path) -> list[dict[str, Any]]:
    store = await SqliteStore.open(db)
    try:
        items: list[dict[str, Any]] = []
        token = None
        while True:
            page = await store.query("incidents", limit=1000, continuation=token)
            items.extend(page.items)
            token = page.continuation
            if token is None:
                return items
    finally:
        await store.close()


async def _throughput(base: str, key: str, db: Path) -> None:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=32)) as client:
        sem = asyncio.Semaphore(32)

        async def post(i: int) -> None:
            async with sem:
                body = {"title": f"bench {i}", "id": f"t-{i}"}
                r = await client.post(f"{base}/api/integrations/{key}", json=body)
                assert r.status_code == 202, r.text

        started = time.perf_counter()
        await asyncio.gather(*(post(i) for i in range(N)))
        accepted = time.perf_counter() - started
        while len([x for x in await _count_incidents(db) if x["dedup_key"].startswith("t-")]) < N:  # noqa: ASYNC110 (polls another process's database)
            await asyncio.sleep(0.2)
        processed = time.perf_counter() - started
    print(f"accepted at the edge: {N / accepted:8.0f} alerts/s ({N} distinct alerts, 32 in flight)")
    print(
        f"processed:            {N / processed:8.0f} alerts/s (first 202 to last incident written)"
    )


async def _latency(base: str, key: str, db: Path, rate: int = 100, seconds: float = 5.0) -> None:
    total = int(rate * seconds)
    async with httpx.AsyncClient() as client:
        started = time.time()
        tasks = []
        for i in range(total):
            delay = started + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            body = {"title": f"lat {time.time()}", "id": f"l-{i}"}
            tasks.append(
                asyncio.create_task(client.post(f"{base}/api/integrations/{key}", json=body))
            )
        await asyncio.gather(*tasks)
    while len([x for x in await _count_incidents(db) if x["dedup_key"].startswith("l-")]) < total:  # noqa: ASYNC110 (polls another process's database)
        await asyncio.sleep(0.2)
    lat = sorted(
        (datetime.fromisoformat(x["created_at"]).timestamp() - float(x["title"].split()[1])) * 1000
        for x in await _count_incidents(db)
        if x["dedup_key"].startswith("l-")
    )
    print(
        f"received -> incident visible at {rate}/s: p50 {statistics.median(lat):.0f} ms,"
        f" p99 {lat[int(len(lat) * 0.99) - 1]:.0f} ms"
    )


class CountingStore:
    """Counts calls to the real adapter."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name in ("get", "create", "replace", "upsert", "delete", "patch", "query"):

            async def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls += 1
                return await attr(*args, **kwargs)

            return counted
        return attr


async def _store_ops(tmp: Path) -> None:
    db = tmp / "ops.sqlite"
    await _prepare(db)
    inner = await SqliteStore.open(db)
    store = CountingStore(inner)
    ports = ProcessPorts(store=store, claim_check=None, escalation=RecordedEscalation())  # type: ignore[arg-type]

    def envelope(i: int, key: str) -> Envelope:
        return Envelope(
            id=f"env-{i:08d}",
            integration_id="int-bench",
            format="generic",
            received_at=datetime.now(UTC),
            body=json.dumps({"title": "ops", "id": key}),
        )

    await process_envelope(envelope(0, "warm"), ports=ports)  # routes/service caches are per run
    store.calls = 0
    await process_envelope(envelope(1, "new-key"), ports=ports)
    new_ops = store.calls
    store.calls = 0
    await process_envelope(envelope(2, "new-key"), ports=ports)
    dup_ops = store.calls
    await inner.close()
    print(
        f"store operations: {new_ops} per new alert, {dup_ops} per duplicate (goal <= 4 and <= 2)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db = tmp / "openalert.sqlite"
        key = asyncio.run(_prepare(db))
        handle = start_devhost(
            app_dir=ROOT,
            state=tmp / "devhost.sqlite",
            env={"SQLITE_PATH": str(db), "DEVHOST_IDP_ENABLED": "false"},
        )
        try:
            asyncio.run(_throughput(handle.base_url, key, db))
            asyncio.run(_latency(handle.base_url, key, db))
        finally:
            handle.stop()
        asyncio.run(_store_ops(tmp))


if __name__ == "__main__":
    main()
