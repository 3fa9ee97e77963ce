"""devhost throughput: HTTP req/s vs a bare aiohttp handler, Service Bus msgs/s and latency.

Goals (issue 2): devhost/bare ratio >= 0.5; >= 1,000 msgs/s HTTP-enqueue -> trigger-complete.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp
import httpx

from tests.fixtures.devhost import free_port, start_devhost

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "devhost" / "sample_app"
REQUESTS = 4000
CONCURRENCY = 32

BARE_SERVER = textwrap.dedent(
    """
    import json, sys
    from aiohttp import web
    async def echo(request):
        body = {"id": request.match_info["id"], "q": dict(request.query), "method": request.method}
        return web.Response(text=json.dumps(body), content_type="application/json")
    app = web.Application()
    app.router.add_get("/api/echo/{id}", echo)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
    """
)


async def _load(url: str) -> float:
    """Requests per second for REQUESTS GETs with CONCURRENCY in flight."""
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        remaining = REQUESTS

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                async with session.get(url) as r:
                    await r.read()
                    assert r.status == 200

        for _ in range(200):  # warm-up
            async with session.get(url) as r:
                await r.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return REQUESTS / (time.perf_counter() - started)


def _wait_listening(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(url)


def bench_http(tmp: Path) -> None:
    port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)])
    try:
        _wait_listening(f"http://127.0.0.1:{port}/api/echo/1")
        bare_rps = asyncio.run(_load(f"http://127.0.0.1:{port}/api/echo/1?x=1"))
    finally:
        bare.terminate()
        bare.wait()
    handle = start_devhost(
        app_dir=SAMPLE, state=tmp / "http" / "state.sqlite", env={"RECORD_DIR": str(tmp)}
    )
    try:
        dev_rps = asyncio.run(_load(handle.base_url + "/api/echo/1?x=1"))
    finally:
        handle.stop()
    print(f"HTTP  bare aiohttp: {bare_rps:8.0f} req/s")
    print(
        f"HTTP  devhost:      {dev_rps:8.0f} req/s   ratio {dev_rps / bare_rps:.2f} (goal >= 0.5)"
    )


def bench_service_bus(tmp: Path, total: int = 5000, batch: int = 100) -> None:
    records = tmp / "sb"
    records.mkdir()
    handle = start_devhost(
        app_dir=SAMPLE, state=tmp / "sbstate" / "state.sqlite", env={"RECORD_DIR": str(records)}
    )
    try:
        with httpx.Client(base_url=handle.base_url) as client:
            started = time.time()
            for i in range(0, total, batch):
                now = time.time()
                client.post(
                    "/api/enqueue", content=json.dumps([f"m{j}:{now}" for j in range(i, i + batch)])
                )
            path = records / "work.jsonl"
            while True:
                done = sum(1 for _ in path.open()) if path.exists() else 0
                if done >= total:
                    break
                time.sleep(0.02)
            elapsed = time.time() - started
        lat = []
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            sent = float(rec["body"].split(":", 1)[1])
            lat.append((rec["at"] - sent) * 1000)
        lat.sort()
        p50 = statistics.median(lat)
        p99 = lat[int(len(lat) * 0.99) - 1]
        print(
            f"SB    {total} msgs in {elapsed:.2f} s: {total / elapsed:8.0f} msgs/s (goal >= 1,000)"
        )
        print(
            f"SB    enqueue->trigger latency p50 {p50:.1f} ms, p99 {p99:.1f} ms (burst of {total})"
        )
    finally:
        handle.stop()


def bench_service_bus_paced(tmp: Path, rate: int = 200, seconds: float = 5.0) -> None:
    """Latency at a steady rate (no backlog): one message per request at ``rate`` per second."""
    records = tmp / "paced"
    records.mkdir()
    handle = start_devhost(
        app_dir=SAMPLE, state=tmp / "pstate" / "state.sqlite", env={"RECORD_DIR": str(records)}
    )
    total = int(rate * seconds)
    try:
        with httpx.Client(base_url=handle.base_url) as client:
            started = time.time()
            for i in range(total):
                target = started + i / rate
                delay = target - time.time()
                if delay > 0:
                    time.sleep(delay)
                client.post("/api/enqueue", content=json.dumps(f"p{i}:{time.time()}"))
            path = records / "work.jsonl"
            while not path.exists() or sum(1 for _ in path.open()) < total:
                time.sleep(0.02)
        lat = sorted(
            (json.loads(line)["at"] - float(json.loads(line)["body"].split(":", 1)[1])) * 1000
            for line in path.read_text().splitlines()
        )
        print(
            f"SB    steady {rate} msgs/s: enqueue->trigger p50 {statistics.median(lat):.1f} ms,"
            f" p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms"
        )
    finally:
        handle.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_http(tmp)
        bench_service_bus(tmp)
        bench_service_bus_paced(tmp)


if __name__ == "__main__":
    main()
