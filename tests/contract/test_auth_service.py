"""Authentication use cases against the real SQLite store and the devhost identity provider."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from devhost import idp, idp_token
from shared.auth import service
from shared.auth.access import can
from shared.auth.apikeys import ApiKeyCache
from shared.auth.documents import API_KEYS, USERS, user_doc
from shared.auth.models import (
    Action,
    ApiKeyCreate,
    ApiKeyScope,
    AppRole,
    Principal,
    PrincipalKind,
    TeamRole,
    User,
)
from shared.auth.service import AuthPorts
from shared.auth.tokens import EntraTokenValidator, default_audiences
from shared.config import Settings
from shared.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from shared.store.factory import open_store
from shared.store.port import DocumentStore

TENANT = "00000000-0000-4000-8000-00000000a11e"
CLIENT_ID = "00000000-0000-4000-8000-0000000c11e7"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class Clocks:
    """Wall clock for records, monotonic clock for caches; moved together by tests."""

    def __init__(self) -> None:
        self.now = T0
        self.mono = 0.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


@dataclass
class Env:
    store: DocumentStore
    ports: AuthPorts
    clocks: Clocks
    state_dir: Path
    authority: str

    def token(self, *args: str) -> str:
        key = idp.load_or_create_key(self.state_dir)
        email = args[0]
        roles = list(args[1:])
        return idp.mint_token(
            key,
            issuer=f"{self.authority}/{TENANT}/v2.0",
            tenant_id=TENANT,
            audience=CLIENT_ID,
            roles=roles,
            minutes=60,
            email=email,
        )

    def cache(self) -> ApiKeyCache:
        async def load(key_id: str) -> service.ApiKey | None:
            return await service._read_api_key(self.store, key_id)

        return ApiKeyCache(load=load, monotonic=self.clocks.monotonic)


@pytest.fixture
async def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    authority = base_url + idp.IDP_PATH
    monkeypatch.setenv("DEVHOST_IDP_ENABLED", "true")
    monkeypatch.setenv("ENTRA_AUTHORITY", authority)
    app = web.Application()
    idp.install(app, base_url=base_url, state_dir=tmp_path)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    settings = Settings.model_validate(
        {"STORE_BACKEND": "sqlite", "SQLITE_PATH": str(tmp_path / "store.sqlite")}
    )
    store = await open_store(settings)
    clocks = Clocks()
    async with httpx.AsyncClient() as http:
        validator = EntraTokenValidator(
            tenant_id=TENANT,
            audiences=default_audiences(CLIENT_ID),
            http=http,
            authority=authority,
        )
        e = Env(store, None, clocks, tmp_path, authority)  # type: ignore[arg-type]
        e.ports = AuthPorts(store=store, validator=validator, api_keys=e.cache(), clock=clocks.wall)
        try:
            yield e
        finally:
            await store.close()
            await runner.cleanup()


def admin() -> Principal:
    return Principal(kind=PrincipalKind.USER, id="admin-oid", roles=frozenset({AppRole.ADMIN}))


async def admin_signed_in(store: DocumentStore) -> None:
    """Keys are bounded by their creator's current rights: the admin minting them exists."""
    user = User(
        id="admin-oid",
        tenant_id=TENANT,
        app_roles=(AppRole.ADMIN.value,),
        created_at=T0,
        updated_at=T0,
        last_seen_at=T0,
    )
    await store.upsert(USERS, user_doc(user))


# --- users ---------------------------------------------------------------------------------


async def test_first_sign_in_provisions_and_later_ones_keep_in_sync(env: Env) -> None:
    principal = await service.authenticate(
        authorization="Bearer " + env.token("alice@example.com", "Responder"), ports=env.ports
    )
    assert principal.kind is PrincipalKind.USER
    assert principal.id == idp.user_oid("alice@example.com")
    assert principal.roles == {AppRole.RESPONDER}
    user = await service.get_user(store=env.store, user_id=principal.id)
    assert (user.name, user.email, user.created_at) == ("Alice", "alice@example.com", T0)

    # A minute later: nothing changed, so nothing is written.
    env.clocks.advance(60)
    await service.authenticate(
        authorization="Bearer " + env.token("alice@example.com", "Responder"), ports=env.ports
    )
    assert (await service.get_user(store=env.store, user_id=principal.id)).last_seen_at == T0

    # Six minutes later last_seen moves; a new display name is taken over.
    env.clocks.advance(300)
    key = idp.load_or_create_key(env.state_dir)
    token = idp.mint_token(
        key,
        issuer=f"{env.authority}/{TENANT}/v2.0",
        tenant_id=TENANT,
        audience=CLIENT_ID,
        roles=["Viewer"],
        minutes=60,
        email="alice@example.com",
        name="Alice Renamed",
    )
    principal = await service.authenticate(authorization="Bearer " + token, ports=env.ports)
    user = await service.get_user(store=env.store, user_id=principal.id)
    assert user.name == "Alice Renamed"
    assert user.last_seen_at == user.updated_at == T0 + timedelta(seconds=360)
    assert principal.roles == {AppRole.VIEWER}  # roles always come from the token


async def test_concurrent_first_requests_make_one_user(env: Env) -> None:
    token = "Bearer " + env.token("bob@example.com", "Responder")
    principals = await asyncio.gather(
        *(service.authenticate(authorization=token, ports=env.ports) for _ in range(10))
    )
    assert len({p.id for p in principals}) == 1
    page = await env.store.query(USERS)
    assert len(page.items) == 1


async def test_team_roles_reach_the_principal(env: Env) -> None:
    token = "Bearer " + env.token("carol@example.com", "Responder")
    oid = (await service.authenticate(authorization=token, ports=env.ports)).id
    await service.set_team_role(
        store=env.store, user_id=oid, team_id="payments", role=TeamRole.ADMIN, now=T0
    )
    await service.set_team_role(
        store=env.store, user_id=oid, team_id="web", role=TeamRole.MEMBER, now=T0
    )
    principal = await service.authenticate(authorization=token, ports=env.ports)
    assert principal.teams == {"payments": TeamRole.ADMIN, "web": TeamRole.MEMBER}
    assert can(principal, Action.CONFIGURE, ["payments"])
    assert not can(principal, Action.CONFIGURE, ["web"])
    assert can(principal, Action.ACT, ["web"])

    members, _ = await service.list_team_members(store=env.store, team_id="web")
    assert [m.id for m in members] == [oid]
    await service.set_team_role(store=env.store, user_id=oid, team_id="web", role=None, now=T0)
    await service.set_team_role(store=env.store, user_id=oid, team_id="web", role=None, now=T0)
    assert (await service.list_team_members(store=env.store, team_id="web"))[0] == []
    principal = await service.authenticate(authorization=token, ports=env.ports)
    assert principal.teams == {"payments": TeamRole.ADMIN}
    with pytest.raises(NotFound):
        await service.set_team_role(
            store=env.store, user_id="nobody", team_id="web", role=TeamRole.MEMBER, now=T0
        )
    with pytest.raises(InvalidInput):
        await service.set_team_role(
            store=env.store, user_id=oid, team_id="", role=TeamRole.MEMBER, now=T0
        )


# --- who is calling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer oa_short"]
)
async def test_bad_credentials_are_401(env: Env, authorization: str | None) -> None:
    with pytest.raises(Unauthenticated):
        await service.authenticate(authorization=authorization, ports=env.ports)


async def test_without_entra_configuration_only_api_keys_work(env: Env) -> None:
    await admin_signed_in(env.store)
    created = await service.create_api_key(
        store=env.store,
        creator=admin(),
        request=ApiKeyCreate(name="ci", scopes=frozenset({ApiKeyScope.READ})),
        now=T0,
    )
    ports = AuthPorts(store=env.store, validator=None, api_keys=env.cache(), clock=env.clocks.wall)
    with pytest.raises(Unauthenticated):
        await service.authenticate(
            authorization="Bearer " + env.token("a@example.com", "Admin"), ports=ports
        )
    principal = await service.authenticate(authorization="Bearer " + created.secret, ports=ports)
    assert principal.kind is PrincipalKind.API_KEY


async def test_app_tokens_and_secure_webhook(env: Env) -> None:
    key = idp.load_or_create_key(env.state_dir)
    issuer = f"{env.authority}/{TENANT}/v2.0"
    azns = "461e8683-5575-4561-ac7f-899cc907d62a"

    def app_token(app_id: str, *roles: str) -> str:
        return "Bearer " + idp.mint_token(
            key,
            issuer=issuer,
            tenant_id=TENANT,
            audience=CLIENT_ID,
            roles=list(roles),
            minutes=5,
            app_id=app_id,
        )

    daemon = await service.authenticate(
        authorization=app_token("daemon", "Responder"), ports=env.ports
    )
    assert daemon.kind is PrincipalKind.APP and daemon.roles == {AppRole.RESPONDER}
    assert (await env.store.query(USERS)).items == []  # apps are not provisioned as users

    caller = await service.authenticate_secure_webhook(
        authorization=app_token(azns, "ActionGroupsSecureWebhook"), validator=env.ports.validator
    )
    assert caller.app_id == azns
    for bad in (
        app_token(azns),
        app_token("other-app", "ActionGroupsSecureWebhook"),
        "Bearer " + env.token("alice@example.com", "ActionGroupsSecureWebhook"),
        None,
    ):
        with pytest.raises(Unauthenticated):
            await service.authenticate_secure_webhook(
                authorization=bad, validator=env.ports.validator
            )


# --- API keys --------------------------------------------------------------------------------


async def test_api_key_lifecycle(env: Env) -> None:
    await admin_signed_in(env.store)
    created = await service.create_api_key(
        store=env.store,
        creator=admin(),
        request=ApiKeyCreate(
            name=" deploy bot ",
            scopes=frozenset({ApiKeyScope.INCIDENTS}),
            team_ids=frozenset({"payments"}),
            expires_at=T0 + timedelta(days=1),
        ),
        now=T0,
    )
    secret = created.secret
    assert secret.startswith(created.key.prefix) and created.key.name == "deploy bot"
    # Shown once: neither the read model nor the stored document holds the secret.
    assert secret not in created.key.model_dump_json()
    stored = await env.store.get(API_KEYS, created.key.id, created.key.id)
    assert stored is not None and secret not in str(stored)
    listed = await service.get_api_key(store=env.store, principal=admin(), key_id=created.key.id)
    assert listed == created.key

    principal = await service.authenticate(authorization="Bearer " + secret, ports=env.ports)
    assert principal.kind is PrincipalKind.API_KEY
    assert principal.scopes == {ApiKeyScope.INCIDENTS} and principal.team_limit == {"payments"}
    assert can(principal, Action.ACT, ["payments"]) and not can(principal, Action.ACT, ["web"])

    # Wrong secret with the right id.
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthenticated):
        await service.authenticate(authorization="Bearer " + wrong, ports=env.ports)

    # Revoked: at once through the revoking instance's cache; another instance's cache keeps
    # the key for at most its TTL.
    other_instance = AuthPorts(
        store=env.store, validator=None, api_keys=env.cache(), clock=env.clocks.wall
    )
    await service.authenticate(authorization="Bearer " + secret, ports=other_instance)
    revoked = await service.revoke_api_key(
        store=env.store,
        cache=env.ports.api_keys,
        principal=admin(),
        key_id=created.key.id,
        now=T0 + timedelta(minutes=1),
    )
    assert revoked.revoked_at == T0 + timedelta(minutes=1)
    again = await service.revoke_api_key(
        store=env.store, cache=env.ports.api_keys, principal=admin(), key_id=created.key.id, now=T0
    )
    assert again.revoked_at == revoked.revoked_at  # idempotent, keeps the first time
    with pytest.raises(Unauthenticated):
        await service.authenticate(authorization="Bearer " + secret, ports=env.ports)
    await service.authenticate(authorization="Bearer " + secret, ports=other_instance)
    env.clocks.advance(61)
    with pytest.raises(Unauthenticated):
        await service.authenticate(authorization="Bearer " + secret, ports=other_instance)


async def test_api_key_expiry(env: Env) -> None:
    await admin_signed_in(env.store)
    created = await service.create_api_key(
        store=env.store,
        creator=admin(),
        request=ApiKeyCreate(
            name="short", scopes=frozenset({ApiKeyScope.READ}), expires_at=T0 + timedelta(hours=1)
        ),
        now=T0,
    )
    await service.authenticate(authorization="Bearer " + created.secret, ports=env.ports)
    env.clocks.advance(3600)
    with pytest.raises(Unauthenticated):
        await service.authenticate(authorization="Bearer " + created.secret, ports=env.ports)
    with pytest.raises(InvalidInput) as info:
        await service.create_api_key(
            store=env.store,
            creator=admin(),
            request=ApiKeyCreate(name="x", scopes=frozenset({ApiKeyScope.READ}), expires_at=T0),
            now=T0,
        )
    assert info.value.extensions["field"] == "expires_at"


async def test_last_used_is_recorded_at_most_once_a_minute(env: Env) -> None:
    await admin_signed_in(env.store)
    created = await service.create_api_key(
        store=env.store,
        creator=admin(),
        request=ApiKeyCreate(name="poller", scopes=frozenset({ApiKeyScope.READ})),
        now=T0,
    )
    key_id = created.key.id
    for _ in range(5):
        await service.authenticate(authorization="Bearer " + created.secret, ports=env.ports)
        env.clocks.advance(10)
    read = await service.get_api_key(store=env.store, principal=admin(), key_id=key_id)
    assert read.last_used_at == T0
    env.clocks.advance(30)  # 80 s after the first use
    await service.authenticate(authorization="Bearer " + created.secret, ports=env.ports)
    read = await service.get_api_key(store=env.store, principal=admin(), key_id=key_id)
    assert read.last_used_at == T0 + timedelta(seconds=80)


async def test_who_may_create_and_see_keys(env: Env) -> None:
    await admin_signed_in(env.store)
    team_admin = Principal(
        kind=PrincipalKind.USER,
        id="ta",
        roles=frozenset({AppRole.RESPONDER}),
        teams={"payments": TeamRole.ADMIN},
    )
    responder = Principal(
        kind=PrincipalKind.USER, id="r", roles=frozenset({AppRole.RESPONDER}), teams={}
    )
    scopes = frozenset({ApiKeyScope.INCIDENTS})
    with pytest.raises(Forbidden):
        await service.create_api_key(
            store=env.store,
            creator=team_admin,
            request=ApiKeyCreate(name="x", scopes=scopes),
            now=T0,
        )
    with pytest.raises(Forbidden):
        await service.create_api_key(
            store=env.store,
            creator=responder,
            request=ApiKeyCreate(name="x", scopes=scopes, team_ids=frozenset({"payments"})),
            now=T0,
        )
    mine = await service.create_api_key(
        store=env.store,
        creator=team_admin,
        request=ApiKeyCreate(name="pay", scopes=scopes, team_ids=frozenset({"payments"})),
        now=T0,
    )
    global_key = await service.create_api_key(
        store=env.store, creator=admin(), request=ApiKeyCreate(name="all", scopes=scopes), now=T0
    )
    seen, _ = await service.list_api_keys(store=env.store, principal=team_admin)
    assert [k.id for k in seen] == [mine.key.id]
    seen, _ = await service.list_api_keys(store=env.store, principal=admin())
    assert {k.id for k in seen} == {mine.key.id, global_key.key.id}
    for key_id in (global_key.key.id, "nosuchkey000", "../etc"):
        with pytest.raises(NotFound):
            await service.get_api_key(store=env.store, principal=team_admin, key_id=key_id)
    with pytest.raises(NotFound):
        await service.revoke_api_key(
            store=env.store,
            cache=env.ports.api_keys,
            principal=responder,
            key_id=mine.key.id,
            now=T0,
        )


def test_request_model_rejects_bad_input() -> None:
    from pydantic import ValidationError

    for bad in (
        {"name": "", "scopes": ["read"]},
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": ["read"], "team_ids": []},
        {"name": "x", "scopes": ["read"], "team_ids": [""]},
        {"name": "x", "scopes": ["read"], "expires_at": "2030-01-01T00:00:00"},  # naive
        {"name": "x", "scopes": ["read"], "secret": "chosen"},
    ):
        with pytest.raises(ValidationError):
            ApiKeyCreate.model_validate(bad)


def test_token_command_records_team_memberships(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DEVHOST_IDP_ENABLED", "ENTRA_AUTHORITY", "ENTRA_TENANT_ID", "ENTRA_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("STORE_BACKEND", raising=False)
    monkeypatch.delenv("SQLITE_PATH", raising=False)
    values = {
        "ENTRA_TENANT_ID": TENANT,
        "ENTRA_CLIENT_ID": CLIENT_ID,
        "ENTRA_AUTHORITY": "http://127.0.0.1:7071/.devhost/idp",
        "DEVHOST_IDP_ENABLED": "true",
        "STORE_BACKEND": "sqlite",
        "SQLITE_PATH": str(tmp_path / "store.sqlite"),
    }
    settings_file = tmp_path / "local.settings.json"
    settings_file.write_text(json.dumps({"Values": values}))
    common = ["--settings", str(settings_file), "--state", str(tmp_path)]
    argv = ["--user", "dana@example.com", "--role", "Responder", *common]
    assert idp_token.token_main([*argv, "--team", "payments:admin", "--team", "web"]) == 0
    assert capsys.readouterr().out.count(".") == 2  # one compact JWS on stdout
    assert idp_token.token_main([*argv, "--team", "web:owner"]) == 2

    async def memberships() -> dict[str, TeamRole]:
        store = await open_store(Settings.model_validate(values))
        try:
            user = await service.get_user(store=store, user_id=idp.user_oid("dana@example.com"))
            return user.teams
        finally:
            await store.close()

    assert asyncio.run(memberships()) == {"payments": TeamRole.ADMIN, "web": TeamRole.MEMBER}
