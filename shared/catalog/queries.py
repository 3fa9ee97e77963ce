"""Integration look-ups for the ingest path, as plain functions over a store.

Ingest needs two questions answered before it trusts a request: which integration owns a
presented key (by its public prefix, so the secret itself is never a query value) and which
integration a path names. Both read the ``integrations`` container, which catalog owns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared.catalog import stored
from shared.catalog.models import Integration
from shared.store.port import DocumentStore

KeyLookup = Callable[[str], Awaitable[tuple[str, Integration] | None]]
IntegrationLoader = Callable[[str], Awaitable[Integration | None]]


def integration_by_key_prefix(store: DocumentStore) -> KeyLookup:
    """``key_id -> (stored key hash, integration)`` for :class:`KeyResolver`; None if unknown."""

    async def lookup(key_id: str) -> tuple[str, Integration] | None:
        integration = await stored.integration_with_key_prefix(store, key_id)
        return (integration.key_hash, integration) if integration is not None else None

    return lookup


def integration_loader(store: DocumentStore) -> IntegrationLoader:
    """``integration_id -> integration`` (None if there is none); the id is its partition key."""

    async def load_integration(integration_id: str) -> Integration | None:
        return await stored.load_integration(store, integration_id)

    return load_integration
