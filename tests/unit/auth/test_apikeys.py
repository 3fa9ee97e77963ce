"""API-key format, read model and the hot-path cache (in-memory loader; the store-backed
lifecycle is in tests/contract/test_auth_service.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.auth.apikeys import ApiKeyCache, is_api_key, to_read, valid_key_id
from shared.auth.keys import API_KEY
from shared.auth.models import ApiKey
from shared.errors import Unauthenticated
from shared.ttlcache import TtlCache

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def record(key_id: str, key_hash: str, **extra: object) -> ApiKey:
    return ApiKey.model_validate(
        {
            "id": key_id,
            "name": "ci",
            "key_hash": key_hash,
            "scopes": ["read"],
            "created_by": "u",
            "created_at": T0,
            **extra,
        }
    )


def test_format_and_read_model() -> None:
    issued = API_KEY.issue()
    assert is_api_key(issued.secret) and not is_api_key("eyJhbGciOi...")
    assert valid_key_id(issued.key_id) and valid_key_id("123456789012")
    assert not valid_key_id("ABCDEFGHIJKL") and not valid_key_id("short")
    read = to_read(record(issued.key_id, issued.key_hash))
    assert read.prefix == f"oa_{issued.key_id}_" and issued.secret.startswith(read.prefix)
    assert "key_hash" not in read.model_dump()


def test_is_active() -> None:
    key = record("a" * 12, "0" * 64, expires_at=T0 + timedelta(hours=1))
    assert key.is_active(T0) and not key.is_active(T0 + timedelta(hours=1))
    assert not record("a" * 12, "0" * 64, revoked_at=T0).is_active(T0 - timedelta(days=1))
    assert record("a" * 12, "0" * 64).is_active(T0 + timedelta(days=3650))


async def test_cache_validates_expiry_on_every_call_and_throttles_last_used() -> None:
    issued = API_KEY.issue()
    stored = {issued.key_id: record(issued.key_id, issued.key_hash, expires_at=T0 + timedelta(1))}
    loads: list[str] = []

    async def load(key_id: str) -> ApiKey | None:
        loads.append(key_id)
        return stored.get(key_id)

    clock = Clock()
    cache = ApiKeyCache(load=load, monotonic=clock)
    assert (await cache.validate(issued.secret, now=T0)).id == issued.key_id
    assert (await cache.validate(issued.secret, now=T0)).id == issued.key_id
    assert cache.lookups == 1 and loads == [issued.key_id]
    # Expiry is checked against the request time even while cached.
    with pytest.raises(Unauthenticated):
        await cache.validate(issued.secret, now=T0 + timedelta(days=1))

    assert cache.should_record_use(issued.key_id)
    assert not cache.should_record_use(issued.key_id)
    clock.t += 60
    assert cache.should_record_use(issued.key_id)

    cache.forget(issued.key_id)
    del stored[issued.key_id]
    with pytest.raises(Unauthenticated):
        await cache.validate(issued.secret, now=T0)


def test_ttl_cache_bounds_and_expiry() -> None:
    clock = Clock()
    cache: TtlCache[int, str | None] = TtlCache(ttl_s=10, max_entries=3, monotonic=clock)
    for i in range(5):
        cache.put(i, None if i == 4 else str(i))
    assert len(cache) == 3
    assert cache.get(0) == (False, None)  # evicted, least recently used first
    assert cache.get(4) == (True, None)  # a cached "not found" is a hit
    assert cache.get(2) == (True, "2")
    cache.put(5, "5")  # evicts 3, the least recently used now
    assert cache.get(3) == (False, None) and cache.get(2) == (True, "2")
    clock.t += 10
    assert cache.get(2) == (False, None)
    cache.put(1, "1")
    cache.discard(1)
    cache.clear()
    assert len(cache) == 0
