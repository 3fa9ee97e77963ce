"""Escalation latency and timer accuracy through devhost with the real app.

Goals (issue 10): alert received -> first notification job created, p99 < 1 s at 50 new
incidents/s; timer lateness for 1,000 concurrently escalating incidents, p99 < 1 s.

The first figure is measured from the moment the bench sends the alert to the moment the
``escalation_execute`` activity's notification job is enqueued (the devhost broker's
``enqueued_at``), so it covers ingest, the alerts queue, incident creation, the orchestration
start and the first activity. The second reads ``TimerFired`` vs ``FireAt`` from the history.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import aiohttp
from dateutil.parser import isoparse

from shared.store import _sql
from shared.store.containers import spec_for
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost
from tests.fixtures.seed import seed_paging

RATE = 50  # new incidents per second
SECONDS = 10
TIMERS = 1000
TIMER_SECONDS = 5.0
BURST_WAIT_SECONDS = 25.0


async def _seed(db: Path, wait_seconds: float = TIMER_SECONDS) -> str:
    store = await SqliteStore.open(db)
    try:
        return await seed_paging(
            store,
            steps=[
                {"type": "notify_users", "user_ids": ["alice"]},
                {"type": "wait", "minutes": wait_seconds / 60},
                {"type": "notify_users", "user_ids": ["alice"]},
            ],
            people=[("alice", "Alice", ())],
            rate_limit=100_000,
        )
    finally:
        await store.close()


async def _send(base: str, key: str, count: int, rate: float) -> dict[str, float]:
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        started = time.time()
        tasks = []

        async def one(dedup: str) -> None:
            sent[dedup] = time.time()
            body = {"title": f"bench {dedup}", "id": dedup}
            async with session.post(f"{base}/api/integrations/{key}", json=body) as r:
                assert r.status == 202, await r.text()

        for i in range(count):
            due = started + i / rate
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(uuid.uuid4().hex[:16])))
        await asyncio.gather(*tasks)
    return sent


def _first_jobs(db: Path) -> dict[str, float]:
    """When each incident's first notification jobs were made: the ``escalation_execute``
    activity records the step's targets just before it hands the jobs to the queue."""
    first: dict[str, float] = {}
    table = _sql.table(spec_for("escalation_steps"))
    with sqlite3.connect(db) as conn:
        for (text,) in conn.execute(f'SELECT doc FROM "{table}"'):
            doc = json.loads(text)
            at = datetime.fromisoformat(doc["at"]).timestamp()
            first[doc["incident_id"]] = min(first.get(doc["incident_id"], at), at)
    return first


def _incidents(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f'SELECT doc FROM "{_sql.table(spec_for("incidents"))}"').fetchall()
    out = {}
    for (text,) in rows:
        doc = json.loads(text)
        out[doc["dedup_key"]] = doc["id"]
    return out


def _wait_jobs(devhost_db: Path, count: int, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if len(_first_jobs(devhost_db)) >= count:
            return
        time.sleep(0.2)
    raise TimeoutError(f"only {len(_first_jobs(devhost_db))}/{count} incidents paged")


def _timer_lateness(devhost_db: Path) -> list[float]:
    with sqlite3.connect(devhost_db) as conn:
        rows = conn.execute(
            "SELECT event FROM df_history WHERE json_extract(event, '$.EventType') = 11"
        ).fetchall()
    return sorted(
        (isoparse(json.loads(t)["Timestamp"]) - isoparse(json.loads(t)["FireAt"])).total_seconds()
        for (t,) in rows
    )


def _q(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db, devhost_db = root / "openalert.sqlite", root / "devhost.sqlite"
        key = asyncio.run(_seed(db))
        env = {"SQLITE_PATH": str(db), "DEVHOST_IDP_ENABLED": "false", "AzureWebJobsStorage": ""}
        host = start_devhost(app_dir=ROOT, state=devhost_db, env=env)
        try:
            count = RATE * SECONDS
            sent = asyncio.run(_send(host.base_url, key, count, RATE))
            _wait_jobs(db, count, timeout=120)
            ids = _incidents(db)
            jobs = _first_jobs(db)
            latency = sorted(jobs[ids[d]] - t for d, t in sent.items() if d in ids)
            print(
                f"alert -> first notification job at {RATE} new incidents/s for {SECONDS} s:"
                f" p50 {_q(latency, 50):.0f} ms, p99 {_q(latency, 99):.0f} ms,"
                f" max {latency[-1] * 1000:.0f} ms (goal p99 < 1000 ms)"
            )
            late = _timer_lateness(devhost_db)
            print(
                f"  their {TIMER_SECONDS:.0f} s escalation waits:"
                f" lateness p50 {_q(late, 50):.0f} ms, p99 {_q(late, 99):.0f} ms"
                f" ({len(late)} timers)"
            )
        finally:
            host.stop()

        # 1,000 incidents escalating at once: the wait outlasts the time it takes to open them
        # all, so every orchestration is waiting on its timer at the same moment.
        db2, devhost_db2 = root / "burst.sqlite", root / "devhost-burst.sqlite"
        key = asyncio.run(_seed(db2, wait_seconds=BURST_WAIT_SECONDS))
        env["SQLITE_PATH"] = str(db2)
        host = start_devhost(app_dir=ROOT, state=devhost_db2, env=env)
        try:
            started = time.time()
            asyncio.run(_send(host.base_url, key, TIMERS, rate=500))
            _wait_jobs(db2, TIMERS, timeout=180)
            opened = time.time() - started
            deadline = time.time() + 180
            while len(_timer_lateness(devhost_db2)) < TIMERS and time.time() < deadline:
                time.sleep(0.5)
            late = _timer_lateness(devhost_db2)
            print(
                f"{TIMERS} incidents escalating concurrently (opened in {opened:.1f} s):"
                f" wait-timer lateness p50 {_q(late, 50):.0f} ms, p99 {_q(late, 99):.0f} ms,"
                f" max {late[-1] * 1000:.0f} ms (goal p99 < 1000 ms)"
            )
        finally:
            host.stop()


if __name__ == "__main__":
    main()
