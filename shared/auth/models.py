"""Who is calling, and the records authentication keeps (users, API keys)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TeamId = Annotated[str, Field(min_length=1, max_length=200)]


class AppRole(StrEnum):
    """App roles defined on the OpenAlert app registration; the token's ``roles`` claim."""

    ADMIN = "OpenAlert.Admin"
    RESPONDER = "OpenAlert.Responder"
    VIEWER = "OpenAlert.Viewer"


class TeamRole(StrEnum):
    """A user's right inside one team, granted in OpenAlert (not in Entra ID)."""

    ADMIN = "admin"
    MEMBER = "member"


class ApiKeyScope(StrEnum):
    READ = "read"  # read configuration and incidents
    WRITE = "write"  # read and change configuration
    INCIDENTS = "incidents"  # read incidents and act on them, nothing else


class PrincipalKind(StrEnum):
    USER = "user"  # delegated Entra token (a person signed in)
    APP = "app"  # Entra client-credentials token (a service principal, e.g. Azure Monitor)
    API_KEY = "api_key"  # an OpenAlert API key (automation)


class Action(StrEnum):
    """What a request wants to do; ``shared.auth.access`` decides whether it may."""

    READ = "read"  # configuration, directory, on-call
    READ_INCIDENTS = "read_incidents"  # incidents, alerts, timelines
    ACT = "act"  # incident actions: acknowledge, resolve, snooze, escalate, note
    CONFIGURE = "configure"  # change configuration (team-owned or global)


class Principal(BaseModel):
    """The authenticated caller. Built per request; never persisted."""

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind
    #: Entra object id (users and apps) or the API key id.
    id: str
    tenant_id: str | None = None
    display_name: str = ""
    email: str | None = None
    #: The calling client application (``azp``/``appid``); for app tokens, the app itself.
    app_id: str | None = None
    roles: frozenset[AppRole] = frozenset()
    #: Every role string of the token, including ones OpenAlert does not define (the Azure
    #: Monitor secure-webhook role, for instance).
    token_roles: frozenset[str] = frozenset()
    #: Team id -> role, from the user record. Empty for apps and API keys.
    teams: dict[str, TeamRole] = Field(default_factory=dict)
    #: API keys only: what the key may do, and the teams it is limited to (None = all teams).
    scopes: frozenset[ApiKeyScope] | None = None
    team_limit: frozenset[str] | None = None
    #: API keys only: the rights of whoever minted the key, as they are *now* (a person's
    #: current roles and teams, the parent key's own intersection). A key never does more than
    #: its creator could; None only for principals built outside authentication (tests).
    creator: Principal | None = None


class TokenClaims(BaseModel):
    """The claims of a validated Entra ID v2 access token that OpenAlert uses."""

    model_config = ConfigDict(frozen=True)

    oid: str
    tid: str
    sub: str = ""
    name: str = ""
    preferred_username: str | None = None
    email: str | None = None
    upn: str | None = None
    roles: tuple[str, ...] = ()
    scp: str | None = None
    idtyp: str | None = None
    azp: str | None = None
    appid: str | None = None

    @property
    def is_app(self) -> bool:
        """Client-credentials token: ``idtyp=app`` when the optional claim is configured;
        otherwise an app-only token is recognisable by having no delegated scopes."""
        if self.idtyp is not None:
            return self.idtyp == "app"
        return self.scp is None

    @property
    def client_app_id(self) -> str | None:
        return self.azp or self.appid

    @property
    def mail(self) -> str | None:
        """Best e-mail-like identifier: ``email`` (optional claim), then the sign-in name;
        lower case, as every stored address is, so a lookup by e-mail finds the person whatever
        case Entra or the person typing it used."""
        found = self.email or self.preferred_username or self.upn
        return found.strip().lower() if found else None


class User(BaseModel):
    """A person, provisioned on first sign-in. Document id = Entra object id (``oid``)."""

    id: str
    tenant_id: str
    name: str = ""
    email: str | None = None
    #: Team id -> role. Written by the team-membership use cases, read on every request.
    teams: dict[str, TeamRole] = Field(default_factory=dict)
    #: OpenAlert app roles from the person's latest token. Channels without a token of their
    #: own (Teams card clicks) authorize with these, so they match what the API allows.
    app_roles: tuple[str, ...] = ()
    #: sha256 of the secret in this person's calendar subscription URL (None: none issued).
    ical_token_hash: str | None = None
    #: Added by e-mail and not signed in yet (``shared.auth.pending``): schedules may name them;
    #: their first sign-in replaces this record with the real one.
    pending: bool = False
    created_at: AwareDatetime
    updated_at: AwareDatetime
    last_seen_at: AwareDatetime


class ApiKey(BaseModel):
    """A stored API key. The secret itself is never stored: only its SHA-256."""

    #: Non-secret lookup id, also the key's visible prefix (``oa_<id>_...``).
    id: str
    name: str = Field(min_length=1, max_length=200)
    #: Lowercase hex SHA-256 of the whole key text.
    key_hash: str
    scopes: frozenset[ApiKeyScope] = Field(min_length=1)
    #: Teams the key is limited to; None = not team-limited.
    team_ids: frozenset[str] | None = None
    created_by: str
    #: What ``created_by`` is: a person (their user record), an application, or a parent key.
    created_by_kind: PrincipalKind = PrincipalKind.USER
    #: Application creators only: their OpenAlert app roles when they minted the key (an app
    #: has no record to re-read; its key is bounded by what it held then).
    creator_roles: tuple[str, ...] = ()
    created_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    last_used_at: AwareDatetime | None = None

    def is_active(self, now: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at


class ApiKeyCreate(BaseModel):
    """A request to create an API key (the management API's request body)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="What the key is for.")
    scopes: frozenset[ApiKeyScope] = Field(min_length=1)
    team_ids: frozenset[TeamId] | None = Field(
        default=None,
        min_length=1,
        description="Limit the key to these teams; omit for a key that is not team-limited.",
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working; omit for no expiry."
    )


class ApiKeyRead(BaseModel):
    """An API key as the API shows it after creation: everything but the hash."""

    id: str
    name: str
    prefix: str
    scopes: frozenset[ApiKeyScope]
    team_ids: frozenset[str] | None
    created_by: str
    created_at: AwareDatetime
    expires_at: AwareDatetime | None
    revoked_at: AwareDatetime | None
    last_used_at: AwareDatetime | None


class CreatedApiKey(BaseModel):
    """The answer to creating a key: the only time the secret is shown."""

    key: ApiKeyRead
    secret: str
