"""10,000 live escalations in devhost: timer lateness and memory at scale.

Goal (issue 22): 10,000 durable orchestrations alive at once, each waiting on its escalation
timer, fire with p99 lateness < 1 s while devhost's RSS stays < 500 MB. The orchestration is
the sample app's ``escalation`` (notify, race a timer against an "ack" event, notify again),
the shape the product's escalation takes between two steps. The timers are long enough that
every orchestration is started and waiting before the first one fires, so all of them are live
at the peak; the peak count is read from devhost's own state and printed, not assumed.

The timers fall due over ``SPREAD_SECONDS`` (as the steps of incidents opened over a few minutes
do), so the figure is how late a timer fires while 10,000 wait, not how fast devhost works off
10,000 timers falling due in the same few seconds. The rate they fall due at is printed with it.

RSS is devhost's process tree (the host and any worker it spawned), sampled every half second;
lateness is ``TimerFired`` applied minus the timer's ``FireAt``, read from the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

from bench.bench_durable import APP, _lateness, _wait
from tests.fixtures.devhost import start_devhost

LIVE = 10_000
#: Longer than starting LIVE orchestrations takes on a loaded 2-core machine.
TIMER_SECONDS = 150.0
SPREAD_SECONDS = 300.0


def _tree_rss_mib(pid: int) -> float:
    """RSS of ``pid`` and its descendants, in MiB (0 for a process that is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(c) for c in children)
    return total / 1024


def _running(db: Path) -> int:
    """Instances alive now, read-only: the poll must not compete with devhost for the file."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM df_instances WHERE status IN ('Running', 'Pending')"
            " AND instance_id LIKE 'live-%'"
        ).fetchone()
    return int(row[0])


class _Sampler:
    """Peak RSS and peak number of live instances, sampled on a thread while the bench waits."""

    def __init__(self, pid: int, db: Path) -> None:
        self.pid, self.db = pid, db
        self.peak_rss = 0.0
        self.peak_live = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_rss = max(self.peak_rss, _tree_rss_mib(self.pid))
            with contextlib.suppress(sqlite3.Error):
                self.peak_live = max(self.peak_live, _running(self.db))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _start_each(base: str, waits: dict[str, float]) -> float:
    """:func:`bench.bench_durable._start_many` with a wait of its own per instance."""
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as session:
        sem = asyncio.Semaphore(32)

        async def one(instance_id: str, wait: float) -> None:
            async with sem:
                url = f"{base}/runtime/webhooks/durabletask/orchestrators/escalation/{instance_id}"
                async with session.post(url, json={"wait": wait}) as r:
                    assert r.status == 202, await r.text()

        await asyncio.gather(*(one(i, w) for i, w in waits.items()))
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "rec").mkdir()
        db = root / "state.sqlite"
        host = start_devhost(app_dir=APP, state=db, env={"RECORD_DIR": str(root / "rec")})
        try:
            assert host.process is not None
            rss_idle = _tree_rss_mib(host.process.pid)
            waits = {
                f"live-{i:05d}": TIMER_SECONDS + SPREAD_SECONDS * i / LIVE for i in range(LIVE)
            }
            with _Sampler(host.process.pid, db) as sampler:
                spent = asyncio.run(_start_each(host.base_url, waits))
                _wait(db, "live-", LIVE, timeout=TIMER_SECONDS + SPREAD_SECONDS + 1800)
            late = sorted(_lateness(db, "live-"))
            q = statistics.quantiles(late, n=100)
            print(
                f"live escalations: {LIVE} orchestrations started in {spent:.0f} s, timers due"
                f" {TIMER_SECONDS:.0f}-{TIMER_SECONDS + SPREAD_SECONDS:.0f} s later"
                f" ({LIVE / SPREAD_SECONDS:.0f}/s); peak {sampler.peak_live} live at once"
            )
            print(
                f"  timer lateness: p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms,"
                f" max {late[-1] * 1000:.0f} ms over {len(late)} timers (goal p99 < 1000 ms)"
            )
            print(
                f"  devhost RSS: idle {rss_idle:.0f} MiB, peak {sampler.peak_rss:.0f} MiB,"
                f" after {_tree_rss_mib(host.process.pid):.0f} MiB (goal < 500 MB)"
            )
        finally:
            host.stop()


if __name__ == "__main__":
    main()
