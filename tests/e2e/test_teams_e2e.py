"""The Teams bot end to end: recorded-format activities posted to /api/messages through devhost,
signed by a local key whose OpenID metadata and JWKS a local server publishes (with
endorsements), and a local Bot Connector stub (real paths and bodies) recording what the bot
sends. A fake is used only where there is no local form: the Bot Framework itself."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from shared.notifications.models import ContactMethod
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, free_port, start_devhost
from tests.fixtures.seed import seed_paging

BOT_ID = "6b1c0b1e-5d8e-4f6b-9a51-2a3c4d5e6f70"
TENANT = "00000000-0000-4000-8000-00000000a11e"
ALICE, BOB = "aad-alice", "aad-bob"
CHANNEL = "19:abc123@thread.tacv2"


@dataclass
class BotFramework:
    """OpenID metadata + JWKS (with endorsements) + the Connector REST API, on one server."""

    base: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = "bf-key-1"
    sent: list[dict[str, Any]] = field(default_factory=list)
    throttle_next: int = 0

    def token(
        self,
        *,
        service_url: str | None = None,
        aud: str = BOT_ID,
        exp: float | None = 600,
        issuer: str = "https://api.botframework.com",
        key: rsa.RSAPrivateKey | None = None,
        with_service_url: bool = True,
        kid: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": issuer, "aud": aud, "nbf": now - 5}
        if exp is not None:
            claims["exp"] = now + int(exp)
        if with_service_url:
            claims["serviceUrl"] = service_url or self.base + "/"
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def app(self) -> web.Application:
        async def metadata(_: web.Request) -> web.Response:
            return web.json_response(
                {"issuer": "https://api.botframework.com", "jwks_uri": self.base + "/keys"}
            )

        async def keys(_: web.Request) -> web.Response:
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            jwk.update(kid=self.kid, use="sig", endorsements=["msteams"])
            return web.json_response({"keys": [jwk]})

        async def create(request: web.Request) -> web.Response:
            body = await request.json()
            self.sent.append({"op": "create", "body": body})
            return web.json_response({"id": f"a:personal-{body['members'][0]['id']}"})

        async def send(request: web.Request) -> web.Response:
            if self.throttle_next > 0:
                self.throttle_next -= 1
                return web.json_response({}, status=429, headers={"Retry-After": "0"})
            body = await request.json()
            activity_id = f"act-{len(self.sent)}"
            self.sent.append(
                {
                    "op": "send",
                    "conversation": request.match_info["cid"],
                    "body": body,
                    "id": activity_id,
                }
            )
            return web.json_response({"id": activity_id})

        async def update(request: web.Request) -> web.Response:
            body = await request.json()
            self.sent.append(
                {
                    "op": "update",
                    "conversation": request.match_info["cid"],
                    "activity_id": request.match_info["aid"],
                    "body": body,
                }
            )
            return web.json_response({"id": request.match_info["aid"]})

        app = web.Application()
        app.router.add_get("/openid", metadata)
        app.router.add_get("/keys", keys)
        app.router.add_post("/v3/conversations", create)
        app.router.add_post("/v3/conversations/{cid}/activities", send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", update)
        return app


@pytest.fixture(scope="module")
def bf() -> Iterator[BotFramework]:
    state = BotFramework()
    port = free_port()
    state.base = f"http://127.0.0.1:{port}"
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(state.app(), access_log=None)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            httpx.get(state.base + "/openid", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    yield state
    loop.call_soon_threadsafe(loop.stop)


@dataclass
class Env:
    host: DevhostHandle
    db: Path
    key: str


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, bf: BotFramework) -> Iterator[Env]:
    state = tmp_path_factory.mktemp("teams")
    db = state / "openalert.sqlite"

    async def seed() -> str:
        store = await SqliteStore.open(db)
        try:
            key = await seed_paging(
                store,
                steps=[
                    {"type": "post_to_channel", "channel_id": CHANNEL},
                    {"type": "notify_users", "user_ids": [ALICE]},
                ],
                people=[
                    (ALICE, "Alice", ("OpenAlert.Responder",)),
                    (BOB, "Bob", ("OpenAlert.Viewer",)),
                ],
                tenant_id=TENANT,
            )
            await store.upsert(
                "contact_methods",
                to_doc(
                    ContactMethod(id="cm-t", user_id=ALICE, kind="teams", address=ALICE),
                    pk_field="user_id",
                    pk=ALICE,
                ),
            )
            return key
        finally:
            await store.close()

    key = asyncio.run(seed())
    handle = start_devhost(
        app_dir=ROOT,
        state=state / "devhost.sqlite",
        env={
            "SQLITE_PATH": str(db),
            "DEVHOST_IDP_ENABLED": "false",
            "AzureWebJobsStorage": "",
            "BOT_APP_ID": BOT_ID,
            "BOT_TENANT_ID": TENANT,
            "BOT_OPENID_METADATA_URL": bf.base + "/openid",
            "NOTIFY_BUNDLE_SECONDS": "0",
            "PUBLIC_BASE_URL": "https://oa.example.com",
        },
    )
    yield Env(handle, db, key)
    handle.stop()


def post(env: Env, activity: dict[str, Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"{env.host.base_url}/api/messages", json=activity, headers=headers, timeout=15
    )


def activity(bf: BotFramework, kind: str, **extra: Any) -> dict[str, Any]:
    """The shape Teams sends (docs: 'Receive activities' / 'Universal Actions')."""
    return {
        "type": kind,
        "id": uuid.uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "serviceUrl": bf.base + "/",
        "channelId": "msteams",
        "from": {"id": "29:1abc", "name": "Alice", "aadObjectId": ALICE},
        "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
        "recipient": {"id": f"28:{BOT_ID}", "name": "OpenAlert"},
        "channelData": {
            "tenant": {"id": TENANT},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": CHANNEL, "name": "incidents"},
        },
        **extra,
    }


def wait(predicate: Any, within: float = 20) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.1)


def cards(bf: BotFramework, op: str, conversation: str) -> list[dict[str, Any]]:
    return [s for s in bf.sent if s["op"] == op and s.get("conversation") == conversation]


def test_teams_flow(env: Env, bf: BotFramework) -> None:
    # Installed in a channel: the reference is kept and the bot says hello with the channel id.
    r = post(env, activity(bf, "installationUpdate", action="add"), bf.token())
    assert r.status_code == 200, r.text
    wait(lambda: cards(bf, "send", CHANNEL))
    assert CHANNEL in cards(bf, "send", CHANNEL)[0]["body"]["text"]

    # An alert: the escalation posts the card to the channel and messages Alice 1:1.
    httpx.post(
        f"{env.host.base_url}/api/integrations/{env.key}",
        json={"title": "Checkout 5xx", "id": "co-1"},
    )
    wait(
        lambda: any(
            a["contentType"] == "application/vnd.microsoft.card.adaptive"
            for s in cards(bf, "send", CHANNEL)
            for a in s["body"].get("attachments", [])
        )
    )
    posted = next(s for s in cards(bf, "send", CHANNEL) if s["body"].get("attachments"))
    card = posted["body"]["attachments"][0]["content"]
    incident_id = card["refresh"]["action"]["data"]["incident_id"]
    wait(lambda: any(s["op"] == "create" for s in bf.sent))
    personal = f"a:personal-{ALICE}"
    wait(lambda: cards(bf, "send", personal))

    # Bob is a Viewer: his click is refused on the card, nothing changes.
    click = {
        "action": {
            "type": "Action.Execute",
            "verb": "acknowledge",
            "data": {"incident_id": incident_id},
        },
        "trigger": "manual",
    }
    bob = activity(
        bf,
        "invoke",
        name="adaptiveCard/action",
        value=click,
        **{"from": {"id": "29:2", "name": "Bob", "aadObjectId": BOB}},
    )
    r = post(env, bob, bf.token())
    assert r.status_code == 200
    refused = r.json()
    assert refused["type"] == "application/vnd.microsoft.card.adaptive"
    assert "You cannot acknowledge" in json.dumps(refused["value"])

    # Forged, expired, wrong audience/issuer, wrong or missing serviceUrl, no expiry (PyJWT,
    # and so the Agents SDK's validator, accepts that unless exp is required), an unknown key
    # id (after a JWKS refresh), an HMAC token: 401, nothing happens.
    alice_click = activity(bf, "invoke", name="adaptiveCard/action", value=click)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (
        bf.token(key=other_key),
        bf.token(exp=-400),
        bf.token(aud="someone-else"),
        bf.token(issuer="https://evil.example"),
        bf.token(service_url="https://evil.example/"),
        bf.token(with_service_url=False),
        bf.token(exp=None),
        bf.token(kid="not-a-bot-framework-key"),
        jwt.encode({"iss": "https://api.botframework.com", "aud": BOT_ID}, "s" * 32, "HS256"),
        None,
    ):
        r = post(env, alice_click, bad)
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    unendorsed = {**alice_click, "channelId": "webchat"}
    assert post(env, unendorsed, bf.token()).status_code == 401

    # Alice acknowledges from the card: the answer is the updated card; the channel copy is
    # updated in place (PUT on the same activity id), not re-posted.
    r = post(env, alice_click, bf.token())
    assert r.status_code == 200, r.text
    updated = r.json()["value"]
    facts = {f["title"]: f["value"] for f in updated["body"][1]["facts"]}
    assert facts["Status"] == "acknowledged" and facts["Acknowledged"].startswith("Alice")
    wait(lambda: any(u["activity_id"] == posted["id"] for u in cards(bf, "update", CHANNEL)))
    assert len([s for s in cards(bf, "send", CHANNEL) if s["body"].get("attachments")]) == 1

    # Chat commands reply in the conversation.
    before = len(cards(bf, "send", CHANNEL))
    r = post(env, activity(bf, "message", text="<at>OpenAlert</at> incidents"), bf.token())
    assert r.status_code == 200
    wait(lambda: len(cards(bf, "send", CHANNEL)) > before)
    assert "Checkout 5xx" in cards(bf, "send", CHANNEL)[-1]["body"]["text"]


def test_connector_retries_a_429(env: Env, bf: BotFramework) -> None:
    bf.throttle_next = 1
    before = len(cards(bf, "send", CHANNEL))
    r = post(env, activity(bf, "message", text="help"), bf.token())
    assert r.status_code == 200
    wait(lambda: len(cards(bf, "send", CHANNEL)) > before)
    assert "oncall" in cards(bf, "send", CHANNEL)[-1]["body"]["text"]
    assert bf.throttle_next == 0


def test_malformed_activities_are_400(env: Env, bf: BotFramework) -> None:
    r = httpx.post(
        f"{env.host.base_url}/api/messages",
        content=b"{nope",
        headers={"Authorization": f"Bearer {bf.token()}"},
    )
    assert r.status_code == 400
    r = post(env, {"type": "message"}, bf.token())
    assert r.status_code == 400


def test_a_message_without_an_id_is_answered(env: Env, bf: BotFramework) -> None:
    # The Activity model refuses a null replyToId; the reply must simply omit it.
    message = activity(bf, "message", text="help")
    del message["id"]
    before = len(cards(bf, "send", CHANNEL))
    assert post(env, message, bf.token()).status_code == 200
    wait(lambda: len(cards(bf, "send", CHANNEL)) > before)
    reply = cards(bf, "send", CHANNEL)[-1]["body"]
    assert "oncall" in reply["text"] and "replyToId" not in reply
