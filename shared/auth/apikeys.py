"""API keys for automation: issuing, the read model, and the hot-path cache.

Keys are ``oa_<id>_<secret>`` (:data:`shared.auth.keys.API_KEY`); see :mod:`shared.auth.keys` for
why a SHA-256 hash is the right storage for them. Persistence and the use cases are in
:mod:`shared.auth.service`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from shared.auth.integration_keys import KeyResolver
from shared.auth.key_rights import CREATOR_RIGHTS_TTL_S, CreatorRights
from shared.auth.keys import API_KEY, ID_ALPHABET, ID_CHARS
from shared.auth.models import ApiKey, ApiKeyRead
from shared.errors import Unauthenticated
from shared.ttlcache import TtlCache

#: How long a validated (or unknown) key is trusted without re-reading the store, seconds. This is
#: the revocation latency on other instances (the same as for a creator's rights).
API_KEY_CACHE_TTL_S = CREATOR_RIGHTS_TTL_S
#: ``last_used_at`` is written at most this often per key (per instance), seconds.
LAST_USED_INTERVAL_S = 60.0

EXPIRED_OR_REVOKED = "The API key is not valid."


def is_api_key(token: str) -> bool:
    """Whether a bearer token is an OpenAlert API key rather than an Entra ID JWT."""
    return API_KEY.owns(token)


def to_read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        name=key.name,
        prefix=f"{API_KEY.prefix}{key.id}_",
        scopes=key.scopes,
        team_ids=key.team_ids,
        created_by=key.created_by,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


class ApiKeyCache:
    """Per-process cache in front of the ``api_keys`` container.

    ``load(key_id)`` reads the stored key (None if there is none). A key revoked or expired
    elsewhere stops working here within :data:`API_KEY_CACHE_TTL_S`; one revoked through this
    instance (:meth:`forget`) stops at once.
    """

    def __init__(
        self,
        *,
        load: Callable[[str], Awaitable[ApiKey | None]],
        ttl_s: float = API_KEY_CACHE_TTL_S,
        last_used_interval_s: float = LAST_USED_INTERVAL_S,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        async def lookup(key_id: str) -> tuple[str, ApiKey] | None:
            key = await load(key_id)
            return None if key is None else (key.key_hash, key)

        self._resolver: KeyResolver[ApiKey] = KeyResolver(
            lookup=lookup,
            key_format=API_KEY,
            ttl_s=ttl_s,
            max_entries=max_entries,
            monotonic=monotonic,
        )
        self._last_used: TtlCache[str, bool] = TtlCache(
            ttl_s=last_used_interval_s, max_entries=max_entries, monotonic=monotonic
        )
        #: Creators' current rights, which bound every key (see :mod:`shared.auth.key_rights`).
        self.rights = CreatorRights(max_entries=max_entries, monotonic=monotonic)

    @property
    def lookups(self) -> int:
        return self._resolver.lookups

    async def validate(self, presented: str, *, now: datetime) -> ApiKey:
        """The stored key for ``presented``; :class:`Unauthenticated` if it is unknown, wrong,
        expired or revoked (one message for all of them)."""
        key = await self._resolver.resolve(presented)
        if not key.is_active(now):
            raise Unauthenticated(EXPIRED_OR_REVOKED)
        return key

    def should_record_use(self, key_id: str) -> bool:
        """True at most once per interval per key: the caller then writes ``last_used_at``."""
        hit, _ = self._last_used.get(key_id)
        if hit:
            return False
        self._last_used.put(key_id, True)
        return True

    def forget(self, key_id: str) -> None:
        """A key was revoked here: it, and every key minted with it, stop at once."""
        self._resolver.forget(key_id)
        self.rights.clear()


def valid_key_id(key_id: str) -> bool:
    return len(key_id) == ID_CHARS and all(c in ID_ALPHABET for c in key_id)
