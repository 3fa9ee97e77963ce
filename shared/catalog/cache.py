"""Per-process cache of the configuration that alert processing reads on every envelope.

An integration, its routes and its service change rarely and are read for every alert, so each
is kept for ``ttl_s`` (``CATALOG_CACHE_SECONDS``). Staleness is bounded by that TTL across
instances; in the instance that made a change through the management API the cache is cleared
at once (``clear``), so a route added and an alert sent right after it meet. A missing document
is not cached: the next envelope looks again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.catalog import stored
from shared.catalog.models import Integration, Route, Service
from shared.catalog.service import routes_of
from shared.store.port import DocumentStore
from shared.ttlcache import TtlCache

V = TypeVar("V")


async def _through(
    cache: TtlCache[str, V], key: str, load: Callable[[], Awaitable[V | None]]
) -> V | None:
    hit, value = cache.get(key)
    if hit:  # only documents found are cached
        return value
    value = await load()
    if value is not None:
        cache.put(key, value)
    return value


class CatalogCache:
    def __init__(self, *, ttl_s: float = 10.0, max_entries: int = 10_000) -> None:
        self._integrations: TtlCache[str, Integration] = TtlCache(
            ttl_s=ttl_s, max_entries=max_entries
        )
        self._routes: TtlCache[str, list[Route]] = TtlCache(ttl_s=ttl_s, max_entries=max_entries)
        self._services: TtlCache[str, Service] = TtlCache(ttl_s=ttl_s, max_entries=max_entries)

    async def integration(self, store: DocumentStore, integration_id: str) -> Integration | None:
        async def load() -> Integration | None:
            return await stored.load_integration(store, integration_id)

        return await _through(self._integrations, integration_id, load)

    async def routes(self, store: DocumentStore, integration_id: str) -> list[Route]:
        async def load() -> list[Route]:
            return await routes_of(store, integration_id)

        return await _through(self._routes, integration_id, load) or []

    async def service(self, store: DocumentStore, service_id: str) -> Service | None:
        async def load() -> Service | None:
            return await stored.load_service(store, service_id)

        return await _through(self._services, service_id, load)

    def clear(self) -> None:
        self._integrations.clear()
        self._routes.clear()
        self._services.clear()
