"""Paging end to end: alert → incident → escalation → notifications queue → the person's own
webhook contact method, through devhost with the real app; and the self-service API for it."""

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
from shared.notifications.models import ContactMethod
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.receivers import page_receiver
from tests.fixtures.seed import E2E_TENANT, paging_settings, person_token, seed_paging

TENANT = E2E_TENANT


@dataclass
class Receiver:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    async with page_receiver(state.received.append) as url:
        state.url = url
        yield state


@dataclass
class Env:
    host: DevhostHandle
    db: Path
    key: str


ALICE = idp.user_oid("alice@example.com")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("notify")
    db = state / "openalert.sqlite"

    async def seed() -> str:
        store = await SqliteStore.open(db)
        try:
            return await seed_paging(
                store,
                steps=[{"type": "notify_users", "user_ids": [ALICE]}],
                people=[(ALICE, "Alice", ())],
                tenant_id=TENANT,
            )
        finally:
            await store.close()

    key = asyncio.run(seed())
    handle = start_devhost(
        app_dir=ROOT,
        state=state / "devhost.sqlite",
        env=paging_settings(db),
    )
    yield Env(handle, db, key)
    handle.stop()


def token(env: Env) -> str:
    return person_token(env.host)


async def test_an_alert_pages_alice_on_her_own_webhook(env: Env, receiver: Receiver) -> None:
    api = httpx.AsyncClient(
        base_url=env.host.base_url + "/api/v1", headers={"Authorization": f"Bearer {token(env)}"}
    )
    async with api:
        r = await api.post("/me/contact-methods", json={"kind": "webhook", "address": receiver.url})
        assert r.status_code == 201, r.text
        assert r.json()["verified"] is True
        r = await api.put(
            "/me/notification-rules",
            json={
                "default": [{"type": "notify", "contact": "webhook"}],
                "notify_on_resolved": True,
            },
        )
        assert r.status_code == 200, r.text
        async with httpx.AsyncClient() as http:
            r = await http.post(
                f"{env.host.base_url}/api/integrations/{env.key}",
                json={"title": "Payments API down", "id": "pay-1"},
            )
            assert r.status_code == 202
        deadline = time.monotonic() + 20
        while not receiver.received:
            assert time.monotonic() < deadline, "alice was never paged"
            await asyncio.sleep(0.1)
        [page] = receiver.received
        assert page["event"] == "paged" and page["user_id"] == ALICE
        assert page["incident"]["title"] == "Payments API down"
        incident_id = page["incident"]["id"]
        deliveries = (await api.get(f"/incidents/{incident_id}/deliveries")).json()["items"]
        assert [(d["channel"], d["status"]) for d in deliveries] == [("webhook", "sent")]
        mine = (await api.get("/me/deliveries")).json()["items"]
        assert incident_id in [d["incident_id"] for d in mine]
        methods = (await api.get("/me/contact-methods")).json()["items"]
        assert [m["kind"] for m in methods] == ["webhook"]
        bad = await api.post("/me/contact-methods", json={"kind": "sms", "address": "12345"})
        assert bad.status_code == 400 and bad.json()["field"] == "address"


def test_contact_method_model_refuses_bad_numbers() -> None:
    with pytest.raises(ValueError):
        ContactMethod(id="x", user_id="u", kind="sms", address="not a number")
