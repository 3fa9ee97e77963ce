"""Ingest fuzzing through devhost: valid-looking payloads of every source format carrying hostile
strings (control characters, bidi overrides, 1 MB fields, huge numbers, deep nesting).

Every answer is 2xx or 4xx; every accepted alert opens an incident, and every page the demo
policy owes for it (Alice, Bob, then both again) reaches the local webhook receiver. Each example
gets its own integration and service, so its incidents are found by service."""

from __future__ import annotations

import asyncio
import copy
import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from devhost import demo
from shared.auth.keys import INTEGRATION_KEY
from shared.catalog.models import Integration, Service
from shared.notifications.models import ContactMethod, NotificationRules, NotifyStep
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.test_hostile_titles import BIDI_CONTROLS
from tests.fixtures.devhost import ROOT, DevhostHandle, free_port, start_devhost
from tests.fixtures.seed import paging_settings
from tests.unit.alerts.test_parsers import HOSTILE_FRAGMENTS, SAMPLES, _mutate, fixture

#: The demo policy's shape with its waits in seconds: Alice, Bob, then both once more.
WAIT = 0.3 / 60
POLICY_STEPS = [
    {"type": "notify_users", "user_ids": ["demo-alice"]},
    {"type": "wait", "minutes": WAIT},
    {"type": "notify_users", "user_ids": ["demo-bob"]},
    {"type": "wait", "minutes": WAIT},
    {"type": "repeat", "times": 1},
]
PAGES_OWED = {"demo-alice": 2, "demo-bob": 2}
EXAMPLES = 28


@dataclass
class Pages:
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: dict[str, Any]) -> None:
        with self.lock:
            self.received.append(page)

    def owed_met(self, incident_id: str) -> bool:
        with self.lock:
            users = [
                p["user_id"]
                for p in self.received
                if p.get("event") == "paged" and p["incident"]["id"] == incident_id
            ]
        return all(users.count(u) >= n for u, n in PAGES_OWED.items())


@dataclass
class Env:
    host: DevhostHandle
    db: Path
    pages: Pages


def _receiver(pages: Pages) -> tuple[ThreadingHTTPServer, str]:
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            pages.add(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}/page"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("ingest-fuzz")
    db = state / "openalert.sqlite"
    pages = Pages()
    server, url = _receiver(pages)

    async def seed() -> None:
        store = await SqliteStore.open(db)
        try:
            await demo.seed(store, {})
            await store.upsert(
                "escalation_policies",
                {**demo.POLICY, "pk": demo.POLICY_ID, "steps": POLICY_STEPS, "version": 2},
            )
            rules = NotificationRules(default=(NotifyStep(contact="webhook"),))
            for user_id in demo.USERS:
                method = ContactMethod(
                    id=f"cm-{user_id}", user_id=user_id, kind="webhook", address=url, verified=True
                )
                await store.upsert(
                    "contact_methods", to_doc(method, pk_field="user_id", pk=user_id)
                )
                await store.upsert(
                    "notification_rules",
                    {"id": user_id, "pk": user_id, "user_id": user_id, **rules.model_dump()},
                )
        finally:
            await store.close()

    asyncio.run(seed())
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(db))
    yield Env(handle, db, pages)
    handle.stop()
    server.shutdown()


async def _new_source(db: Path, fmt: str) -> tuple[str, str]:
    """A fresh service (on the demo policy) and integration of ``fmt``: (service id, key)."""
    store = await SqliteStore.open(db)
    try:
        suffix = uuid.uuid4().hex[:12]
        service = Service(
            id=f"svc-fz-{suffix}",
            name=f"fuzz {suffix}",
            team_id=demo.TEAM_ID,
            escalation_policy_id=demo.POLICY_ID,
        )
        await store.upsert("services", to_doc(service))
        issued = INTEGRATION_KEY.issue()
        integration = Integration(
            id=f"int-fz-{suffix}",
            name=f"fuzz {suffix}",
            service_id=service.id,
            team_id=demo.TEAM_ID,
            format=fmt,  # type: ignore[arg-type]
            key_prefix=issued.key_id,
            key_hash=issued.key_hash,
        )
        await store.upsert("integrations", to_doc(integration))
        return service.id, issued.secret
    finally:
        await store.close()


async def _incidents(db: Path, service_id: str) -> list[dict[str, Any]]:
    store = await SqliteStore.open(db)
    try:
        return (
            await store.query("incidents", where=[eq("service_id", service_id)], limit=50)
        ).items
    finally:
        await store.close()


def _post(host: DevhostHandle, fmt: str, key: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if fmt == "pagerduty":
        # The routing key travels in the body.
        url = "/api/pagerduty/v2/enqueue"
        body = body.replace(b'"routing_key_slot"', json.dumps(key).encode())
    elif fmt == "opsgenie":
        url = "/api/opsgenie/v2/alerts"
        headers["Authorization"] = f"GenieKey {key}"
    else:
        url = f"/api/integrations/{key}"
    return httpx.post(host.base_url + url, content=body, headers=headers, timeout=60)


_hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([*sorted(BIDI_CONTROLS), "\r", "\n", "\x00", "\x1b", "\u2028", "\t"]),
    ),
    min_size=1,
    max_size=40,
)
_SLOT = "__hostile_slot__"


@pytest.mark.slow
def test_hostile_payloads_of_every_format_are_4xx_or_paged_in_full(env: Env) -> None:
    accepted: list[tuple[str, str]] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(
        fmt=st.sampled_from(sorted(SAMPLES)),
        seed=st.integers(0, 2**32),
        hostile=st.one_of(_hostile_text.map(json.dumps), st.sampled_from(HOSTILE_FRAGMENTS)),
    )
    def send(fmt: str, seed: int, hostile: str) -> None:
        doc = copy.deepcopy(fixture(SAMPLES[fmt]))
        doc = _mutate(doc, random.Random(seed), _SLOT)
        if fmt == "pagerduty" and isinstance(doc, dict):
            # Authentication is not what is fuzzed here: the key goes back after the mutation.
            doc["routing_key"] = "routing_key_slot"
        body = json.dumps(doc).replace(json.dumps(_SLOT), hostile).encode()
        service_id, key = asyncio.run(_new_source(env.db, fmt))
        r = _post(env.host, fmt, key, body)
        assert r.status_code < 500, (fmt, r.status_code, r.text[:500])
        assert r.status_code in (200, 201, 202) or 400 <= r.status_code < 500, r.status_code
        if r.status_code < 300:
            accepted.append((fmt, service_id))

    send()
    assert accepted, "no hostile payload was accepted: the strategies are too hostile"
    deadline = time.monotonic() + 60
    for fmt, service_id in accepted:
        while True:
            incidents = asyncio.run(_incidents(env.db, service_id))
            if incidents and all(env.pages.owed_met(i["id"]) for i in incidents):
                break
            assert time.monotonic() < deadline, (
                f"{fmt}: incidents {[i['id'] for i in incidents]} never got every page: "
                f"{env.host.log()[-3000:]}"
            )
            time.sleep(0.2)


NESTED = b"[" * 100_000 + b"]" * 100_000


def test_the_hostile_bodies_once_seen_as_500s_are_4xx_in_each_endpoints_shape(env: Env) -> None:
    host = env.host.base_url
    pd = httpx.post(f"{host}/api/pagerduty/v2/enqueue", content=NESTED, timeout=30)
    assert pd.status_code == 400, pd.text
    assert pd.json()["status"] == "invalid event", "PagerDuty's own error shape"
    _, key = asyncio.run(_new_source(env.db, "generic"))
    big = b'{"title": "x", "severity": ' + b"9" * 5000 + b"}"
    generic = httpx.post(f"{host}/api/integrations/{key}", content=big, timeout=30)
    assert generic.status_code == 400, generic.text
    assert generic.headers["content-type"].startswith("application/problem+json")
    assert generic.json()["field"] == "$"
