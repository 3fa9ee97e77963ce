"""An API key never outlives its creator's rights (real SQLite store, the real authenticate path).

A key acts with the intersection of its own scopes and its creator's *current* rights, re-read
at most every 30 s per instance and at once on the instance that made the change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.auth import service
from shared.auth.access import can
from shared.auth.apikeys import ApiKeyCache
from shared.auth.documents import USERS, user_doc
from shared.auth.key_rights import CREATOR_RIGHTS_TTL_S
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
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ALL_SCOPES = frozenset({ApiKeyScope.READ, ApiKeyScope.WRITE, ApiKeyScope.INCIDENTS})


@dataclass
class Clock:
    t: float = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Env:
    store: SqliteStore
    clock: Clock = field(default_factory=Clock)

    def instance(self) -> AuthPorts:
        """One app instance: its own key and rights caches."""

        async def load(key_id: str) -> service.ApiKey | None:
            return await service._read_api_key(self.store, key_id)

        cache = ApiKeyCache(load=load, monotonic=self.clock)
        return AuthPorts(store=self.store, validator=None, api_keys=cache, clock=lambda: NOW)

    async def person(self, user_id: str, role: AppRole, teams: dict[str, TeamRole]) -> Principal:
        user = User(
            id=user_id,
            tenant_id="t",
            teams=teams,
            app_roles=(role.value,),
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await self.store.upsert(USERS, user_doc(user))
        return Principal(kind=PrincipalKind.USER, id=user_id, roles=frozenset({role}), teams=teams)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    store = await SqliteStore.open(tmp_path / "store.sqlite")
    yield Env(store)
    await store.close()


async def mint(env: Env, creator: Principal, teams: frozenset[str] | None = None) -> str:
    created = await service.create_api_key(
        store=env.store,
        creator=creator,
        request=ApiKeyCreate(name="k", scopes=ALL_SCOPES, team_ids=teams),
        now=NOW,
    )
    return created.secret


async def as_key(ports: AuthPorts, secret: str) -> Principal:
    return await service.authenticate(authorization=f"Bearer {secret}", ports=ports)


async def test_leaving_the_team_takes_the_rights_of_every_key_minted(env: Env) -> None:
    lead = await env.person("lead", AppRole.RESPONDER, {"red": TeamRole.ADMIN})
    secret = await mint(env, lead, frozenset({"red"}))
    here, elsewhere = env.instance(), env.instance()
    for ports in (here, elsewhere):
        key = await as_key(ports, secret)
        assert can(key, Action.CONFIGURE, ["red"]) and can(key, Action.ACT, ["red"])

    await service.set_team_role(store=env.store, user_id="lead", team_id="red", role=None, now=NOW)
    here.api_keys.rights.clear()  # what the membership endpoints do on the changing instance
    key = await as_key(here, secret)
    assert not can(key, Action.CONFIGURE, ["red"]) and not can(key, Action.ACT, ["red"])
    # Another instance within the TTL still has the old rights, and not after it.
    assert can(await as_key(elsewhere, secret), Action.ACT, ["red"])
    env.clock.t += CREATOR_RIGHTS_TTL_S
    assert not can(await as_key(elsewhere, secret), Action.ACT, ["red"])
    assert CREATOR_RIGHTS_TTL_S <= 30


async def test_a_demoted_team_admin_key_can_no_longer_configure(env: Env) -> None:
    lead = await env.person("lead", AppRole.RESPONDER, {"red": TeamRole.ADMIN})
    secret = await mint(env, lead, frozenset({"red"}))
    await service.set_team_role(
        store=env.store, user_id="lead", team_id="red", role=TeamRole.MEMBER, now=NOW
    )
    key = await as_key(env.instance(), secret)
    assert can(key, Action.ACT, ["red"]) and not can(key, Action.CONFIGURE, ["red"])


async def test_a_key_never_exceeds_its_creator(env: Env) -> None:
    """A write key minted by an Admin whose role is later a Viewer's (seen at their next
    sign-in, which rewrites the record's roles) may only read."""
    boss = await env.person("boss", AppRole.ADMIN, {})
    secret = await mint(env, boss)
    await env.person("boss", AppRole.VIEWER, {})
    key = await as_key(env.instance(), secret)
    assert can(key, Action.READ) and not can(key, Action.CONFIGURE, ["red"])
    assert not can(key, Action.ACT, ["red"])


async def test_a_deleted_creator_leaves_the_key_no_rights(env: Env) -> None:
    boss = await env.person("boss", AppRole.ADMIN, {})
    secret = await mint(env, boss)
    await env.store.delete(USERS, "boss", "boss")
    key = await as_key(env.instance(), secret)
    assert not any(can(key, a, ["red"]) for a in Action)


async def test_revoking_a_parent_key_stops_the_keys_it_minted(env: Env) -> None:
    boss = await env.person("boss", AppRole.ADMIN, {})
    parent_secret = await mint(env, boss)
    ports = env.instance()
    parent = await as_key(ports, parent_secret)
    child_secret = await mint(env, parent, frozenset({"red"}))
    assert can(await as_key(ports, child_secret), Action.CONFIGURE, ["red"])
    await service.revoke_api_key(
        store=env.store, cache=ports.api_keys, principal=boss, key_id=parent.id, now=NOW
    )
    child = await as_key(ports, child_secret)
    assert not any(can(child, a, ["red"]) for a in Action)


async def test_an_app_minted_key_is_bounded_by_the_apps_roles(env: Env) -> None:
    app = Principal(kind=PrincipalKind.APP, id="daemon", roles=frozenset({AppRole.RESPONDER}))
    with pytest.raises(Exception, match="may not configure"):
        await mint(env, app)
    admin_app = Principal(kind=PrincipalKind.APP, id="ops", roles=frozenset({AppRole.ADMIN}))
    secret = await mint(env, admin_app)
    key = await as_key(env.instance(), secret)
    assert can(key, Action.CONFIGURE, ["red"])
