"""Public status page and ``summary.json`` on devhost: a page with 50 components in 5 groups, a
year of history (two outage days a month per component), an open P1 on their service and a
few posts. Prints requests/s over HTTP (8 in flight) with latency p50/p99, the same for
conditional requests (304), and the in-process time to read and render one answer (p50/p99)."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from shared.incidents.models import Incident
from shared.incidents.stored import INCIDENTS
from shared.statuspages import live, render, service, statuspage_json
from shared.statuspages.models import PostBody, UpdateBody
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost
from tests.fixtures.seed import paging_settings
from tests.fixtures.statuspages import busy_page, owner

CONCURRENCY = 8
REQUESTS = 1000
RENDERS = 300


async def _seed(db: Path, now: datetime) -> str:
    store = await SqliteStore.open(db)
    try:
        page = await busy_page(store, team="bench", slug="bench", now=now)
        incident = Incident(
            id="inc-bench",
            number=1,
            title="Checkout down",
            severity="P1",
            team_id="bench",
            service_id="svc-bench",
            created_at=now - timedelta(hours=1),
            updated_at=now - timedelta(hours=1),
        )
        await store.upsert(INCIDENTS, to_doc(incident))
        for n in range(5):
            post = await service.post_incident(
                store=store,
                principal=owner("bench"),
                page_id=page.id,
                body=PostBody(name=f"Incident {n}", body="Investigating."),
                now=now - timedelta(days=n),
            )
            for status in ("identified", "monitoring", "resolved") if n else ("identified",):
                await service.add_update(
                    store=store,
                    principal=owner("bench"),
                    page_id=page.id,
                    post_id=post.id,
                    body=UpdateBody(body=f"Now {status}.", status=status),  # type: ignore[arg-type]
                    now=now - timedelta(days=n) + timedelta(minutes=10),
                )
        await _renders(store, page, now)
        return page.slug
    finally:
        await store.close()


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _renders(store: SqliteStore, page: object, now: datetime) -> None:
    from shared.statuspages.models import StatusPage

    assert isinstance(page, StatusPage)
    for label, uptime in (("HTML page", True), ("summary.json", False)):
        times: list[float] = []
        for _ in range(RENDERS):
            started = time.perf_counter()
            snap = await live.snapshot(store, page, url="https://x", now=now, with_uptime=uptime)
            if uptime:
                render.page_html(snap, subscribe=True)
            else:
                statuspage_json.summary_json(snap)
            times.append((time.perf_counter() - started) * 1e3)
        print(
            f"read + render {label:13s} in process: p50 {statistics.median(times):6.1f} ms"
            f"   p99 {_pct(times, 0.99):6.1f} ms"
        )


async def _load(url: str, *, conditional: bool) -> tuple[float, float, float, int]:
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    latencies: list[float] = []
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url) as first:
            body = await first.read()
            etag = first.headers["ETag"]
        headers = {"If-None-Match": etag} if conditional else {}
        expected = 304 if conditional else 200
        remaining = REQUESTS

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                async with session.get(url, headers=headers) as r:
                    await r.read()
                    assert r.status == expected, r.status
                latencies.append((time.perf_counter() - started) * 1e3)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        rps = REQUESTS / (time.perf_counter() - started)
    return rps, statistics.median(latencies), _pct(latencies, 0.99), len(body)


def main() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "oa.sqlite"
        slug = asyncio.run(_seed(db, now))
        handle = start_devhost(
            app_dir=ROOT, state=Path(tmp) / "devhost.sqlite", env=paging_settings(db)
        )
        try:
            base = f"{handle.base_url}/api/status/{slug}"
            for label, path in (("HTML page", ""), ("summary.json", "/api/v2/summary.json")):
                for conditional in (False, True):
                    rps, p50, p99, size = asyncio.run(_load(base + path, conditional=conditional))
                    kind = "304" if conditional else "200"
                    print(
                        f"devhost {label:13s} {kind}: {rps:7.0f} req/s   p50 {p50:6.1f} ms"
                        f"   p99 {p99:6.1f} ms   ({size / 1024:.1f} KB)"
                    )
        finally:
            handle.stop()
    print(f"load average (1 min) after the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
