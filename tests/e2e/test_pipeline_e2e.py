"""The alert pipeline end to end: the real function_app.py in devhost over HTTP, a real SQLite
store shared with the test, Azurite for claim-checked bodies."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devhost.demo import seed
from shared.auth.keys import INTEGRATION_KEY
from shared.catalog.models import Integration, IntegrationSettings
from shared.incidents.models import IncidentStatus
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost

PAYLOADS = ROOT / "tests" / "fixtures" / "payloads"
SENTRY_SECRET = "sentry-client-secret-0123456789"


class Env:
    def __init__(self, host: DevhostHandle, db: Path, keys: dict[str, str]) -> None:
        self.host = host
        self.db = db
        self.keys = keys

    def url(self, path: str) -> str:
        return self.host.base_url + path

    async def incidents(self, **where: Any) -> list[dict[str, Any]]:
        store = await SqliteStore.open(self.db)
        try:
            page = await store.query(
                "incidents", where=[eq(k, v) for k, v in where.items()], limit=1000
            )
            return page.items
        finally:
            await store.close()

    async def wait_incidents(
        self, predicate: Any, within: float = 20.0, **where: Any
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while True:
            items = await self.incidents(**where)
            if predicate(items):
                return items
            if time.monotonic() > deadline:
                raise AssertionError(f"incidents never matched: {items}")
            await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
def pipeline_host(
    tmp_path_factory: pytest.TempPathFactory, azurite_connection_string: str
) -> Iterator[tuple[DevhostHandle, Path, dict[str, str]]]:
    state = tmp_path_factory.mktemp("pipeline")
    db = state / "openalert.sqlite"

    async def do_seed() -> dict[str, str]:
        store = await SqliteStore.open(db)
        try:
            keys = await seed(store, {})
            # Its own integration (and token bucket) for the burst test, so the throttling it
            # provokes does not spill into the other tests.
            issued = INTEGRATION_KEY.issue()
            burst = Integration(
                id="int-burst",
                name="burst",
                service_id="svc-demo",
                team_id="team-demo",
                format="generic",
                key_prefix=issued.key_id,
                key_hash=issued.key_hash,
            )
            await store.upsert("integrations", to_doc(burst))
            sentry_key = INTEGRATION_KEY.issue()
            sentry = burst.model_copy(
                update={
                    "id": "int-sentry",
                    "format": "sentry",
                    "key_prefix": sentry_key.key_id,
                    "key_hash": sentry_key.key_hash,
                    "settings": IntegrationSettings(sentry_client_secret=SENTRY_SECRET),
                }
            )
            await store.upsert("integrations", to_doc(sentry))
            return {**keys, "int-burst": issued.secret, "int-sentry": sentry_key.secret}
        finally:
            await store.close()

    keys = asyncio.run(do_seed())
    env = {
        "SQLITE_PATH": str(db),
        "AzureWebJobsStorage": azurite_connection_string,
        "DEVHOST_IDP_ENABLED": "false",
        # A small threshold so the claim-check path runs with a modest body.
        "CLAIMCHECK_THRESHOLD_BYTES": "65536",
    }
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=env)
    yield handle, db, keys
    handle.stop()


@pytest.fixture
async def env(pipeline_host: tuple[DevhostHandle, Path, dict[str, str]]) -> AsyncIterator[Env]:
    host, db, keys = pipeline_host
    yield Env(host, db, keys)


def generic(key_suffix: str, **fields: Any) -> bytes:
    return json.dumps({"title": f"Test {key_suffix}", "id": key_suffix, **fields}).encode()


async def test_alertmanager_firing_duplicate_then_resolved(env: Env) -> None:
    key = env.keys["int-demo-alertmanager"]
    firing = (PAYLOADS / "alertmanager" / "firing.json").read_bytes()
    async with httpx.AsyncClient() as client:
        r = await client.post(env.url(f"/api/integrations/{key}"), content=firing)
        assert r.status_code == 202 and r.json()["status"] == "accepted"
        [incident] = await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="d3b07384d113edec")
        assert incident["status"] == "triggered" and incident["severity"] == "P1"
        assert incident["title"] == "Pod payments/api-7c9f is crash looping"
        assert (
            await client.post(env.url(f"/api/integrations/{key}"), content=firing)
        ).status_code == 202
        await env.wait_incidents(
            lambda xs: xs and xs[0]["alert_count"] == 2, dedup_key="d3b07384d113edec"
        )
        resolved = (PAYLOADS / "alertmanager" / "resolved.json").read_bytes()
        assert (
            await client.post(env.url(f"/api/integrations/{key}"), content=resolved)
        ).status_code == 202
        [done] = await env.wait_incidents(
            lambda xs: xs and xs[0]["status"] == IncidentStatus.RESOLVED,
            dedup_key="d3b07384d113edec",
        )
        assert done["resolved_by"]["kind"] == "source"


async def test_concurrent_posts_of_one_key_make_exactly_one_incident(env: Env) -> None:
    key = env.keys["int-burst"]
    body = generic("burst-1")
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as client:
        results = await asyncio.gather(
            *(client.post(env.url(f"/api/integrations/{key}"), content=body) for _ in range(200))
        )
    accepted = [r for r in results if r.status_code == 202]
    throttled = [r for r in results if r.status_code == 429]
    # The demo integration's bucket holds 100 (300/min): the rest of the burst is told to wait.
    assert len(accepted) + len(throttled) == 200 and len(accepted) >= 100
    assert all(int(r.headers["Retry-After"]) >= 1 for r in throttled)
    items = await env.wait_incidents(
        lambda xs: xs and xs[0]["alert_count"] == len(accepted), within=60, dedup_key="burst-1"
    )
    assert len(items) == 1


async def test_the_key_less_url_takes_the_key_as_bearer_token_or_basic_password(env: Env) -> None:
    # Alertmanager http_config.authorization / basic_auth and Grafana's header or basic auth,
    # with the key kept out of the URL (URLs end up in logs).
    key = env.keys["int-demo-generic"]
    async with httpx.AsyncClient() as client:
        for path, auth, name in (
            ("/api/integrations", {"Authorization": f"Bearer {key}"}, "bearer"),
            ("/api/integrations/", {"Authorization": f"Bearer {key}"}, "slash"),
            ("/api/integrations", None, "basic"),
        ):
            r = await client.post(
                env.url(path),
                content=generic(f"keyless-{name}"),
                headers=auth,
                auth=("alertmanager", key) if auth is None else None,
            )
            assert r.status_code == 202, (name, r.status_code, r.text)
            await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key=f"keyless-{name}")
        anonymous = await client.post(env.url("/api/integrations"), content=generic("keyless-x"))
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"].startswith("application/problem+json")


async def test_pagerduty_compatible_endpoint(env: Env) -> None:
    key = env.keys["int-demo-generic"]
    trigger = json.loads((PAYLOADS / "pagerduty" / "trigger.json").read_text())
    trigger["routing_key"] = key
    trigger["dedup_key"] = "pd-e2e"
    async with httpx.AsyncClient() as client:
        r = await client.post(env.url("/api/pagerduty/v2/enqueue"), json=trigger)
        assert r.status_code == 202
        assert r.json() == {
            "status": "success",
            "message": "Event processed",
            "dedup_key": "pd-e2e",
        }
        await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="pd-e2e")
        r = await client.post(
            env.url("/api/pagerduty/v2/enqueue"),
            json={"routing_key": key, "dedup_key": "pd-e2e", "event_action": "resolve"},
        )
        assert r.status_code == 202
        await env.wait_incidents(
            lambda xs: xs and xs[0]["status"] == "resolved", dedup_key="pd-e2e"
        )
        bad = await client.post(
            env.url("/api/pagerduty/v2/enqueue"),
            json={"routing_key": key, "event_action": "trigger"},
        )
        assert bad.status_code == 400 and bad.json()["status"] == "invalid event"
        generated = await client.post(
            env.url("/api/pagerduty/v2/enqueue"),
            json={**trigger, "dedup_key": None},
        )
        assert generated.status_code == 202 and len(generated.json()["dedup_key"]) == 32


async def test_pdpyras_triggers_and_sends_change_events_that_the_service_keeps(env: Env) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pdpyras announces its successor on import
        import pdpyras

    session = pdpyras.EventsAPISession(env.keys["int-demo-generic"])
    session.url = env.url("/api/pagerduty")  # the base: pdpyras appends /v2/enqueue itself
    dedup = await asyncio.to_thread(
        session.trigger, "Disk full on db-7", "db-7", dedup_key="pd-lib", severity="critical"
    )
    assert dedup == "pd-lib"
    changes = pdpyras.ChangeEventsAPISession(env.keys["int-demo-generic"])
    changes.url = env.url("/api/pagerduty")
    await asyncio.to_thread(
        changes.submit,
        "Deploy api v42",
        source="ci",
        custom_details={"sha": "abc"},
        links=[{"href": "https://ci.example/run/42", "text": "Pipeline"}],
    )
    [incident] = await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="pd-lib")
    assert incident["severity"] == "P1"
    deadline = time.monotonic() + 20
    while True:
        store = await SqliteStore.open(env.db)
        try:
            kept = (await store.query("changes", pk=incident["service_id"], limit=10)).items
        finally:
            await store.close()
        if kept or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    [change] = kept
    assert change["summary"] == "Deploy api v42" and change["links"][0]["url"].endswith("/42")
    async with httpx.AsyncClient() as client:
        bad = await client.post(
            env.url("/api/pagerduty/v2/change/enqueue"),
            json={"routing_key": env.keys["int-demo-generic"], "payload": {}},
        )
        assert bad.status_code == 400 and bad.json()["status"] == "invalid event"


async def test_opsgenie_compatible_create_and_close_by_alias(env: Env) -> None:
    key = env.keys["int-demo-generic"]
    headers = {"Authorization": f"GenieKey {key}"}
    async with httpx.AsyncClient() as client:
        r = await client.post(
            env.url("/api/opsgenie/v2/alerts"),
            json={"message": "Queue backlog", "alias": "og-e2e", "priority": "P2"},
            headers=headers,
        )
        assert r.status_code == 202
        body = r.json()
        assert body["result"] == "Request will be processed" and body["requestId"]
        [incident] = await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="og-e2e")
        assert incident["severity"] == "P2"
        r = await client.post(
            env.url("/api/opsgenie/v2/alerts/og-e2e/close?identifierType=alias"),
            json={"user": "script"},
            headers=headers,
        )
        assert r.status_code == 202
        await env.wait_incidents(
            lambda xs: xs and xs[0]["status"] == "resolved", dedup_key="og-e2e"
        )
        r = await client.post(
            env.url("/api/opsgenie/v2/alerts"), json={"alias": "x"}, headers=headers
        )
        assert r.status_code == 422 and "message" in r.json()


def _opsgenie_alert_api(env: Env, key: str) -> Any:
    import opsgenie_sdk

    conf = opsgenie_sdk.Configuration()
    # The SDK's host is the base URL; it appends /v2/alerts itself.
    conf.host = env.url("/api/opsgenie")
    # A fresh dict: the SDK's Configuration() is a shallow copy of a shared default.
    conf.api_key = {"Authorization": key}
    conf.retry_enabled = False
    return opsgenie_sdk.AlertApi(api_client=opsgenie_sdk.ApiClient(configuration=conf))


async def test_the_official_opsgenie_sdk_creates_and_reads_the_request_result(env: Env) -> None:
    import opsgenie_sdk

    api = _opsgenie_alert_api(env, env.keys["int-demo-generic"])

    def create_and_retrieve() -> tuple[str, Any]:
        payload = opsgenie_sdk.CreateAlertPayload(
            message="SDK alert", alias="og-sdk", priority="P1", description="from the SDK"
        )
        response = api.create_alert(create_alert_payload=payload)
        # Polls GET /v2/alerts/requests/{requestId} until isSuccess (the SDK's own loop).
        return response.request_id, response.retrieve_result()

    request_id, result = await asyncio.to_thread(create_and_retrieve)
    [incident] = await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="og-sdk")
    assert result.data.is_success is True
    assert (result.data.alert_id, result.data.alias) == (incident["id"], "og-sdk")
    assert result.data.action == "Create"

    other_api = _opsgenie_alert_api(env, env.keys["int-demo-alertmanager"])
    own = await asyncio.to_thread(api.get_request_status, request_id=request_id)
    foreign = await asyncio.to_thread(other_api.get_request_status, request_id=request_id)
    assert own.data.is_success is True
    # Another integration's key learns nothing about the request.
    assert foreign.data.is_success is False and foreign.data.alert_id is None

    def close() -> Any:
        response = api.close_alert(
            identifier="og-sdk",
            identifier_type="alias",
            close_alert_payload=opsgenie_sdk.CloseAlertPayload(user="sdk", note="fixed"),
        )
        return response.retrieve_result()

    closed = await asyncio.to_thread(close)
    assert (closed.data.is_success, closed.data.action) == (True, "Close")
    await env.wait_incidents(lambda xs: xs and xs[0]["status"] == "resolved", dedup_key="og-sdk")


async def test_every_opsgenie_compatible_error_is_opsgenie_json(env: Env) -> None:
    headers = {"Authorization": f"GenieKey {env.keys['int-demo-generic']}"}
    async with httpx.AsyncClient() as client:
        for method, path in (
            ("GET", "/api/opsgenie/v2/alerts/abc"),
            ("POST", "/api/opsgenie/v2/alerts/abc/snooze"),
            ("GET", "/api/opsgenie/v1/json/alert"),
            ("GET", "/api/opsgenie/v2/alerts/requests/r1?x=1"),
        ):
            r = await client.request(method, env.url(path), headers={"Authorization": "GenieKey x"})
            assert r.headers["content-type"].startswith("application/json"), path
            body = r.json()
            assert r.status_code in (401, 404) and body["message"] and body["requestId"], path
        pending = await client.get(
            env.url("/api/opsgenie/v2/alerts/requests/" + "0" * 32), headers=headers
        )
        assert pending.status_code == 200 and pending.json()["data"]["isSuccess"] is False


def _sentry_post(name: str) -> tuple[bytes, dict[str, str]]:
    body = (PAYLOADS / "sentry" / name).read_bytes()
    signature = hmac.new(SENTRY_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Sentry-Hook-Signature": signature, "Content-Type": "application/json"}


async def test_sentry_issue_alert_and_issue_webhooks_meet_on_one_incident(env: Env) -> None:
    url = env.url(f"/api/integrations/{env.keys['int-sentry']}")
    async with httpx.AsyncClient() as client:
        body, headers = _sentry_post("issue_alert.json")
        unsigned = await client.post(url, content=body)
        forged = await client.post(url, content=body + b" ", headers=headers)
        assert unsigned.status_code == forged.status_code == 401
        assert (await client.post(url, content=body, headers=headers)).status_code == 202
        key = "sentry-issue:1117540176"
        [incident] = await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key=key)
        assert incident["severity"] == "P2"
        for name in ("issue_created.json", "issue_resolved.json"):
            body, headers = _sentry_post(name)
            assert (await client.post(url, content=body, headers=headers)).status_code == 202
        [done] = await env.wait_incidents(
            lambda xs: xs and xs[0]["status"] == "resolved", dedup_key=key
        )
        assert done["id"] == incident["id"] and done["alert_count"] == 2


async def test_bad_requests_get_clear_4xx(env: Env) -> None:
    key = env.keys["int-demo-generic"]
    async with httpx.AsyncClient() as client:
        wrong = await client.post(
            env.url("/api/integrations/oai_aaaaaaaaaaaa_" + "b" * 43), content=b"{}"
        )
        malformed_key = await client.post(env.url("/api/integrations/nope"), content=b"{}")
        assert wrong.status_code == malformed_key.status_code == 401
        assert wrong.json()["detail"] == malformed_key.json()["detail"]
        assert wrong.headers["content-type"].startswith("application/problem+json")
        bad_json = await client.post(env.url(f"/api/integrations/{key}"), content=b"{not json")
        assert bad_json.status_code == 400 and bad_json.json()["field"] == "$"
        huge = await client.post(
            env.url(f"/api/integrations/{key}"), content=b'{"x":"' + b"a" * (1024 * 1024) + b'"}'
        )
        assert huge.status_code == 413
        am = env.keys["int-demo-alertmanager"]
        wrong_version = await client.post(
            env.url(f"/api/integrations/{am}"), json={"version": "3", "alerts": []}
        )
        assert wrong_version.status_code == 400 and "version" in wrong_version.json()["detail"]


async def test_large_bodies_go_through_the_claim_check(env: Env) -> None:
    key = env.keys["int-demo-generic"]
    body = generic("claim-1", description="x" * 100_000)
    async with httpx.AsyncClient() as client:
        assert (
            await client.post(env.url(f"/api/integrations/{key}"), content=body)
        ).status_code == 202
    await env.wait_incidents(lambda xs: len(xs) == 1, dedup_key="claim-1")


async def test_a_crash_after_202_loses_nothing(env: Env) -> None:
    key = env.keys["int-demo-generic"]
    async with httpx.AsyncClient() as client:
        for i in range(40):
            r = await client.post(
                env.url(f"/api/integrations/{key}"), content=generic(f"crash-{i}")
            )
            assert r.status_code == 202
    env.host.kill()
    env.host.start()
    items = await env.wait_incidents(
        lambda xs: len([x for x in xs if x["dedup_key"].startswith("crash-")]) == 40, within=60
    )
    crash = [x for x in items if x["dedup_key"].startswith("crash-")]
    assert all(x["alert_count"] == 1 for x in crash)


async def test_readiness_checks_store_and_storage(env: Env) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.get(env.url("/api/health/ready"))
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"store": "ok", "claim_check_storage": "ok"}}


def test_readiness_is_503_when_the_store_is_unreachable(tmp_path: Path) -> None:
    # A store path whose directory can never be created: opening the store fails.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    env = {"SQLITE_PATH": str(blocker / "openalert.sqlite"), "DEVHOST_IDP_ENABLED": "false"}
    handle = start_devhost(app_dir=ROOT, state=tmp_path / "state" / "devhost.sqlite", env=env)
    try:
        r = httpx.get(handle.base_url + "/api/health/ready")
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"] == "store is unreachable"
        assert httpx.get(handle.base_url + "/api/health").status_code == 200
    finally:
        handle.stop()
