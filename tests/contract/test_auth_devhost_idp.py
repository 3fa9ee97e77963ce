"""The devhost identity provider, validated by the production token validator over real HTTP."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from devhost import idp, idp_token
from shared.api.router import problem
from shared.auth.access import check_secure_webhook_caller, principal_for_app
from shared.auth.models import AppRole
from shared.auth.tokens import EntraTokenValidator, default_audiences
from shared.catalog.models import Integration, IntegrationSettings
from shared.errors import Unauthenticated
from shared.pipeline.secure_webhook import secure_webhook_check

TENANT = "00000000-0000-4000-8000-00000000a11e"
CLIENT_ID = "00000000-0000-4000-8000-0000000c11e7"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The token command lets the environment win over local.settings.json, like devhost.
    for name in ("DEVHOST_IDP_ENABLED", "ENTRA_AUTHORITY", "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class DevIdp:
    base_url: str
    authority: str
    state_dir: Path
    settings_file: Path


def write_settings(path: Path, authority: str, enabled: bool = True) -> None:
    values = {
        "ENTRA_TENANT_ID": TENANT,
        "ENTRA_CLIENT_ID": CLIENT_ID,
        "ENTRA_AUTHORITY": authority,
        "DEVHOST_IDP_ENABLED": "true" if enabled else "false",
    }
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    # Bind first: install() needs the base URL before the router is frozen.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    return await _start(app, sock), f"http://127.0.0.1:{port}"


async def _start(app: web.Application, sock: socket.socket) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


@pytest.fixture
async def dev_idp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DevIdp]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    authority = base_url + "/.devhost/idp"
    monkeypatch.setenv("DEVHOST_IDP_ENABLED", "true")
    monkeypatch.setenv("ENTRA_AUTHORITY", authority)
    app = web.Application()
    idp.install(app, base_url=base_url, state_dir=tmp_path / "state")
    runner = await _start(app, sock)
    settings_file = tmp_path / "local.settings.json"
    write_settings(settings_file, authority)
    try:
        yield DevIdp(base_url, authority, tmp_path / "state", settings_file)
    finally:
        await runner.cleanup()


def mint(dev: DevIdp, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    argv = [*args, "--state", str(dev.state_dir), "--settings", str(dev.settings_file)]
    assert idp_token.token_main(argv) == 0
    return capsys.readouterr().out.strip()


async def test_metadata_jwks_and_key_file(dev_idp: DevIdp) -> None:
    async with httpx.AsyncClient() as http:
        meta = (
            await http.get(f"{dev_idp.authority}/{TENANT}/v2.0/.well-known/openid-configuration")
        ).json()
        assert meta["issuer"] == f"{dev_idp.authority}/{TENANT}/v2.0"
        jwks = (await http.get(meta["jwks_uri"])).json()
        assert [k["kty"] for k in jwks["keys"]] == ["RSA"]
        assert "d" not in jwks["keys"][0]  # public part only
        bad = await http.get(f"{dev_idp.authority}/..%2F/v2.0/.well-known/openid-configuration")
        assert bad.status_code == 404
    key_file = dev_idp.state_dir / idp.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The same key is loaded again, not regenerated.
    again = idp.public_jwk(idp.load_or_create_key(dev_idp.state_dir))
    assert again["kid"] == jwks["keys"][0]["kid"]


async def test_user_token_validates_with_the_production_validator(
    dev_idp: DevIdp, capsys: pytest.CaptureFixture[str]
) -> None:
    token = mint(dev_idp, capsys, "--user", "Alice@Example.com", "--role", "Admin")
    async with httpx.AsyncClient() as http:
        validator = EntraTokenValidator(
            tenant_id=TENANT,
            audiences=default_audiences(CLIENT_ID),
            http=http,
            authority=dev_idp.authority,
        )
        claims = await validator.validate(token)
        assert claims.oid == idp.user_oid("alice@example.com")
        # The claim as minted; the address OpenAlert stores and looks up is lower case.
        assert (claims.email, claims.mail) == ("Alice@Example.com", "alice@example.com")
        assert claims.roles == ("OpenAlert.Admin",)
        assert not claims.is_app
        # The same identity provider, but a validator configured for another tenant: rejected.
        other = EntraTokenValidator(
            tenant_id="00000000-0000-4000-8000-0000000000ff",
            audiences=[CLIENT_ID],
            http=http,
            authority=dev_idp.authority,
        )
        with pytest.raises(Unauthenticated):
            await other.validate(token)


async def test_app_token_for_secure_webhook(
    dev_idp: DevIdp, capsys: pytest.CaptureFixture[str]
) -> None:
    azns = "461e8683-5575-4561-ac7f-899cc907d62a"
    token = mint(dev_idp, capsys, "--app", azns, "--role", "ActionGroupsSecureWebhook")
    async with httpx.AsyncClient() as http:
        validator = EntraTokenValidator(
            tenant_id=TENANT, audiences=[CLIENT_ID], http=http, authority=dev_idp.authority
        )
        claims = await validator.validate(token)
    assert claims.is_app
    principal = principal_for_app(claims)
    check_secure_webhook_caller(principal)
    assert principal.roles == frozenset()
    with pytest.raises(Unauthenticated):
        check_secure_webhook_caller(principal, allowed_app_ids=["other"])


async def test_secure_webhook_policy_per_integration(
    dev_idp: DevIdp, capsys: pytest.CaptureFixture[str]
) -> None:
    """Microsoft's Azure Monitor app by default; an integration's own app-id list replaces it;
    no validator configured: every secure-webhook call is refused."""
    azns = "461e8683-5575-4561-ac7f-899cc907d62a"
    own = "00000000-0000-4000-8000-00000000a99a"
    role = "ActionGroupsSecureWebhook"
    azns_auth = "Bearer " + mint(dev_idp, capsys, "--app", azns, "--role", role)
    own_auth = "Bearer " + mint(dev_idp, capsys, "--app", own, "--role", role)
    plain = Integration(
        id="int-1",
        name="Azure",
        service_id="svc-1",
        team_id="t1",
        format="azure_monitor",
        key_prefix="p",
        key_hash="h",
    )
    listed = plain.model_copy(
        update={"settings": IntegrationSettings(azure_monitor_app_ids=(own,))}
    )
    async with httpx.AsyncClient() as http:
        check = secure_webhook_check(
            EntraTokenValidator(
                tenant_id=TENANT, audiences=[CLIENT_ID], http=http, authority=dev_idp.authority
            )
        )
        await check(azns_auth, plain)
        await check(own_auth, listed)
        with pytest.raises(Unauthenticated):
            await check(own_auth, plain)
        with pytest.raises(Unauthenticated):
            await check(azns_auth, listed)
    with pytest.raises(Unauthenticated):
        await secure_webhook_check(None)(azns_auth, plain)


async def test_a_token_minted_for_another_port_says_why_in_the_challenge(
    dev_idp: DevIdp, capsys: pytest.CaptureFixture[str]
) -> None:
    other_port = dev_idp.authority.replace(dev_idp.base_url, "http://127.0.0.1:1")
    token = mint(dev_idp, capsys, "--user", "a@example.com", "--authority", other_port)
    async with httpx.AsyncClient() as http:
        validator = EntraTokenValidator(
            tenant_id=TENANT, audiences=[CLIENT_ID], http=http, authority=dev_idp.authority
        )
        with pytest.raises(Unauthenticated) as info:
            await validator.validate(token)
    challenge = problem(info.value).headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="openalert", error="invalid_token"')
    assert f"error_description=\"the token's issuer is not {dev_idp.authority}/" in challenge


def test_role_names_and_stable_oids() -> None:
    assert idp.role_claim("responder") == AppRole.RESPONDER.value
    assert idp.role_claim("Custom.Role") == "Custom.Role"
    assert idp.user_oid("A@x.org") == idp.user_oid(" a@X.org")
    assert idp.user_oid("a@x.org") != idp.user_oid("b@x.org")


def test_token_command_refuses_when_disabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "local.settings.json"
    write_settings(settings, "http://127.0.0.1:1/.devhost/idp", enabled=False)
    argv = ["--user", "a@example.com", "--settings", str(settings), "--state", str(tmp_path)]
    assert idp_token.token_main(argv) == 2
    assert "DEVHOST_IDP_ENABLED" in capsys.readouterr().err
    assert not (tmp_path / idp.KEY_FILE).exists()


def test_token_command_validates_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "local.settings.json"
    write_settings(settings, "http://127.0.0.1:1/.devhost/idp")
    common = ["--settings", str(settings), "--state", str(tmp_path)]
    assert idp_token.token_main(["--user", "a@example.com", "--minutes", "0", *common]) == 2
    assert idp_token.token_main(["--app", "x", "--team", "t1", *common]) == 2
    with pytest.raises(SystemExit):
        idp_token.token_main(common)  # neither --user nor --app


async def test_install_does_nothing_when_disabled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVHOST_IDP_ENABLED", "false")
    app = web.Application()
    idp.install(app, base_url="http://127.0.0.1:9", state_dir=tmp_path)
    runner, base = await serve(app)
    try:
        async with httpx.AsyncClient() as http:
            url = f"{base}/.devhost/idp/{TENANT}/v2.0/.well-known/openid-configuration"
            assert (await http.get(url)).status_code == 404
    finally:
        await runner.cleanup()
    assert not (tmp_path / idp.KEY_FILE).exists()
