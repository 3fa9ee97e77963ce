"""Who may do what: principals from credentials, and the authorization rules. Pure, no I/O.

The rules (``docs/auth.md`` has the table):

- **Users** get rights from their app role, narrowed by team membership:
  ``OpenAlert.Admin`` may do everything; ``OpenAlert.Responder`` reads everything, acts on
  incidents of the teams they belong to, and configures the teams they are team admin of;
  ``OpenAlert.Viewer`` only reads, whatever their team role. No app role, no access.
- **Applications** (client-credentials tokens) have no team memberships, so their app role
  applies to every team: Admin everything, Responder reads and acts, Viewer reads.
- **API keys** get rights from their scopes (``read``: read all; ``incidents``: read and act on
  incidents; ``write``: read and configure), limited to the key's teams when it has a team limit.

``team_ids`` are the teams that own the resource (empty for global configuration such as the
teams themselves, users, or unlimited API keys). Reading or acting needs a right in *any* owning
team; configuring needs it in *all* of them (a change must not reach into a team the caller
cannot configure, e.g. moving a service to another team checks both).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from shared.auth.models import (
    Action,
    ApiKey,
    ApiKeyScope,
    AppRole,
    Principal,
    PrincipalKind,
    TeamRole,
    TokenClaims,
    User,
)
from shared.auth.tokens import INVALID_TOKEN
from shared.errors import Forbidden, Unauthenticated

log = logging.getLogger(__name__)

READS = frozenset({Action.READ, Action.READ_INCIDENTS})

SCOPE_ACTIONS: dict[ApiKeyScope, frozenset[Action]] = {
    ApiKeyScope.READ: READS,
    ApiKeyScope.WRITE: READS | {Action.CONFIGURE},
    ApiKeyScope.INCIDENTS: frozenset({Action.READ_INCIDENTS, Action.ACT}),
}

#: The first-party "AZNS AAD Webhook" application Azure Monitor action groups call with.
AZURE_MONITOR_WEBHOOK_APP_ID = "461e8683-5575-4561-ac7f-899cc907d62a"
#: The app role Microsoft's secure-webhook setup script creates and assigns to that app.
SECURE_WEBHOOK_ROLE = "ActionGroupsSecureWebhook"


@dataclass(frozen=True)
class TeamScope:
    """The teams in which a principal may perform one action: all of them, or a set."""

    all_teams: bool = False
    team_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.all_teams and not self.team_ids


ALL_TEAMS = TeamScope(all_teams=True)
NO_TEAMS = TeamScope()


def parse_roles(values: Iterable[str]) -> frozenset[AppRole]:
    """Known OpenAlert roles among a token's role strings; others are ignored, not errors."""
    known = {role.value: role for role in AppRole}
    return frozenset(known[v] for v in values if v in known)


def principal_for_user(claims: TokenClaims, user: User | None) -> Principal:
    return Principal(
        kind=PrincipalKind.USER,
        id=claims.oid,
        tenant_id=claims.tid,
        display_name=claims.name or (claims.mail or ""),
        email=claims.mail,
        app_id=claims.client_app_id,
        roles=parse_roles(claims.roles),
        token_roles=frozenset(claims.roles),
        teams=dict(user.teams) if user is not None else {},
    )


def principal_of(user: User) -> Principal:
    """A person acting outside a sign-in (a Teams card click, a key pressed on a call) as the
    API would see them: the roles of their latest sign-in."""
    claims = TokenClaims(
        oid=user.id, tid=user.tenant_id, name=user.name, email=user.email, roles=user.app_roles
    )
    return principal_for_user(claims, user)


def principal_for_app(claims: TokenClaims) -> Principal:
    return Principal(
        kind=PrincipalKind.APP,
        id=claims.oid,
        tenant_id=claims.tid,
        display_name=claims.name or (claims.client_app_id or claims.oid),
        app_id=claims.client_app_id,
        roles=parse_roles(claims.roles),
        token_roles=frozenset(claims.roles),
    )


def principal_for_api_key(key: ApiKey, creator: Principal | None = None) -> Principal:
    return Principal(
        kind=PrincipalKind.API_KEY,
        id=key.id,
        display_name=key.name,
        scopes=key.scopes,
        team_limit=key.team_ids,
        creator=creator,
    )


def _intersect(a: TeamScope, b: TeamScope) -> TeamScope:
    if a.all_teams:
        return b
    if b.all_teams:
        return a
    return TeamScope(team_ids=a.team_ids & b.team_ids)


def team_scope(principal: Principal, action: Action) -> TeamScope:
    """Where ``principal`` may perform ``action``; list endpoints filter by this."""
    if principal.kind is PrincipalKind.API_KEY:
        scopes = principal.scopes or frozenset()
        if not any(action in SCOPE_ACTIONS[s] for s in scopes):
            return NO_TEAMS
        own = (
            ALL_TEAMS if principal.team_limit is None else TeamScope(team_ids=principal.team_limit)
        )
        if principal.creator is None:
            return own
        # A key acts with its own scopes *and* its creator's current rights, never more.
        return _intersect(own, team_scope(principal.creator, action))

    roles = principal.roles
    if AppRole.ADMIN in roles:
        return ALL_TEAMS
    if action in READS:
        return ALL_TEAMS if roles else NO_TEAMS
    if AppRole.RESPONDER not in roles:
        return NO_TEAMS
    if principal.kind is PrincipalKind.APP:
        # An app has no memberships to narrow by; Responder is granted tenant-wide on purpose
        # (use a team-limited API key for team-limited automation).
        return ALL_TEAMS if action is Action.ACT else NO_TEAMS
    if action is Action.ACT:
        return TeamScope(team_ids=frozenset(principal.teams))
    admin_of = frozenset(t for t, r in principal.teams.items() if r is TeamRole.ADMIN)
    return TeamScope(team_ids=admin_of)


def can(principal: Principal, action: Action, team_ids: Collection[str] = ()) -> bool:
    scope = team_scope(principal, action)
    if scope.all_teams:
        return True
    owners = frozenset(team_ids)
    if not owners:
        return False
    if action is Action.CONFIGURE:
        return owners <= scope.team_ids
    return not owners.isdisjoint(scope.team_ids)


def require(principal: Principal, action: Action, team_ids: Collection[str] = ()) -> None:
    """Raise :class:`Forbidden` unless :func:`can` allows it."""
    if not can(principal, action, team_ids):
        raise Forbidden(
            f"The caller may not {action.value.replace('_', ' ')} here.",
            action=action.value,
        )


def require_role(principal: Principal) -> None:
    """A signed-in person with no OpenAlert app role may do nothing (not even list empty
    pages or keep contact methods): raise :class:`Forbidden`. Apps and API keys are judged by
    :func:`can` on each action instead."""
    if principal.kind is PrincipalKind.USER and not principal.roles:
        raise Forbidden("The caller has no OpenAlert role.", action=Action.READ.value)


def check_secure_webhook_caller(
    principal: Principal,
    *,
    allowed_app_ids: Collection[str] = (AZURE_MONITOR_WEBHOOK_APP_ID,),
    required_role: str = SECURE_WEBHOOK_ROLE,
) -> None:
    """An Azure Monitor secure-webhook call must be an app token of an allowed application that
    holds the required app role. Raises :class:`Unauthenticated` (the ingest edge answers 401
    without saying which check failed)."""
    if principal.kind is not PrincipalKind.APP:
        reason = "not an application token"
    elif principal.app_id not in allowed_app_ids:
        reason = f"application {principal.app_id!r} is not allowed"
    elif required_role not in principal.token_roles:
        reason = f"the token lacks the app role {required_role!r}"
    else:
        return
    log.info("secure webhook token rejected: %s", reason)
    raise Unauthenticated(INVALID_TOKEN)
