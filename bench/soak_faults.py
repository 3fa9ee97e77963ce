"""Soak under faults: alerts of mixed sources at a steady rate through devhost (the real app on
SQLite) while a chaos loop SIGKILLs devhost at random moments and starts it again.

    .venv/bin/python -m bench.soak_faults [--alerts 10000] [--rate 20] [--kills 12]

Not part of ``python -m bench`` (it runs for minutes). Setup: the demo team, service and policy
(``devhost.demo``: Alice, Bob two minutes later, then both again once), integrations in
four formats (generic, Alertmanager, Grafana, Azure Monitor), and a webhook contact method for
both people pointing at a receiver in this process. Every alert carries a unique marker
(``soak-<n>``) in its title and one of a few dedup keys per source, so alerts group onto a
bounded number of open incidents.

At the end devhost is stopped and its files are read directly:
- every alert answered 202 is on exactly one incident (its marker in exactly one alert record);
- each incident's ``alert_count`` equals the alert records it holds;
- every incident has its escalation orchestration;
- every page the demo policy owes by now (each step whose time, plus ``SLACK``, has passed
  since the incident opened) reached the receiver at least once and is ``sent`` in the
  delivery log.
An alert that was enqueued but whose 202 was lost to a kill may be found too: it is reported
("found without a 202"), not counted as a duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import random
import re
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from devhost.demo import SERVICE_ID, TEAM_ID, USERS, seed
from shared.auth.keys import INTEGRATION_KEY
from shared.catalog.models import Integration
from shared.incidents import alertlog
from shared.incidents.models import Incident
from shared.notifications.models import ContactMethod, NotificationRules, NotifyStep
from shared.store.codec import from_doc, to_doc
from shared.store.port import DocumentStore, eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.receivers import page_receiver
from tests.fixtures.seed import paging_settings

PAYLOADS = ROOT / "tests" / "fixtures" / "payloads"
FORMATS = ("generic", "alertmanager", "grafana", "azure_monitor")
#: Dedup keys per source: alerts group onto at most this many incidents per source.
KEYS_PER_SOURCE = 25
#: When each page of the demo policy is due after the incident opens (user, minutes).
POLICY_PAGES = (("demo-alice", 0.0), ("demo-bob", 2.0), ("demo-alice", 7.0), ("demo-bob", 9.0))
#: How late a page may be and still count as on time: escalation timers and deliveries lost to a
#: kill are resumed on restart or by the auditor (every minute).
SLACK = timedelta(seconds=90)
MARKER = re.compile(r"soak-(\d+)")


def _template(path: str) -> dict[str, Any]:
    return dict(json.loads((PAYLOADS / path).read_text()))


AM = _template("alertmanager/firing.json")
GRAFANA = _template("grafana/firing_two.json")
AZURE = _template("azure_monitor/metric_static_resolved.json")


def payload(fmt: str, n: int, key: str) -> dict[str, Any]:
    marker = f"soak-{n}"
    if fmt == "generic":
        return {"title": f"{marker} disk full", "id": key, "severity": "critical"}
    if fmt in ("alertmanager", "grafana"):
        body = copy.deepcopy(AM if fmt == "alertmanager" else GRAFANA)
        alert = body["alerts"][0]
        alert["annotations"]["summary"] = f"{marker} crash looping"
        alert["fingerprint"] = key
        body["alerts"] = [alert]
        return body
    body = copy.deepcopy(AZURE)
    ess = body["data"]["essentials"]
    ess["alertRule"] = marker
    ess["alertId"] = f"/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/{key}"
    ess["monitorCondition"] = "Fired"
    ess.pop("resolvedDateTime", None)
    return body


@dataclass
class Tally:
    sent: int = 0
    accepted: set[int] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    pages: list[tuple[str, str, float]] = field(default_factory=list)
    #: Every body the receiver got, by event ("paged", "digest", ...).
    bodies: Counter[str] = field(default_factory=Counter)


async def prepare(db: Path, receiver_url: str) -> dict[str, str]:
    """Demo data plus one integration per format (no rate limit); format -> key."""
    store = await SqliteStore.open(db)
    try:
        await seed(store, {})
        keys: dict[str, str] = {}
        for fmt in FORMATS:
            issued = INTEGRATION_KEY.issue()
            integration = Integration(
                id=f"int-soak-{fmt}",
                name=f"soak {fmt}",
                service_id=SERVICE_ID,
                team_id=TEAM_ID,
                format=fmt,  # type: ignore[arg-type]
                key_prefix=issued.key_id,
                key_hash=issued.key_hash,
                rate_limit_per_minute=100_000,
                rate_limit_burst=100_000,
            )
            await store.upsert("integrations", to_doc(integration))
            keys[fmt] = issued.secret
        now = datetime.now(UTC)
        for user_id in USERS:
            method = ContactMethod(
                id=f"cm-{user_id}",
                user_id=user_id,
                kind="webhook",
                address=receiver_url,
                verified=True,
                created_at=now,
            )
            await store.upsert("contact_methods", to_doc(method, pk_field="user_id", pk=user_id))
            rules = NotificationRules(default=(NotifyStep(contact=method.id),))
            await store.upsert(
                "notification_rules",
                {"id": user_id, "pk": user_id, "user_id": user_id, **rules.model_dump(mode="json")},
            )
        return keys
    finally:
        await store.close()


async def send(
    handle: DevhostHandle, keys: dict[str, str], total: int, rate: float, spread: int, t: Tally
) -> None:
    """One alert every 1/rate seconds whatever happens to devhost; no retries (a refused alert
    is the sender's to resend, and is not owed)."""
    rng = random.Random(7)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def post(n: int) -> None:
            fmt = FORMATS[n % len(FORMATS)]
            if spread:
                # New keys as the run goes on: incidents open throughout, kills included.
                key = f"{fmt}-{n // spread}-{rng.randrange(KEYS_PER_SOURCE)}"
            else:
                key = f"{fmt}-{rng.randrange(KEYS_PER_SOURCE)}"
            url = f"{handle.base_url}/api/integrations/{keys[fmt]}"
            try:
                async with http.post(url, json=payload(fmt, n, key)) as r:
                    await r.read()
                    if r.status == 202:
                        t.accepted.add(n)
                    else:
                        t.refused[str(r.status)] += 1
            except (aiohttp.ClientError, TimeoutError) as exc:
                t.refused[type(exc).__name__] += 1

        started = time.monotonic()
        tasks: list[asyncio.Task[None]] = []
        for n in range(total):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t.sent += 1
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)


async def chaos(handle: DevhostHandle, kills: int, duration: float, t: Tally) -> None:
    """SIGKILL at random moments spread over the run, then start again on the same state."""
    rng = random.Random(11)
    gap = duration / (kills + 1)
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.5 * gap, 1.0 * gap))
        await asyncio.to_thread(handle.kill)
        t.kills += 1
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        for attempt in range(3):
            try:
                await asyncio.to_thread(handle.start, 60.0)
                break
            except TimeoutError:
                if attempt == 2:
                    raise


async def all_docs(store: DocumentStore, container: str, **where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await store.query(
            container, where=[eq(k, v) for k, v in where.items()], limit=200, continuation=token
        )
        out.extend(page.items)
        token = page.continuation
        if not token:
            return out


def orchestrations(state: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT instance_id FROM df_instances")}


async def check(db: Path, state: Path, t: Tally, checked_at: datetime) -> dict[str, Any]:
    store = await SqliteStore.open(db)
    try:
        incidents = [from_doc(Incident, d) for d in await all_docs(store, "incidents")]
        found: Counter[int] = Counter()
        count_mismatch = []
        for inc in incidents:
            chunks = await all_docs(store, alertlog.CHUNKS, incident_id=inc.id)
            records = alertlog.flatten(chunks, inc) + list(inc.recent_alerts)
            if len(records) != inc.alert_count:
                count_mismatch.append((inc.id, inc.alert_count, len(records)))
            for rec in records:
                m = MARKER.search(str(rec.get("title", "")))
                if m:
                    found[int(m.group(1))] += 1
        log = await all_docs(store, "notifications")
    finally:
        await store.close()
    sent_log = {(d.get("incident_id"), d.get("user_id")) for d in log if d.get("status") == "sent"}
    received = Counter((inc, user) for inc, user, _ in t.pages)
    owed: list[tuple[str, str]] = []
    for inc in incidents:
        for user, minutes in POLICY_PAGES:
            if inc.created_at + timedelta(minutes=minutes) + SLACK <= checked_at:
                owed.append((inc.id, user))
    # Repeats page the same person twice: the receiver must have seen as many as are owed.
    owed_n = Counter(owed)
    missing_pages = [p for p, n in owed_n.items() if received[p] < n]
    unlogged = [p for p in owed_n if p not in sent_log]
    orch = orchestrations(state)
    return {
        "alerts sent": t.sent,
        "202s": len(t.accepted),
        "refused (no 202)": dict(t.refused),
        "kills": t.kills,
        "incidents": len(incidents),
        "alerts found": sum(found.values()),
        "duplicates": sum(n - 1 for n in found.values() if n > 1),
        "missing (202 but not found)": len(t.accepted - set(found)),
        "found without a 202": len(set(found) - t.accepted),
        "alert_count mismatches": count_mismatch[:10],
        "incidents without escalation": [i.id for i in incidents if i.id not in orch][:10],
        "pages owed": len(owed),
        "pages delivered (owed and received)": len(owed)
        - sum(n - received[p] for p, n in owed_n.items() if received[p] < n),
        "pages owed but not received": missing_pages[:10],
        "pages owed but not in the delivery log": unlogged[:10],
        "pages received in all": len(t.pages),
        "receiver bodies by event": dict(t.bodies),
    }


async def soak(
    total: int, rate: float, kills: int, drain: float, spread: int = 0
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="oa-soak-"))
    db = work / "openalert.sqlite"
    state = work / "devhost.sqlite"
    t = Tally()

    def on_page(body: dict[str, Any]) -> None:
        t.bodies[str(body.get("event"))] += 1
        if body.get("event") == "paged":
            t.pages.append((body["incident"]["id"], body["user_id"], time.time()))

    async with page_receiver(on_page) as url:
        keys = await prepare(db, url)
        env = {**paging_settings(db), "PUBLIC_BASE_URL": "https://oa.example.com"}
        handle = await asyncio.to_thread(start_devhost, app_dir=ROOT, state=state, env=env)
        duration = total / rate
        started = time.monotonic()
        try:
            await asyncio.gather(
                send(handle, keys, total, rate, spread, t), chaos(handle, kills, duration, t)
            )
            print(f"sent {t.sent} in {time.monotonic() - started:.0f} s; draining", flush=True)
            # By default long enough for the second page of the last incidents, and for the
            # minute timers (auditor, sweep) to run at least twice after the last kill.
            await asyncio.sleep(drain)
            checked_at = datetime.now(UTC)
        finally:
            await asyncio.to_thread(handle.kill)
    report = await check(db, state, t, checked_at)
    report["work dir"] = str(work)
    report["minutes"] = round((time.monotonic() - started) / 60, 1)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_faults")
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=20.0, help="alerts per second")
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--drain", type=float, default=240.0, help="seconds after the last send")
    parser.add_argument(
        "--spread",
        type=int,
        default=0,
        help="a new set of dedup keys every this many alerts (0: one set for the whole run)",
    )
    args = parser.parse_args(argv)
    report = asyncio.run(soak(args.alerts, args.rate, args.kills, args.drain, args.spread))
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
