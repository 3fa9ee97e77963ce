"""An API key's creator's *current* rights, which bound what the key may do.

A key acts with the intersection of its own scopes and team limit and the rights its creator
holds now (``shared.auth.access.team_scope``): removing a person from a team, demoting a team
admin, deleting their user record or revoking the parent key a key was minted with takes effect
on every key they minted. The creator is re-read at most every :data:`CREATOR_RIGHTS_TTL_S`
seconds per instance (at once on the instance that made the change, which clears the cache).

What "now" means per creator kind:

- a person: their user record: OpenAlert team memberships as they are, app roles as of their
  latest sign-in (Entra ID does not tell OpenAlert when a role is unassigned; the next sign-in
  does). No record: no rights.
- a parent API key: its own scopes and limit, intersected with *its* creator, recursively; a
  revoked, expired or missing parent key: no rights.
- an application (client-credentials token): it has no record to re-read, so the roles it held
  when it minted the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from shared.auth.access import parse_roles, principal_for_api_key, principal_of
from shared.auth.documents import API_KEYS, USERS
from shared.auth.models import ApiKey, Principal, PrincipalKind, User
from shared.store.codec import from_doc
from shared.store.port import DocumentStore
from shared.ttlcache import TtlCache

#: How long a creator's rights are trusted without re-reading them, seconds: the longest a
#: removed membership or a revoked parent key keeps working through a key on other instances.
CREATOR_RIGHTS_TTL_S = 30.0
#: Keys minted by keys minted by keys...: deeper chains get no rights (they cannot arise from
#: normal use, and the bound keeps one request's reads bounded).
MAX_CHAIN = 8

#: A creator that no longer exists or may no longer act.
NO_RIGHTS = Principal(kind=PrincipalKind.USER, id="", display_name="(no rights)")


class CreatorRights:
    """Per-process cache of creators' current rights, keyed by creator."""

    def __init__(
        self,
        *,
        ttl_s: float = CREATOR_RIGHTS_TTL_S,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache: TtlCache[str, Principal] = TtlCache(
            ttl_s=ttl_s, max_entries=max_entries, monotonic=monotonic
        )

    def clear(self) -> None:
        """After a membership change or a revocation through this instance: re-read at once."""
        self._cache.clear()

    async def of(self, store: DocumentStore, key: ApiKey, *, now: datetime) -> Principal:
        """The rights of ``key``'s creator now."""
        return await self._creator(store, key, now, depth=0)

    async def _creator(
        self, store: DocumentStore, key: ApiKey, now: datetime, *, depth: int
    ) -> Principal:
        if key.created_by_kind is PrincipalKind.APP:
            return Principal(
                kind=PrincipalKind.APP,
                id=key.created_by,
                roles=parse_roles(key.creator_roles),
                token_roles=frozenset(key.creator_roles),
            )
        cache_key = f"{key.created_by_kind.value}:{key.created_by}"
        hit, cached = self._cache.get(cache_key)
        if hit and cached is not None:
            return cached
        if key.created_by_kind is PrincipalKind.USER:
            rights = await _person(store, key.created_by)
        else:
            rights = await self._parent(store, key.created_by, now, depth=depth)
        self._cache.put(cache_key, rights)
        return rights

    async def _parent(
        self, store: DocumentStore, key_id: str, now: datetime, *, depth: int
    ) -> Principal:
        if depth >= MAX_CHAIN:
            return NO_RIGHTS
        doc = await store.get(API_KEYS, key_id, key_id)
        try:
            parent = from_doc(ApiKey, doc) if doc is not None else None
        except ValidationError:
            parent = None
        if parent is None or not parent.is_active(now):
            return NO_RIGHTS
        creator = await self._creator(store, parent, now, depth=depth + 1)
        return principal_for_api_key(parent, creator)


async def _person(store: DocumentStore, user_id: str) -> Principal:
    doc = await store.get(USERS, user_id, user_id)
    if doc is None:
        return NO_RIGHTS
    try:
        return principal_of(from_doc(User, doc))
    except ValidationError:
        return NO_RIGHTS
