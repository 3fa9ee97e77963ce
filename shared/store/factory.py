"""Open the configured store adapter (``STORE_BACKEND``)."""

from __future__ import annotations

from typing import Any

from shared.config import Settings
from shared.store.port import DocumentStore


async def open_store(settings: Settings, *, credential: Any = None) -> DocumentStore:
    """The adapter for ``settings.STORE_BACKEND``, with its tables/containers ensured.

    ``credential`` (an ``azure.identity.aio`` credential) is used by PostgreSQL (Entra token as
    password) and Cosmos DB (RBAC) when no password/key is configured.
    """
    if settings.STORE_BACKEND == "sqlite":
        from shared.store.sqlite import SqliteStore

        return await SqliteStore.open(settings.SQLITE_PATH)
    if settings.STORE_BACKEND == "postgres":
        from shared.store.postgres import PostgresStore

        return await PostgresStore.open(settings.POSTGRES_DSN, credential=credential)
    from shared.store.cosmos import CosmosStore

    return await CosmosStore.open(
        endpoint=settings.COSMOS_ENDPOINT,
        database=settings.COSMOS_DATABASE,
        key=settings.COSMOS_KEY or None,
        credential=credential,
        emulator=settings.COSMOS_EMULATOR,
    )
