"""Per-process cache of the configuration that alert processing reads on every envelope.

An integration, its routes and its service change rarely and are read for every alert, so each
is kept for ``ttl_s`` (``CATALOG_CACHE_SECONDS``). Staleness is bounded by that TTL across
instances; in the instance that made a change through the management API the cache is cleared
at once (``clear``), so a route added and an alert sent right after it meet. A missing document
is not cached: the next envelope looks again.
"""

from __future__ import annotations

from shared.auth.cache import TtlCache
from shared.catalog.models import MAX_ROUTES, Integration, Route, Service
from shared.store.codec import from_doc
from shared.store.port import DocumentStore, eq


class CatalogCache:
    def __init__(self, *, ttl_s: float = 10.0, max_entries: int = 10_000) -> None:
        self._integrations: TtlCache[str, Integration] = TtlCache(
            ttl_s=ttl_s, max_entries=max_entries
        )
        self._routes: TtlCache[str, list[Route]] = TtlCache(ttl_s=ttl_s, max_entries=max_entries)
        self._services: TtlCache[str, Service] = TtlCache(ttl_s=ttl_s, max_entries=max_entries)

    async def integration(self, store: DocumentStore, integration_id: str) -> Integration | None:
        hit, value = self._integrations.get(integration_id)
        if hit and value is not None:
            return value
        doc = await store.get("integrations", integration_id, integration_id)
        if doc is None:
            return None
        integration = from_doc(Integration, doc)
        self._integrations.put(integration_id, integration)
        return integration

    async def routes(self, store: DocumentStore, integration_id: str) -> list[Route]:
        hit, value = self._routes.get(integration_id)
        if hit and value is not None:
            return value
        page = await store.query(
            "routes", where=[eq("integration_id", integration_id)], limit=MAX_ROUTES
        )
        routes = [from_doc(Route, d) for d in page.items]
        self._routes.put(integration_id, routes)
        return routes

    async def service(self, store: DocumentStore, service_id: str) -> Service | None:
        hit, value = self._services.get(service_id)
        if hit and value is not None:
            return value
        doc = await store.get("services", service_id, service_id)
        if doc is None:
            return None
        service = from_doc(Service, doc)
        self._services.put(service_id, service)
        return service

    def clear(self) -> None:
        self._integrations.clear()
        self._routes.clear()
        self._services.clear()
