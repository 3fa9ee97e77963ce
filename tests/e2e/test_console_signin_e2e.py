"""Console sign-in end to end: MSAL's authorization-code + PKCE flow against devhost's
development identity provider over https (self-signed), the token then accepted by the real
API over http, and the built console served at ``/``."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, free_port, start_devhost, wait_for
from tests.fixtures.seed import seed_paging

TENANT = "00000000-0000-4000-8000-00000000a11e"
API_CLIENT_ID = "00000000-0000-4000-8000-0000000c11e7"
SPA_CLIENT_ID = "11111111-0000-4000-8000-00000000c0de"
CONSOLE = "http://localhost:5173"
REDIRECT = CONSOLE + "/redirect.html"
SCOPE = f"api://{API_CLIENT_ID}/access_as_user openid profile offline_access"


@dataclass
class Idp:
    host: DevhostHandle
    https: httpx.Client
    authority: str
    cert: Path
    integration_key: str


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Idp]:
    state = tmp_path_factory.mktemp("signin")
    dist = state / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>console</title>")
    sqlite = state / "openalert.sqlite"

    async def seed() -> None:
        store = await SqliteStore.open(sqlite)
        now = datetime.now(UTC)
        await store.upsert(
            "users",
            user_doc(
                User(
                    id="demo-carol",
                    tenant_id=TENANT,
                    name="Carol <Demo>",
                    email="carol@example.com",
                    teams={"team-a": TeamRole.MEMBER},
                    app_roles=("OpenAlert.Viewer",),
                    created_at=now,
                    updated_at=now,
                    last_seen_at=now,
                )
            ),
        )
        await store.close()

    keys: dict[str, str] = {}

    async def seed_paging_setup() -> None:
        store = await SqliteStore.open(sqlite)
        keys["int"] = await seed_paging(
            store,
            steps=[
                {"type": "notify_users", "user_ids": ["pager-pat"]},
                {"type": "wait", "minutes": 30},
                {"type": "notify_users", "user_ids": ["pager-pat"]},
            ],
            people=[("pager-pat", "Pat", ("OpenAlert.Responder",))],
            tenant_id=TENANT,
        )
        await store.close()

    asyncio.run(seed())
    asyncio.run(seed_paging_setup())
    https_port = free_port()
    env = {
        "SQLITE_PATH": str(sqlite),
        "DEVHOST_IDP_ENABLED": "true",
        "ENTRA_TENANT_ID": TENANT,
        "ENTRA_CLIENT_ID": API_CLIENT_ID,
        "AzureWebJobsStorage": "",
        "DEVHOST_HTTPS_PORT": str(https_port),
        "DEVHOST_CONSOLE_DIR": str(dist),
        "NOTIFY_BUNDLE_SECONDS": "0",
        "CONSOLE_BASE_URL": "https://console.example/",
        "CONSOLE_ORIGINS": CONSOLE,
    }
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=env)
    cert = state / "devhost-tls-cert.pem"
    https = httpx.Client(
        verify=ssl.create_default_context(cafile=cert), timeout=15, follow_redirects=False
    )
    yield Idp(
        handle,
        https,
        f"https://127.0.0.1:{https_port}/.devhost/idp/{TENANT}/v2.0",
        cert,
        keys["int"],
    )
    https.close()
    handle.stop()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": SPA_CLIENT_ID,
        "scope": SCOPE,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "response_mode": "fragment",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "client_info": "1",  # MSAL's extras are ignored
        "pocd": "1",
        **extra,
    }


def fragment(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


def sign_in(dev: Idp, *, user: str = "demo-carol", role: str = "Responder") -> dict[str, str]:
    verifier, challenge = pkce()
    meta = dev.https.get(dev.authority + "/.well-known/openid-configuration").json()
    form = {**authorize_params(challenge), "user": user, "role": role}
    picked = dev.https.post(meta["authorization_endpoint"], data=form)
    assert picked.status_code == 302, picked.text
    answer = fragment(picked.headers["location"])
    assert answer["state"] == "st-1"
    tokens = dev.https.post(
        meta["token_endpoint"],
        data={
            "client_id": SPA_CLIENT_ID,
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "scope": SCOPE,
            "client_info": "1",
        },
        headers={"Origin": CONSOLE},
    )
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["access-control-allow-origin"] == CONSOLE
    doc: dict[str, str] = tokens.json()
    return doc


def me(dev: Idp, access_token: str) -> httpx.Response:
    return httpx.get(
        dev.host.base_url + "/api/v1/me",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=15,
    )


def test_metadata_over_https_names_the_https_issuer_and_allows_the_console(dev: Idp) -> None:
    r = dev.https.get(
        dev.authority + "/.well-known/openid-configuration", headers={"Origin": CONSOLE}
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == CONSOLE
    meta = r.json()
    # MSAL: the issuer must match the authority's scheme, host and port.
    assert meta["issuer"] == dev.authority
    base = dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0"
    assert meta["authorization_endpoint"] == base + "/authorize"
    assert meta["token_endpoint"] == base + "/token"
    assert meta["end_session_endpoint"] == base + "/logout"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    # Another site gets no CORS grant.
    other = dev.https.get(
        dev.authority + "/.well-known/openid-configuration",
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_the_sign_in_page_lists_people_from_the_store_with_their_roles(dev: Idp) -> None:
    _, challenge = pkce()
    page = dev.https.get(
        dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0/authorize",
        params=authorize_params(challenge),
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "Carol &lt;Demo&gt;" in text and "<Demo>" not in text  # escaped
    assert "team-a: member" in text
    assert 'value="Viewer" selected' in text  # her stored role is the default pick
    assert 'name="code_challenge" value="' + challenge + '"' in text


def test_code_flow_with_pkce_gives_tokens_the_api_accepts(dev: Idp) -> None:
    tokens = sign_in(dev, role="Responder")
    assert tokens["token_type"] == "Bearer" and int(tokens["expires_in"]) == 3600
    assert tokens["refresh_token"] and tokens["id_token"]
    info = json.loads(base64.urlsafe_b64decode(tokens["client_info"] + "=="))
    assert info == {"uid": "demo-carol", "utid": TENANT}
    id_claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_claims["aud"] == SPA_CLIENT_ID and id_claims["nonce"] == "n-1"
    assert id_claims["iss"] == dev.authority
    r = me(dev, tokens["access_token"])
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "demo-carol"
    assert r.json()["roles"] == ["OpenAlert.Responder"]
    assert r.json()["teams"] == {"team-a": "member"}


def test_refresh_token_grant_renews_access(dev: Idp) -> None:
    tokens = sign_in(dev, role="Viewer")
    renewed = dev.https.post(
        dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0/token",
        data={
            "client_id": SPA_CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "scope": SCOPE,
        },
        headers={"Origin": CONSOLE},
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.headers["access-control-allow-origin"] == CONSOLE
    r = me(dev, renewed.json()["access_token"])
    assert r.status_code == 200 and r.json()["roles"] == ["OpenAlert.Viewer"]
    # An access token is not a refresh token.
    wrong = dev.https.post(
        dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0/token",
        data={
            "client_id": SPA_CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": tokens["access_token"],
        },
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_a_code_needs_its_verifier_and_works_once(dev: Idp) -> None:
    verifier, challenge = pkce()
    endpoint = dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0"
    picked = dev.https.post(
        endpoint + "/authorize",
        data={**authorize_params(challenge, response_mode="query"), "email": "dan@example.com"},
    )
    location = picked.headers["location"]
    assert location.startswith(REDIRECT + "?")
    code = parse_qs(urlsplit(location).query)["code"][0]
    redeem = {
        "client_id": SPA_CLIENT_ID,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
    }
    bad = dev.https.post(endpoint + "/token", data={**redeem, "code_verifier": pkce()[0]})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    # A failed attempt burns the code, as does a successful one.
    again = dev.https.post(endpoint + "/token", data={**redeem, "code_verifier": verifier})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    unsupported = dev.https.post(endpoint + "/token", data={"grant_type": "password"})
    assert unsupported.json()["error"] == "unsupported_grant_type"


def test_authorize_refuses_what_it_must(dev: Idp) -> None:
    endpoint = dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0/authorize"
    _, challenge = pkce()
    # Never redirects off this machine.
    off = dev.https.get(
        endpoint, params=authorize_params(challenge, redirect_uri="https://evil.example/cb")
    )
    assert off.status_code == 400 and "location" not in off.headers
    # No PKCE: the error goes back to the client, with its state.
    plain = dev.https.get(
        endpoint, params=authorize_params(challenge, code_challenge_method="plain")
    )
    answer = fragment(plain.headers["location"])
    assert answer["error"] == "invalid_request" and answer["state"] == "st-1"


def test_prompt_none_completes_from_the_session_cookie(dev: Idp) -> None:
    endpoint = dev.authority.removesuffix("/v2.0") + "/oauth2/v2.0/authorize"
    _, challenge = pkce()
    with httpx.Client(verify=ssl.create_default_context(cafile=dev.cert), timeout=15) as fresh:
        silent = fresh.get(endpoint, params=authorize_params(challenge, prompt="none"))
        assert fragment(silent.headers["location"])["error"] == "login_required"
        fresh.post(endpoint, data={**authorize_params(challenge), "user": "demo-carol"})
        again = fresh.get(endpoint, params=authorize_params(challenge, prompt="none"))
        assert "code" in fragment(again.headers["location"])


def test_devhost_serves_the_console_at_the_root(dev: Idp) -> None:
    r = httpx.get(dev.host.base_url + "/incidents/abc", timeout=15)
    assert r.status_code == 200 and "<title>console</title>" in r.text
    assert r.headers["cache-control"] == "no-cache"
    api = httpx.get(dev.host.base_url + "/api/v1/nothing-here", timeout=15)
    assert api.status_code == 401 or api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")


def test_the_key_of_the_certificate_is_private(dev: Idp) -> None:
    key = dev.cert.with_name("devhost-tls-key.pem")
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_the_api_answers_the_console_origin_with_cors_and_conditional_gets(dev: Idp) -> None:
    api = dev.host.base_url + "/api/v1/incidents"
    pre = httpx.options(
        api,
        headers={
            "Origin": CONSOLE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,if-none-match",
        },
        timeout=15,
    )
    assert pre.status_code == 204, pre.text
    assert pre.headers["access-control-allow-origin"] == CONSOLE
    allowed = pre.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "if-none-match" in allowed
    token = sign_in(dev)["access_token"]
    auth = {"Authorization": f"Bearer {token}", "Origin": CONSOLE}
    first = httpx.get(api, headers=auth, timeout=15)
    assert first.status_code == 200
    assert first.headers["access-control-allow-origin"] == CONSOLE
    assert "ETag" in first.headers["access-control-expose-headers"]
    again = httpx.get(api, headers={**auth, "If-None-Match": first.headers["etag"]}, timeout=15)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["access-control-allow-origin"] == CONSOLE
    # Another site: no grant, and its preflight gets none either.
    other = httpx.get(api, headers={**auth, "Origin": "https://evil.example"}, timeout=15)
    assert "access-control-allow-origin" not in other.headers
    evil = httpx.options(
        api,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        timeout=15,
    )
    assert "access-control-allow-origin" not in evil.headers


def test_notifications_link_to_the_console(dev: Idp) -> None:
    r = httpx.post(
        dev.host.base_url + f"/api/integrations/{dev.integration_key}",
        json={"title": "console link check", "dedup_key": "console-link"},
        timeout=15,
    )
    assert r.status_code == 202, r.text
    wait_for(lambda: "https://console.example/incidents/" in dev.host.run_log(), timeout=30)
    line = next(
        ln for ln in dev.host.run_log().splitlines() if "https://console.example/incidents/" in ln
    )
    assert "console link check" in line
    # The incident's escalation progress, read from the running orchestration in devhost.
    incident_id = line.split("https://console.example/incidents/", 1)[1].split()[0]
    token = sign_in(dev, role="Viewer")["access_token"]

    def progress() -> dict[str, object]:
        r = httpx.get(
            dev.host.base_url + f"/api/v1/incidents/{incident_id}/escalation",
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    wait_for(lambda: progress()["state"] == "waiting", timeout=30)
    body = progress()
    assert (body["current_step"], body["next_step"]) == (1, 3)
    assert isinstance(body["next_at"], str) and body["policy_version"] == 1
    pages = body["pages"]
    assert isinstance(pages, list) and pages[0]["user_id"] == "pager-pat"
    assert pages[0]["user_name"] == "Pat"
