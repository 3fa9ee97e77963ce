"""Notification delivery throughput: webhook deliveries per second through the devhost queue.

Goal (issue 7): >= 300 notifications/s to the webhook channel. N notify jobs (important, so no
bundling) are put on the ``notifications`` queue at once; the figure is N divided by the time
until a local receiver has all of them.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiohttp import web

from shared.incidents.models import Incident
from shared.notifications.models import ContactMethod
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, free_port, start_devhost

N = 2000
USERS = 50


async def _seed(db: Path, url: str) -> None:
    store = await SqliteStore.open(db)
    now = datetime.now(UTC)
    try:
        incident = Incident(
            id="inc-bench",
            number=1,
            title="bench",
            team_id="t",
            service_id="svc",
            created_at=now,
            updated_at=now,
        )
        await store.upsert("incidents", to_doc(incident))
        for u in range(USERS):
            method = ContactMethod(id=f"cm-{u}", user_id=f"u{u}", kind="webhook", address=url)
            await store.upsert(
                "contact_methods", to_doc(method, pk_field="user_id", pk=method.user_id)
            )
    finally:
        await store.close()


async def _run() -> None:
    received = 0
    done = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        nonlocal received
        await request.read()
        received += 1
        if received >= N:
            done.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "openalert.sqlite"
        await _seed(db, f"http://127.0.0.1:{port}/hook")
        env = {"SQLITE_PATH": str(db), "DEVHOST_IDP_ENABLED": "false", "AzureWebJobsStorage": ""}
        host = start_devhost(app_dir=ROOT, state=Path(tmp) / "devhost.sqlite", env=env)
        try:
            jobs = [
                {
                    "body": {
                        "type": "notify",
                        "incident_id": "inc-bench",
                        "user_id": f"u{i % USERS}",
                        "importance": "important",
                        "idempotency_key": f"bench:{i}",
                    }
                }
                for i in range(N)
            ]
            async with httpx.AsyncClient(timeout=60) as http:
                started = time.perf_counter()
                for i in range(0, N, 500):
                    r = await http.post(
                        f"{host.base_url}/admin/devhost/queues/notifications/messages",
                        json=jobs[i : i + 500],
                    )
                    assert r.status_code == 201, r.text
                await asyncio.wait_for(done.wait(), timeout=300)
                elapsed = time.perf_counter() - started
            print(
                f"webhook notifications through the queue: {N} in {elapsed:.1f} s"
                f" -> {N / elapsed:.0f}/s (goal >= 300/s)"
            )
        finally:
            host.stop()
    await runner.cleanup()


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
