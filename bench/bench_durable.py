"""devhost Durable engine: timer lateness under load, memory, and activity throughput.

Goals (issue 3): 1,000 concurrent orchestrations each waiting on a 5 s timer fire with
p99 lateness < 1 s; activity-step completions per second are reported for this machine.
Lateness is read from the recorded history: ``TimerFired`` applied minus the timer's ``FireAt``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from dateutil.parser import isoparse

from tests.fixtures.devhost import start_devhost

APP = Path(__file__).resolve().parents[1] / "tests" / "devhost" / "durable_app"
TIMERS = 1000
TIMER_SECONDS = 5.0
CHAINS = 20
CHAIN_LENGTH = 50


async def _start_many(base: str, name: str, ids: list[str], payload: object) -> float:
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=32)
    async with aiohttp.ClientSession(connector=connector) as session:
        sem = asyncio.Semaphore(32)

        async def one(instance_id: str) -> None:
            async with sem:
                url = f"{base}/runtime/webhooks/durabletask/orchestrators/{name}/{instance_id}"
                async with session.post(url, json=payload) as r:
                    assert r.status == 202, await r.text()

        await asyncio.gather(*(one(i) for i in ids))
    return time.perf_counter() - started


def _completed(db: Path, prefix: str) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM df_instances WHERE status = 'Completed' AND instance_id LIKE ?",
            (prefix + "%",),
        ).fetchone()
    return int(row[0])


def _wait(db: Path, prefix: str, count: int, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if _completed(db, prefix) >= count:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise TimeoutError(f"only {_completed(db, prefix)}/{count} {prefix} instances completed")


def _lateness(db: Path, prefix: str) -> list[float]:
    out: list[float] = []
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT event FROM df_history WHERE instance_id LIKE ?"
            " AND json_extract(event, '$.EventType') = 11",
            (prefix + "%",),
        ).fetchall()
    for (text,) in rows:
        ev = json.loads(text)
        out.append((isoparse(ev["Timestamp"]) - isoparse(ev["FireAt"])).total_seconds())
    return out


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "rec").mkdir()
        db = root / "state.sqlite"
        host = start_devhost(app_dir=APP, state=db, env={"RECORD_DIR": str(root / "rec")})
        try:
            assert host.process is not None
            rss_idle = _rss_mib(host.process.pid)
            ids = [f"timer-{i:04d}" for i in range(TIMERS)]
            spent = asyncio.run(
                _start_many(host.base_url, "escalation", ids, {"wait": TIMER_SECONDS})
            )
            rss_waiting = _rss_mib(host.process.pid)
            _wait(db, "timer-", TIMERS, timeout=120)
            late = sorted(_lateness(db, "timer-"))
            q = statistics.quantiles(late, n=100)
            print(
                f"durable timers: {TIMERS} orchestrations started in {spent:.1f} s,"
                f" each waiting {TIMER_SECONDS:.0f} s"
            )
            print(
                f"  timer lateness: p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms,"
                f" max {late[-1] * 1000:.0f} ms (goal p99 < 1000 ms)"
            )
            print(
                f"  devhost RSS: idle {rss_idle:.0f} MiB, with {TIMERS} waiting"
                f" {rss_waiting:.0f} MiB, after {_rss_mib(host.process.pid):.0f} MiB"
            )

            ids = [f"chain-{i:02d}" for i in range(CHAINS)]
            started = time.perf_counter()
            asyncio.run(_start_many(host.base_url, "chain", ids, CHAIN_LENGTH))
            _wait(db, "chain-", CHAINS, timeout=300)
            elapsed = time.perf_counter() - started
            steps = CHAINS * CHAIN_LENGTH
            print(
                f"durable throughput: {CHAINS} orchestrations x {CHAIN_LENGTH} sequential"
                f" activities = {steps} steps in {elapsed:.1f} s"
                f" -> {steps / elapsed:.0f} activity steps/s"
            )
        finally:
            host.stop()


if __name__ == "__main__":
    main()
