"""devhost serving the built web console, for the browser tests and the console benches.

    .venv/bin/python -m tests.browser.console_host [--incidents N | --empty]

Seeds a fresh store in a temporary directory (the demo team, service, policy and integrations,
plus a viewer; with ``--empty`` nothing at all, for the acceptance test that starts from an
empty store, and the printed seeded fields are empty strings), copies ``web/dist`` beside it
with a ``config.json`` pointing MSAL at devhost's identity provider, starts devhost on free
loopback ports (http for the API and the console, https for the identity provider and the
console again), prints one JSON line describing all that, and runs until stdin closes or
SIGTERM. Playwright's global setup (web/tests/browser/harness) starts it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from devhost.demo import SERVICE_ID, TEAM_ID, seed, seed_schedule
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.store.sqlite import SqliteStore
from tests.browser.status_seed import seed_status_page
from tests.fixtures.devhost import ROOT, free_port, start_devhost

TENANT = "00000000-0000-4000-8000-00000000a11e"
API_CLIENT_ID = "00000000-0000-4000-8000-0000000c11e7"
SPA_CLIENT_ID = "11111111-0000-4000-8000-00000000c0de"
VIEWER = ("demo-vera", "Vera (viewer)", "OpenAlert.Viewer")
DIST = ROOT / "web" / "dist"


async def _seed(sqlite: Path, incidents: int) -> dict[str, str]:
    store = await SqliteStore.open(sqlite)
    try:
        keys: dict[str, str] = await seed(store, {})
        now = datetime.now(UTC)
        user_id, name, role = VIEWER
        viewer = User(
            id=user_id,
            tenant_id=TENANT,
            name=name,
            email=f"{user_id}@example.com",
            teams={TEAM_ID: TeamRole.MEMBER},
            app_roles=(role,),
            created_at=now,
            updated_at=now,
            last_seen_at=now,
        )
        await store.upsert("users", user_doc(viewer))
        await seed_schedule(store)
        await _bulk_incidents(store, incidents, now)
        keys["int-status"] = await seed_status_page(store, TEAM_ID)
        return keys
    finally:
        await store.close()


async def _bulk_incidents(store: SqliteStore, count: int, now: datetime) -> None:
    """``count`` resolved and open incidents written straight to the store (bench volume: going
    through ingest would take minutes and measure the pipeline, not the console)."""
    statuses = ("resolved", "resolved", "resolved", "acknowledged", "triggered")
    for n in range(1, count + 1):
        created = now - timedelta(minutes=count - n)
        doc: dict[str, Any] = {
            "id": f"bulk-{n:06d}",
            "pk": f"bulk-{n:06d}",
            "number": 100_000 + n,
            "title": f"Bulk incident {n}: latency on api-{n % 17}",
            "team_id": TEAM_ID,
            "service_id": SERVICE_ID,
            "status": statuses[n % len(statuses)],
            "severity": f"P{1 + n % 5}",
            "created_at": created.isoformat(),
            "updated_at": created.isoformat(),
        }
        await store.upsert("incidents", doc)


def _write_config(dist: Path, https_url: str) -> None:
    config = {
        "authority": f"{https_url}/.devhost/idp/{TENANT}/v2.0",
        "clientId": SPA_CLIENT_ID,
        "scopes": [f"api://{API_CLIENT_ID}/access_as_user"],
        "apiBase": "/api/v1",
    }
    (dist / "config.json").write_text(json.dumps(config))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.console_host")
    parser.add_argument("--incidents", type=int, default=0, help="extra incidents in the store")
    parser.add_argument(
        "--empty", action="store_true", help="seed nothing: an empty store, as on a first install"
    )
    args = parser.parse_args(argv)
    if args.empty and args.incidents:
        parser.error("--empty and --incidents exclude each other")
    if not (DIST / "index.html").is_file():
        print(f"no console build in {DIST}: run `make web`", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="console-host-"))
    sqlite = work / "openalert.sqlite"
    keys = {} if args.empty else asyncio.run(_seed(sqlite, args.incidents))
    dist = work / "dist"
    shutil.copytree(DIST, dist)
    http_port, https_port = free_port(), free_port()
    https_url = f"https://127.0.0.1:{https_port}"
    _write_config(dist, https_url)
    env = {
        "SQLITE_PATH": str(sqlite),
        "DEVHOST_IDP_ENABLED": "true",
        "ENTRA_TENANT_ID": TENANT,
        "ENTRA_CLIENT_ID": API_CLIENT_ID,
        "AzureWebJobsStorage": "",
        # Every page on its own (no bundling into digests), so each prints its incident's link.
        "NOTIFY_BUNDLE_SECONDS": "0",
        "DEVHOST_HTTPS_PORT": str(https_port),
        "DEVHOST_CONSOLE_DIR": str(dist),
        # Links in pages point at the console the browser uses.
        "PUBLIC_BASE_URL": https_url,
        "CONSOLE_BASE_URL": https_url,
    }
    handle = start_devhost(app_dir=ROOT, state=work / "devhost.sqlite", env=env, port=http_port)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)  # unwinds through the finally below, which stops devhost

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    info = {
        "http": handle.base_url,
        "https": https_url,
        "log": str(work / "devhost.log"),
        "seeded": not args.empty,
        "integrationKey": keys.get("int-demo-generic", ""),
        "statusIntegrationKey": keys.get("int-status", ""),
        "teamId": "" if args.empty else TEAM_ID,
        "serviceId": "" if args.empty else SERVICE_ID,
        "viewer": "" if args.empty else VIEWER[0],
        "work": str(work),
    }
    print(json.dumps(info), flush=True)
    try:
        while sys.stdin.readline():
            pass  # the parent holds stdin open while it needs devhost
    finally:
        try:
            handle.stop()
        except AssertionError as exc:  # devhost's own guards (held loop): report, still clean up
            print(exc, file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
