"""The role x team matrix of the authorization rules."""

from __future__ import annotations

from datetime import UTC

import pytest

from shared.auth.access import (
    ALL_TEAMS,
    NO_TEAMS,
    TeamScope,
    can,
    check_secure_webhook_caller,
    parse_roles,
    principal_for_api_key,
    require,
    team_scope,
)
from shared.auth.models import (
    Action,
    ApiKey,
    ApiKeyScope,
    AppRole,
    Principal,
    PrincipalKind,
    TeamRole,
)
from shared.errors import Forbidden, Unauthenticated

R, RI, ACT, CONF = Action.READ, Action.READ_INCIDENTS, Action.ACT, Action.CONFIGURE

# Resources: owned by team a, by team b, by both, and global (no owning team).
A, B, AB, GLOBAL = ("a",), ("b",), ("a", "b"), ()


def user(*roles: AppRole, **teams: TeamRole) -> Principal:
    return Principal(kind=PrincipalKind.USER, id="u", roles=frozenset(roles), teams=teams)


def app(*roles: AppRole) -> Principal:
    return Principal(kind=PrincipalKind.APP, id="app", roles=frozenset(roles))


def key(*scopes: ApiKeyScope, teams: tuple[str, ...] | None = None) -> Principal:
    return Principal(
        kind=PrincipalKind.API_KEY,
        id="k",
        scopes=frozenset(scopes),
        team_limit=None if teams is None else frozenset(teams),
    )


ADMIN, RESP, VIEW = AppRole.ADMIN, AppRole.RESPONDER, AppRole.VIEWER
MEMBER, TADMIN = TeamRole.MEMBER, TeamRole.ADMIN

# (principal, action, resource teams, allowed)
MATRIX: list[tuple[str, Principal, Action, tuple[str, ...], bool]] = [
    # Admin: everything, everywhere.
    *[("admin", user(ADMIN), act, res, True) for act in Action for res in (A, AB, GLOBAL)],
    # Responder, member of a: reads all; acts on a only; configures nothing.
    *[
        ("resp-a", user(RESP, a=MEMBER), act, res, True)
        for act in (R, RI)
        for res in (A, B, GLOBAL)
    ],
    ("resp-a", user(RESP, a=MEMBER), ACT, A, True),
    ("resp-a", user(RESP, a=MEMBER), ACT, AB, True),  # any owning team suffices to act
    ("resp-a", user(RESP, a=MEMBER), ACT, B, False),
    ("resp-a", user(RESP, a=MEMBER), ACT, GLOBAL, False),
    ("resp-a", user(RESP, a=MEMBER), CONF, A, False),
    # Responder, team admin of a: configures a, not b, not both, not global.
    ("resp-ta", user(RESP, a=TADMIN), CONF, A, True),
    ("resp-ta", user(RESP, a=TADMIN), CONF, AB, False),  # all owning teams needed
    ("resp-ta", user(RESP, a=TADMIN, b=MEMBER), CONF, AB, False),
    ("resp-ta2", user(RESP, a=TADMIN, b=TADMIN), CONF, AB, True),
    ("resp-ta", user(RESP, a=TADMIN), CONF, GLOBAL, False),
    ("resp-ta", user(RESP, a=TADMIN), ACT, A, True),
    # Viewer: reads only, even as team admin.
    *[("viewer", user(VIEW, a=TADMIN), act, res, True) for act in (R, RI) for res in (A, GLOBAL)],
    *[("viewer", user(VIEW, a=TADMIN), act, A, False) for act in (ACT, CONF)],
    # No app role: nothing, even with team membership.
    *[("norole", user(a=TADMIN), act, res, False) for act in Action for res in (A, GLOBAL)],
    # Apps: role applies tenant-wide.
    *[("app-admin", app(ADMIN), act, GLOBAL, True) for act in Action],
    ("app-resp", app(RESP), ACT, B, True),
    ("app-resp", app(RESP), RI, GLOBAL, True),
    ("app-resp", app(RESP), CONF, A, False),
    ("app-view", app(VIEW), R, A, True),
    ("app-view", app(VIEW), ACT, A, False),
    ("app-none", app(), R, GLOBAL, False),
    # API keys by scope.
    *[("k-read", key(ApiKeyScope.READ), act, GLOBAL, True) for act in (R, RI)],
    *[("k-read", key(ApiKeyScope.READ), act, A, False) for act in (ACT, CONF)],
    ("k-inc", key(ApiKeyScope.INCIDENTS), RI, A, True),
    ("k-inc", key(ApiKeyScope.INCIDENTS), ACT, A, True),
    ("k-inc", key(ApiKeyScope.INCIDENTS), R, A, False),  # incidents only
    ("k-inc", key(ApiKeyScope.INCIDENTS), CONF, A, False),
    ("k-write", key(ApiKeyScope.WRITE), CONF, GLOBAL, True),
    ("k-write", key(ApiKeyScope.WRITE), R, A, True),
    ("k-write", key(ApiKeyScope.WRITE), ACT, A, False),
    ("k-rw", key(ApiKeyScope.WRITE, ApiKeyScope.INCIDENTS), ACT, A, True),
    # Team-limited keys: only resources of their teams, never global ones.
    ("k-inc-a", key(ApiKeyScope.INCIDENTS, teams=("a",)), ACT, A, True),
    ("k-inc-a", key(ApiKeyScope.INCIDENTS, teams=("a",)), ACT, AB, True),
    ("k-inc-a", key(ApiKeyScope.INCIDENTS, teams=("a",)), ACT, B, False),
    ("k-inc-a", key(ApiKeyScope.INCIDENTS, teams=("a",)), RI, GLOBAL, False),
    ("k-write-a", key(ApiKeyScope.WRITE, teams=("a",)), CONF, A, True),
    ("k-write-a", key(ApiKeyScope.WRITE, teams=("a",)), CONF, AB, False),
    ("k-write-a", key(ApiKeyScope.WRITE, teams=("a",)), CONF, GLOBAL, False),
    ("k-none", key(), R, GLOBAL, False),
]


@pytest.mark.parametrize(
    ("who", "principal", "action", "teams", "allowed"),
    MATRIX,
    ids=[f"{w}-{a.value}-{'+'.join(t) or 'global'}-{ok}" for w, _, a, t, ok in MATRIX],
)
def test_matrix(
    who: str, principal: Principal, action: Action, teams: tuple[str, ...], allowed: bool
) -> None:
    assert can(principal, action, teams) is allowed
    if allowed:
        require(principal, action, teams)
    else:
        with pytest.raises(Forbidden) as info:
            require(principal, action, teams)
        assert info.value.extensions["action"] == action.value


def test_team_scope_for_list_filters() -> None:
    assert team_scope(user(ADMIN), ACT) == ALL_TEAMS
    assert team_scope(user(RESP, a=MEMBER, b=TADMIN), ACT) == TeamScope(
        team_ids=frozenset({"a", "b"})
    )
    assert team_scope(user(RESP, a=MEMBER, b=TADMIN), CONF) == TeamScope(team_ids=frozenset("b"))
    assert team_scope(user(VIEW), ACT) == NO_TEAMS
    assert NO_TEAMS.is_empty and not ALL_TEAMS.is_empty
    assert team_scope(key(ApiKeyScope.READ, teams=("x",)), R).team_ids == {"x"}


def test_parse_roles_ignores_unknown_roles() -> None:
    assert parse_roles(["OpenAlert.Admin", "Something.Else", "openalert.admin"]) == {ADMIN}


def test_api_key_principal_carries_scopes_and_limit() -> None:
    from datetime import datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    record = ApiKey(
        id="abc",
        name="ci",
        key_hash="0" * 64,
        scopes=frozenset({ApiKeyScope.INCIDENTS}),
        team_ids=frozenset({"a"}),
        created_by="u",
        created_at=now,
    )
    principal = principal_for_api_key(record)
    assert principal.kind is PrincipalKind.API_KEY
    assert can(principal, ACT, A) and not can(principal, ACT, B)


AZNS = "461e8683-5575-4561-ac7f-899cc907d62a"


def webhook_app(app_id: str, *roles: str) -> Principal:
    return Principal(kind=PrincipalKind.APP, id="sp", app_id=app_id, token_roles=frozenset(roles))


def test_secure_webhook_caller() -> None:
    check_secure_webhook_caller(webhook_app(AZNS, "ActionGroupsSecureWebhook"))
    check_secure_webhook_caller(
        webhook_app("custom", "Ingest"), allowed_app_ids={"custom"}, required_role="Ingest"
    )
    rejected = [
        webhook_app(AZNS),  # role missing
        webhook_app("someone-else", "ActionGroupsSecureWebhook"),
        Principal(
            kind=PrincipalKind.USER,
            id="u",
            app_id=AZNS,
            token_roles=frozenset({"ActionGroupsSecureWebhook"}),
        ),
    ]
    for principal in rejected:
        with pytest.raises(Unauthenticated):
            check_secure_webhook_caller(principal)
