"""The console's API calls over real HTTP against devhost with 10,000 incidents in the store:
the first page of the list, an unchanged poll (304), counts per status, a text search and a
bulk acknowledge of 50. ``seed_incidents`` is also what browser benches use to fill a store."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from shared.incidents.models import Incident, IncidentStatus
from shared.incidents.stored import create_incident
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost
from tests.fixtures.seed import paging_settings, person_token

INCIDENTS = 10_000
TEAMS = ("team-demo", "team-b", "team-c", "team-d")
ROUNDS = 20


async def seed_incidents(
    store: SqliteStore, count: int = INCIDENTS, *, teams: tuple[str, ...] = TEAMS
) -> list[str]:
    """``count`` incidents, newest first by id order, one in ten open (a storm's shape: many
    resolved, some triggered); returns the open ones' ids."""
    now = datetime.now(UTC)
    open_ids: list[str] = []
    for n in range(count):
        status = IncidentStatus.RESOLVED if n % 10 else IncidentStatus.TRIGGERED
        at = now - timedelta(seconds=30 * n)
        incident = Incident(
            id=f"bench-{n:05d}",
            number=n + 1,
            title=f"{'Disk full' if n % 97 == 0 else 'High latency'} on host-{n % 300}",
            severity=("P1", "P2", "P3", "P4", "P5")[n % 5],
            status=status,
            team_id=teams[n % len(teams)],
            service_id="svc-demo",
            created_at=at,
            updated_at=at,
            page=False,
        )
        await create_incident(store, incident)
        if status is IncidentStatus.TRIGGERED:
            open_ids.append(incident.id)
    return open_ids


def _timed(client: httpx.Client, method: str, url: str, **kw: object) -> tuple[float, int]:
    started = time.perf_counter()
    r = client.request(method, url, **kw)  # type: ignore[arg-type]
    return (time.perf_counter() - started) * 1000, r.status_code


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "openalert.sqlite"

        async def fill() -> list[str]:
            store = await SqliteStore.open(db)
            try:
                return await seed_incidents(store)
            finally:
                await store.close()

        started = time.perf_counter()
        open_ids = asyncio.run(fill())
        print(f"seeded {INCIDENTS} incidents in {time.perf_counter() - started:.1f} s")
        host = start_devhost(
            app_dir=ROOT, state=Path(tmp) / "devhost.sqlite", env=paging_settings(db)
        )
        try:
            token = person_token(host, email="bench-admin@example.com", roles=("Admin",))
            auth = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=host.base_url + "/api/v1", headers=auth, timeout=30) as c:
                c.get("/me")
                first = c.get("/incidents", params={"status": "triggered"})
                etag = first.headers["etag"]
                cases = {
                    "list, first page of 50": ("GET", "/incidents", {}),
                    "list, open only": ("GET", "/incidents", {"params": {"status": "triggered"}}),
                    "poll, unchanged (304)": (
                        "GET",
                        "/incidents",
                        {"params": {"status": "triggered"}, "headers": {"If-None-Match": etag}},
                    ),
                    "counts per status": ("GET", "/incidents/counts", {}),
                    "search q=disk": ("GET", "/incidents", {"params": {"q": "disk"}}),
                }
                for label, (method, url, kw) in cases.items():
                    runs = [_timed(c, method, url, **kw) for _ in range(ROUNDS)]
                    ms = sorted(t for t, _ in runs)
                    statuses = sorted({s for _, s in runs})
                    print(
                        f"{label}: median {statistics.median(ms):.0f} ms, "
                        f"p95 {ms[int(len(ms) * 0.95) - 1]:.0f} ms, status {statuses}"
                    )
                body = {"action": "acknowledge", "ids": open_ids[:50]}
                took, status = _timed(c, "POST", "/incidents/bulk", json=body)
                print(f"bulk acknowledge of 50: {took:.0f} ms, status {status}")
        finally:
            host.stop()


if __name__ == "__main__":
    main()
