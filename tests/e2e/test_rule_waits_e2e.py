"""A person's rule wait through devhost's real queue and durable timers: "webhook, wait, webhook
again". The second page goes out after the wait (the delivery schedules a wake, a durable
timer that releases the stored step onto the ``notifications`` queue at its due time; nothing
polls), and an acknowledgement during the wait stops it. A local HTTP receiver counts the pages
and when they arrived."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost import idp
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.receivers import page_receiver
from tests.fixtures.seed import E2E_TENANT, paging_settings, person_token, seed_paging

TENANT = E2E_TENANT
ALICE = idp.user_oid("alice@example.com")
#: The rule's wait: 0.1 min = 6 s (the model takes fractional minutes).
WAIT_MINUTES = 0.1
WAIT_S = WAIT_MINUTES * 60
#: Slack for the wake: a due step goes out within this long of its due time.
FLUSH_S = 5.0


@dataclass
class Pages:
    url: str = ""
    #: (monotonic arrival time, body) per page.
    got: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def of(self, incident_id: str) -> list[float]:
        return [t for t, body in self.got if body["incident"]["id"] == incident_id]


@pytest.fixture
async def pages() -> AsyncIterator[Pages]:
    state = Pages()
    async with page_receiver(lambda body: state.got.append((time.monotonic(), body))) as url:
        state.url = url
        yield state


@dataclass
class Env:
    host: DevhostHandle
    key: str
    db: Path


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("rule-waits")
    db = state / "openalert.sqlite"

    async def seed() -> str:
        store = await SqliteStore.open(db)
        try:
            return await seed_paging(
                store,
                steps=[{"type": "notify_users", "user_ids": [ALICE]}],
                people=[(ALICE, "Alice", ("OpenAlert.Responder",))],
                tenant_id=TENANT,
            )
        finally:
            await store.close()

    key = asyncio.run(seed())
    handle = start_devhost(
        app_dir=ROOT,
        state=state / "devhost.sqlite",
        # The minute sweep is off, so only a step's own wake can release it.
        env={**paging_settings(db), "AzureWebJobs__notify_flush__Disabled": "true"},
    )
    yield Env(handle, key, db)
    handle.stop()


def api(env: Env) -> httpx.AsyncClient:
    bearer = person_token(env.host, roles=("OpenAlert.Responder",))
    return httpx.AsyncClient(
        base_url=env.host.base_url + "/api/v1",
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=15,
    )


async def setup_rules(client: httpx.AsyncClient, url: str) -> None:
    methods = (await client.get("/me/contact-methods")).json()["items"]
    for m in methods:
        await client.delete(f"/me/contact-methods/{m['id']}")
    r = await client.post("/me/contact-methods", json={"kind": "webhook", "address": url})
    assert r.status_code == 201, r.text
    r = await client.put(
        "/me/notification-rules",
        json={
            "default": [
                {"type": "notify", "contact": "webhook"},
                {"type": "wait", "minutes": WAIT_MINUTES},
                {"type": "notify", "contact": "webhook"},
            ]
        },
    )
    assert r.status_code == 200, r.text


async def alert(env: Env, alert_id: str, title: str) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{env.host.base_url}/api/integrations/{env.key}", json={"title": title, "id": alert_id}
        )
        assert r.status_code == 202, r.text


async def first_page(pages: Pages, title: str) -> str:
    deadline = time.monotonic() + 20
    while True:
        mine = [b for _, b in pages.got if b["incident"]["title"] == title]
        if mine:
            return str(mine[0]["incident"]["id"])
        assert time.monotonic() < deadline, f"{title}: never paged"
        await asyncio.sleep(0.05)


async def pending(db: Path, incident_id: str) -> list[dict[str, Any]]:
    """Rule steps of the incident's pages stored for their time (in the app's store file)."""
    store = await SqliteStore.open(db)
    try:
        docs = (await store.query("notification_pending", limit=100)).items
    finally:
        await store.close()
    return [d for d in docs if d["job"].get("incident_id") == incident_id]


async def pending_steps(db: Path, incident_id: str) -> list[int]:
    return sorted(int(d["job"]["rule_step"]) for d in await pending(db, incident_id))


async def settled(env: Env, incident_id: str) -> None:
    """Until the flush has released every stored step of the incident and the notifications
    queue is drained: from then on nothing more goes out for it (a released step is emitted
    again only after minutes, and delivery skips a copy of what went out)."""
    deadline = time.monotonic() + WAIT_S + 2 * FLUSH_S + 30
    async with httpx.AsyncClient(base_url=env.host.base_url) as http:
        while True:
            steps = await pending(env.db, incident_id)
            queues = (await http.get("/admin/devhost/queues")).json()
            queue = queues.get("notifications", {})
            busy = sum(queue.get(k, 0) for k in ("active", "locked", "scheduled"))
            if all(d.get("claimed_at") for d in steps) and busy == 0:
                return
            assert time.monotonic() < deadline, f"still pending: {steps}, queue {queue}"
            await asyncio.sleep(0.1)


async def test_the_second_page_arrives_after_the_wait(env: Env, pages: Pages) -> None:
    async with api(env) as client:
        await setup_rules(client, pages.url)
        await alert(env, "wait-1", "Disk almost full")
        incident_id = await first_page(pages, "Disk almost full")
        deadline = time.monotonic() + WAIT_S + FLUSH_S + 15
        while len(pages.of(incident_id)) < 2:
            assert time.monotonic() < deadline, "the step after the wait never went out"
            await asyncio.sleep(0.1)
        first, second = pages.of(incident_id)
        assert second - first >= WAIT_S - 0.5, "the second page did not wait"
        assert second - first <= WAIT_S + FLUSH_S, "the second page was late for its wake"
        deliveries = (await client.get(f"/incidents/{incident_id}/deliveries")).json()["items"]
        assert sorted(d["status"] for d in deliveries) == ["sent", "sent"]
        await settled(env, incident_id)
        assert len(pages.of(incident_id)) == 2, "the sequence ended after its last step"


async def test_an_acknowledgement_during_the_wait_stops_the_second_page(
    env: Env, pages: Pages
) -> None:
    async with api(env) as client:
        await setup_rules(client, pages.url)
        await alert(env, "wait-2", "Queue backlog growing")
        incident_id = await first_page(pages, "Queue backlog growing")
        paged_at = pages.of(incident_id)[0]
        # The step after the wait is stored, waiting for its time: the acknowledgement is what
        # keeps it from going out.
        assert await pending_steps(env.db, incident_id) == [1]
        step = (await pending(env.db, incident_id))[0]["job"]["idempotency_key"]
        r = await client.post(f"/incidents/{incident_id}/acknowledge", json={})
        assert r.status_code == 200, r.text
        assert time.monotonic() - paged_at < WAIT_S, "acknowledged too late to test the wait"
        # The step came due, the flush released it, and delivery (which logs this after any
        # page it sends) skipped it.
        deadline = time.monotonic() + WAIT_S + 2 * FLUSH_S + 30
        while f"{step} skipped: incident acknowledged" not in env.host.log():
            assert time.monotonic() < deadline, "the step after the wait was never delivered"
            await asyncio.sleep(0.1)
        assert len(pages.of(incident_id)) == 1
        deliveries = (await client.get(f"/incidents/{incident_id}/deliveries")).json()["items"]
        assert [d["status"] for d in deliveries] == ["sent"]
