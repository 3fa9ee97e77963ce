"""Importing the stand-in's realistic Opsgenie account (tests/fixtures/opsgenie_account.py: 3
teams, 25 users, 3 schedules, 4 escalations, 10 integrations, 3 heartbeats) into devhost over
HTTP: time, API calls on both sides, objects per kind; then a re-run that changes nothing.

The stand-in answers a 429 on every 7th request (Opsgenie's 429 with a 1 s rate-limit period),
so the first two runs include the waits for those; the third has none."""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from openalert_cli.api import OpenAlert
from openalert_cli.opsgenie import account
from openalert_cli.opsgenie.client import Opsgenie
from openalert_cli.opsgenie.importer import Importer, Options
from openalert_cli.opsgenie.verify import compare
from shared.auth.documents import user_doc
from shared.auth.models import User
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, start_devhost
from tests.fixtures.opsgenie_account import UNMATCHED
from tests.fixtures.opsgenie_account import account as realistic
from tests.fixtures.opsgenie_standin import StandIn, serve
from tests.fixtures.seed import E2E_TENANT, paging_settings, person_token


def _run(og: Opsgenie, api: OpenAlert, out: Path, verify: bool) -> tuple[float, dict, float]:
    started = time.perf_counter()
    acc = account.read(og)
    read = time.perf_counter() - started
    importer = Importer(acc, api, Options(keys_file=out / "keys.json"))
    plan = importer.run()
    if verify:
        for s in acc.schedules:
            if s.id in importer.ids.schedules:
                plan.verification.append(
                    compare(og, api, og_schedule=s, schedule_id=importer.ids.schedules[s.id],
                            users=importer.ids.users, start=datetime.now(UTC), weeks=4)
                )  # fmt: skip
    return time.perf_counter() - started, plan.counts(), read


def main() -> None:
    now = datetime.now(UTC)
    data = realistic(now)
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        db = state / "openalert.sqlite"

        async def seed() -> None:
            store = await SqliteStore.open(db)
            for u in data["users"]:
                if u["username"] != UNMATCHED:
                    person = User(id=f"oid-{u['id']}", tenant_id=E2E_TENANT, email=u["username"],
                                  created_at=now, updated_at=now, last_seen_at=now)  # fmt: skip
                    await store.upsert("users", user_doc(person))
            await store.close()

        asyncio.run(seed())
        host = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(db))
        try:
            token = person_token(host, email="admin@example.com", roles=("OpenAlert.Admin",))
            runs = (("first import", True, 7), ("re-run", False, 7), ("re-run, no 429s", False, 0))
            for label, verify, throttle in runs:
                with serve(StandIn(data, key="k", throttle_every=throttle)) as standin:
                    og = Opsgenie("k", base_url=standin.base_url)
                    api = OpenAlert(host.base_url, token)
                    seconds, counts, read = _run(og, api, state, verify)
                    og.close()
                    api.close()
                    print(
                        f"{label}: {seconds:.1f} s (reading Opsgenie {read:.1f} s); Opsgenie "
                        f"calls {og.calls} ({og.throttled} answered 429); OpenAlert calls "
                        f"{api.calls} ({api.writes} writes)"
                    )
                    for kind, c in counts.items():
                        print(f"  {kind:18} {c}")
        finally:
            host.stop()
