"""Authentication use cases: who is calling, user provisioning, team roles, API keys.

Ports are passed in, never created here. :class:`AuthPorts` bundles the per-process ones (built
once by the composition root with :func:`build_auth_ports`) so an HTTP function needs one call:

    principal = await authenticate(authorization=req.headers.get("Authorization"), ports=ports)
    require(principal, Action.ACT, incident.team_ids)

Store cost per authenticated request: an Entra user costs one point read of their user record
(plus a patch at most every five minutes for ``last_seen_at``); an app token costs none; an API
key costs none while cached (one point read per key and one of its creator's record, or parent
key chain, per 30 s; one patch per key per minute for ``last_used_at``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from shared.auth import pending
from shared.auth.access import (
    AZURE_MONITOR_WEBHOOK_APP_ID,
    SECURE_WEBHOOK_ROLE,
    can,
    check_secure_webhook_caller,
    parse_roles,
    principal_for_api_key,
    principal_for_app,
    principal_for_user,
    require,
)
from shared.auth.apikeys import ApiKeyCache, is_api_key, to_read, valid_key_id
from shared.auth.documents import API_KEYS, USERS, api_key_doc, user_doc
from shared.auth.headers import bearer_token
from shared.auth.keys import API_KEY
from shared.auth.membership import set_team_role as set_team_role
from shared.auth.models import (
    Action,
    ApiKey,
    ApiKeyCreate,
    ApiKeyRead,
    CreatedApiKey,
    Principal,
    PrincipalKind,
    TokenClaims,
    User,
)
from shared.auth.tokens import INVALID_TOKEN, EntraTokenValidator, default_audiences
from shared.config import Settings
from shared.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OpenAlertError,
    PreconditionFailed,
    Unauthenticated,
)
from shared.store.codec import from_doc, utc_iso
from shared.store.port import DocumentStore, array_contains

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: ``last_seen_at`` is rewritten at most this often per user.
LAST_SEEN_INTERVAL = timedelta(minutes=5)

NO_CREDENTIALS = "A bearer token or API key is required."


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuthPorts:
    """Per-process authentication ports; build once, share across invocations."""

    store: DocumentStore
    #: None when ``ENTRA_TENANT_ID``/``ENTRA_CLIENT_ID`` are not set: only API keys work then.
    validator: EntraTokenValidator | None
    api_keys: ApiKeyCache
    clock: Clock = utc_now


def entra_validator(settings: Settings, http: httpx.AsyncClient) -> EntraTokenValidator | None:
    """The Entra ID token check the settings describe; None when sign-in is not configured."""
    if not (settings.ENTRA_TENANT_ID and settings.ENTRA_CLIENT_ID):
        return None
    return EntraTokenValidator(
        tenant_id=settings.ENTRA_TENANT_ID,
        audiences=default_audiences(
            settings.ENTRA_CLIENT_ID, settings.ENTRA_ALLOWED_AUDIENCES.split(",")
        ),
        http=http,
        authority=settings.ENTRA_AUTHORITY,
    )


def build_auth_ports(
    settings: Settings,
    *,
    store: DocumentStore,
    http: httpx.AsyncClient,
    clock: Clock = utc_now,
) -> AuthPorts:
    validator = entra_validator(settings, http)

    async def load(key_id: str) -> ApiKey | None:
        return await _read_api_key(store, key_id)

    return AuthPorts(store=store, validator=validator, api_keys=ApiKeyCache(load=load), clock=clock)


# --- who is calling ----------------------------------------------------------------------------


async def authenticate(*, authorization: str | None, ports: AuthPorts) -> Principal:
    """The principal behind an ``Authorization`` header: an Entra ID user or app token, or an
    API key. :class:`Unauthenticated` (401) for anything else; ``IdentityProviderUnavailable``
    (503) when Entra ID cannot be reached to check a token."""
    token = bearer_token(authorization)
    if token is None:
        raise Unauthenticated(NO_CREDENTIALS)
    if is_api_key(token):
        return await authenticate_api_key(presented=token, ports=ports)
    if ports.validator is None:
        log.info("token rejected: Entra ID sign-in is not configured (ENTRA_TENANT_ID)")
        raise Unauthenticated(INVALID_TOKEN)
    claims = await ports.validator.validate(token)
    if claims.is_app:
        return principal_for_app(claims)
    user = await provision_user(store=ports.store, claims=claims, now=ports.clock())
    return principal_for_user(claims, user)


async def authenticate_secure_webhook(
    *,
    authorization: str | None,
    validator: EntraTokenValidator | None,
    allowed_app_ids: Sequence[str] = (AZURE_MONITOR_WEBHOOK_APP_ID,),
    required_role: str = SECURE_WEBHOOK_ROLE,
) -> Principal:
    """An Azure Monitor secure-webhook call: a valid app token of an allowed app holding the
    required app role. Any failure is :class:`Unauthenticated` (IdP outage: 503)."""
    token = bearer_token(authorization)
    if token is None or validator is None:
        raise Unauthenticated(NO_CREDENTIALS)
    claims = await validator.validate(token)
    principal = principal_for_app(claims) if claims.is_app else principal_for_user(claims, None)
    check_secure_webhook_caller(
        principal, allowed_app_ids=allowed_app_ids, required_role=required_role
    )
    return principal


# --- users -------------------------------------------------------------------------------------


async def provision_user(*, store: DocumentStore, claims: TokenClaims, now: datetime) -> User:
    """The user record for a signed-in person: created on first sign-in, name and e-mail kept in
    step with the token, ``last_seen_at`` refreshed at most every :data:`LAST_SEEN_INTERVAL`.

    Idempotent and safe under concurrent first requests (a lost create race re-reads)."""
    doc = await store.get(USERS, _pk(claims.oid), claims.oid)
    if doc is None:
        waiting = await pending.claim(store, claims.mail)
        user = User(
            id=claims.oid,
            tenant_id=claims.tid,
            name=claims.name,
            email=claims.mail,
            teams=waiting.teams if waiting else {},
            app_roles=_app_roles(claims),
            created_at=now,
            updated_at=now,
            last_seen_at=now,
        )
        try:
            await store.create(USERS, user_doc(user))
            log.info("provisioned user %s on first sign-in", claims.oid)
            if waiting is not None:
                await pending.finish_claim(store, waiting, user)
            return user
        except Conflict:
            doc = await store.get(USERS, _pk(claims.oid), claims.oid)
            if doc is None:
                raise
    user = from_doc(User, doc)
    changes: dict[str, Any] = {}
    if claims.name and claims.name != user.name:
        changes["name"] = claims.name
    if claims.mail and claims.mail != user.email:
        changes["email"] = claims.mail
    if _app_roles(claims) != user.app_roles:
        changes["app_roles"] = _app_roles(claims)
    if changes or now - user.last_seen_at >= LAST_SEEN_INTERVAL:
        updated = user.model_copy(update={**changes, "last_seen_at": now})
        if changes:
            updated = updated.model_copy(update={"updated_at": now})
        try:
            await store.replace(USERS, user_doc(updated), if_match=doc["_etag"])
        except PreconditionFailed:
            pass  # another request updated it; the next request will see and redo this
        user = updated
    return user


def _app_roles(claims: TokenClaims) -> tuple[str, ...]:
    return tuple(sorted(r.value for r in parse_roles(claims.roles)))


async def get_user(*, store: DocumentStore, user_id: str) -> User:
    doc = await store.get(USERS, _pk(user_id), user_id)
    if doc is None:
        raise NotFound(f"There is no user {user_id!r}.", field="user_id")
    return from_doc(User, doc)


async def list_team_members(
    *,
    store: DocumentStore,
    team_id: str,
    limit: int = 100,
    continuation: str | None = None,
) -> tuple[list[User], str | None]:
    """Users with any role in ``team_id``, one page at a time (a query on ``teams_list``)."""
    page = await store.query(
        USERS, where=[array_contains("teams_list", team_id)], limit=limit, continuation=continuation
    )
    return [from_doc(User, d) for d in page.items], page.continuation


# --- API keys ----------------------------------------------------------------------------------


async def create_api_key(
    *,
    store: DocumentStore,
    creator: Principal,
    request: ApiKeyCreate,
    now: datetime,
) -> CreatedApiKey:
    """Issue a key. The secret is in the result and nowhere else, ever.

    The creator needs the right to configure what the key covers: Admin for an unlimited key,
    team admin of every listed team for a team-limited one."""
    require(creator, Action.CONFIGURE, request.team_ids or ())
    if request.expires_at is not None and request.expires_at <= now:
        raise InvalidInput(
            "expires_at must be in the future.", field="expires_at", expected="a future time"
        )
    issued = API_KEY.issue()
    key = ApiKey(
        id=issued.key_id,
        name=request.name,
        key_hash=issued.key_hash,
        scopes=request.scopes,
        team_ids=request.team_ids,
        created_by=creator.id,
        created_by_kind=creator.kind,
        creator_roles=tuple(sorted(r.value for r in creator.roles))
        if creator.kind is PrincipalKind.APP
        else (),
        created_at=now,
        expires_at=request.expires_at,
    )
    await store.create(API_KEYS, api_key_doc(key))
    log.info(
        "API key %s created by %s (%s)", key.id, creator.id, sorted(s.value for s in key.scopes)
    )
    return CreatedApiKey(key=to_read(key), secret=issued.secret)


async def get_api_key(*, store: DocumentStore, principal: Principal, key_id: str) -> ApiKeyRead:
    key = await _visible_api_key(store, principal, key_id)
    return to_read(key)


async def list_api_keys(
    *,
    store: DocumentStore,
    principal: Principal,
    limit: int = 100,
    continuation: str | None = None,
) -> tuple[list[ApiKeyRead], str | None]:
    """Keys the caller may see (see :func:`_may_manage`), one store page at a time. A page can
    hold fewer than ``limit`` items when some are hidden; follow the continuation."""
    page = await store.query(API_KEYS, limit=limit, continuation=continuation)
    keys = [from_doc(ApiKey, d) for d in page.items]
    return [to_read(k) for k in keys if _may_manage(principal, k)], page.continuation


async def revoke_api_key(
    *,
    store: DocumentStore,
    cache: ApiKeyCache,
    principal: Principal,
    key_id: str,
    now: datetime,
) -> ApiKeyRead:
    """Revoke a key; idempotent (revoking twice keeps the first time). Effective at once on this
    instance, within the cache TTL (30 s) on others; so are the keys minted with it."""
    key = await _visible_api_key(store, principal, key_id)
    if key.revoked_at is None:
        doc = await store.patch(API_KEYS, _pk(key_id), key_id, {"revoked_at": utc_iso(now)})
        key = from_doc(ApiKey, doc)
        log.info("API key %s revoked by %s", key_id, principal.id)
    cache.forget(key_id)
    return to_read(key)


async def authenticate_api_key(*, presented: str, ports: AuthPorts) -> Principal:
    now = ports.clock()
    key = await ports.api_keys.validate(presented, now=now)
    if ports.api_keys.should_record_use(key.id):
        try:
            await ports.store.patch(API_KEYS, _pk(key.id), key.id, {"last_used_at": utc_iso(now)})
        except OpenAlertError as exc:
            # Bookkeeping only: a failed write must not fail an authenticated request.
            log.warning("could not record last use of API key %s: %s", key.id, exc)
    creator = await ports.api_keys.rights.of(ports.store, key, now=now)
    return principal_for_api_key(key, creator)


def _may_manage(principal: Principal, key: ApiKey) -> bool:
    return key.created_by == principal.id or can(principal, Action.CONFIGURE, key.team_ids or ())


async def _visible_api_key(store: DocumentStore, principal: Principal, key_id: str) -> ApiKey:
    key = await _read_api_key(store, key_id) if valid_key_id(key_id) else None
    # A key the caller may not manage is reported as missing, not as forbidden.
    if key is None or not _may_manage(principal, key):
        raise NotFound(f"There is no API key {key_id!r}.", field="key_id")
    return key


async def _read_api_key(store: DocumentStore, key_id: str) -> ApiKey | None:
    doc = await store.get(API_KEYS, _pk(key_id), key_id)
    if doc is None:
        return None
    try:
        return from_doc(ApiKey, doc)
    except ValidationError:
        log.error("API key document %s does not validate; treating it as absent", key_id)
        return None


# --- documents ---------------------------------------------------------------------------------


def _pk(doc_id: str) -> str:
    """Users and API keys are their own partition (see ``shared.auth.documents``)."""
    return doc_id
