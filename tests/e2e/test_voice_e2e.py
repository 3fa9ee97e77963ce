"""A page by phone end to end through devhost and the real app: Alice adds her number (the code
is read out on a call), an alert pages her by voice, the local ACS stub "answers" by posting
CallConnected to the app's callback, the app asks for a key, Alice presses 1, and the incident
is acknowledged by her — through the real incident service and escalation — and the call is
hung up. The ACS stub checks the HMAC request signing on every call the app makes."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost import idp
from shared.store.sqlite import SqliteStore
from tests.fixtures.acs import (
    ACS_KEY,
    ACS_RESOURCE_ID,
    AcsCalling,
    acs_calling_server,
    cloud_event,
)
from tests.fixtures.devhost import ROOT, DevhostHandle, free_port, start_devhost
from tests.fixtures.seed import E2E_TENANT, paging_settings, person_token, seed_paging

TENANT = E2E_TENANT
ALICE = idp.user_oid("alice@example.com")
PHONE = "+4915112345678"


@dataclass
class Env:
    host: DevhostHandle
    acs: AcsCalling
    key: str


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    db = tmp_path / "openalert.sqlite"
    store = await SqliteStore.open(db)
    try:
        key = await seed_paging(
            store,
            steps=[{"type": "notify_users", "user_ids": [ALICE]}],
            people=[(ALICE, "Alice", ("OpenAlert.Responder",))],
            tenant_id=TENANT,
        )
    finally:
        await store.close()
    async with acs_calling_server() as acs:
        port = free_port()
        handle = await asyncio.to_thread(
            start_devhost,
            app_dir=ROOT,
            state=tmp_path / "devhost.sqlite",
            port=port,
            env=paging_settings(
                db,
                ACS_ENDPOINT=acs.endpoint,
                ACS_ACCESS_KEY=ACS_KEY,
                ACS_VOICE_FROM="+18005550100",
                VOICE_CALLBACK_BASE_URL=f"http://127.0.0.1:{port}",
                ACS_CALLBACK_AUDIENCE=ACS_RESOURCE_ID,
                ACS_CALLBACK_ISSUER=acs.issuer,
                ACS_CALLBACK_OPENID_METADATA_URL=acs.metadata_url,
            ),
        )
        try:
            yield Env(handle, acs, key)
        finally:
            await asyncio.to_thread(handle.stop)


def token(env: Env) -> str:
    return person_token(env.host, roles=("OpenAlert.Responder",))


async def until(predicate: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + 20
    while not (value := predicate()):
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)
    return value


async def test_alice_acknowledges_a_page_by_pressing_one(env: Env) -> None:
    acs = env.acs
    api = httpx.AsyncClient(
        base_url=env.host.base_url + "/api/v1",
        headers={"Authorization": f"Bearer {token(env)}"},
        timeout=15,
    )
    async with api, httpx.AsyncClient(timeout=15) as phone:
        # Adding the number places a call that reads the code out.
        r = await api.post("/me/contact-methods", json={"kind": "voice", "address": PHONE})
        assert r.status_code == 201, r.text
        method = r.json()
        assert method["verified"] is False
        [verify_call] = acs.calls
        assert verify_call["json"]["targets"][0]["phoneNumber"] == {"value": PHONE}
        r = await acs.post(phone, "call-1", cloud_event("CallConnected", "call-1"))
        assert r.status_code == 200, r.text
        readout = acs.last("call-1", "play")["json"]["playSources"][0]["text"]["text"]
        digits = re.search(r"code is ((?:\d, ){5}\d)", readout)
        assert digits is not None, readout
        await acs.post(
            phone, "call-1", cloud_event("PlayCompleted", "call-1", operationContext="readout")
        )
        assert acs.ops("call-1") == ["play", "hangup"]
        r = await api.post(
            f"/me/contact-methods/{method['id']}/verify",
            json={"code": digits[1].replace(", ", "")},
        )
        assert r.status_code == 200 and r.json()["verified"] is True, r.text
        r = await api.put(
            "/me/notification-rules", json={"default": [{"type": "notify", "contact": "voice"}]}
        )
        assert r.status_code == 200, r.text

        # An alert pages her by phone.
        r = await phone.post(
            f"{env.host.base_url}/api/integrations/{env.key}",
            json={"title": "Payments API down", "id": "pay-1"},
        )
        assert r.status_code == 202
        await until(lambda: len(acs.calls) == 2, "alice was never called")
        page = acs.calls[1]
        call_id = page["call_id"]
        assert page["json"]["sourceCallerIdNumber"] == {"value": "+18005550100"}
        callback = page["json"]["callbackUri"]
        assert callback.startswith(f"{env.host.base_url}/api/voice/callbacks/")

        # Callbacks without Call Automation's valid JWT, forged call tokens and garbage do
        # nothing.
        connected = cloud_event("CallConnected", call_id)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        for bad in (
            None,
            "not-a-jwt",
            acs.callback_token(audience="someone-elses-acs-resource"),
            acs.callback_token(issuer="https://attacker.example"),
            acs.callback_token(lifetime_s=-120),
            acs.callback_token(key=other_key),
        ):
            r = await acs.post(phone, call_id, connected, token=bad)
            assert r.status_code == 401, (bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        jwt_ok = {"Authorization": f"Bearer {acs.callback_token()}"}
        forged = callback.rsplit("/", 1)[0] + "/" + "x" * 43
        r = await phone.post(forged, json=[connected], headers=jwt_ok)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        r = await phone.post(
            callback, content=b"[{]", headers={"content-type": "application/json", **jwt_ok}
        )
        assert r.status_code == 400 and r.json()["status"] == 400
        assert acs.ops(call_id) == []

        # She answers; the app reads the incident and waits for one key.
        r = await acs.post(phone, call_id, cloud_event("CallConnected", call_id))
        assert r.status_code == 200, r.text
        assert acs.ops(call_id) == ["recognize"]
        recognize = acs.last(call_id, "recognize")
        prompt = recognize["json"]["playPrompt"]["text"]["text"]
        assert "Payments API down" in prompt and "Press 1 to acknowledge" in prompt
        assert "http" not in prompt
        assert recognize["json"]["recognizeOptions"]["dtmfOptions"]["maxTonesToCollect"] == 1

        pressed = cloud_event(
            "RecognizeCompleted", call_id, recognitionType="dtmf", dtmfResult={"tones": ["one"]}
        )
        r = await acs.post(phone, call_id, pressed)
        assert r.status_code == 200, r.text
        r = await acs.post(phone, call_id, pressed)  # ACS redelivers
        assert r.status_code == 200
        assert acs.ops(call_id) == ["recognize", "play"]
        confirm = acs.last(call_id, "play")["json"]["playSources"][0]["text"]["text"]
        assert "acknowledged" in confirm
        await acs.post(
            phone, call_id, cloud_event("PlayCompleted", call_id, operationContext="confirm")
        )
        assert acs.ops(call_id) == ["recognize", "play", "hangup"]

        incidents = (await api.get("/incidents")).json()["items"]
        [incident] = [i for i in incidents if i["title"] == "Payments API down"]
        assert incident["status"] == "acknowledged"
        assert incident["acknowledged_by"]["id"] == ALICE
        timeline = (await api.get(f"/incidents/{incident['id']}/timeline")).json()["items"]
        acks = [t for t in timeline if t["kind"] == "acknowledged"]
        assert len(acks) == 1, timeline
        assert acks[0]["actor"]["id"] == ALICE and acks[0]["via"] == "voice"
        deliveries = (await api.get(f"/incidents/{incident['id']}/deliveries")).json()["items"]
        assert [(d["channel"], d["status"]) for d in deliveries] == [("voice", "sent")]
