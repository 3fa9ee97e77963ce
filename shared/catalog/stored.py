"""The catalog's containers: ``teams``, ``services``, ``integrations`` and ``routes``.

The catalog package owns them; other packages (the pipeline's heartbeat check, the health
probe, the devhost demo seeding) read and write them through these functions, never by
container name. Each document is partitioned by its own id (``pk`` = ``id``), so the hot-path
reads — an integration by id for every alert, its service — are point reads.
"""

from __future__ import annotations

from shared.catalog.models import Integration, Service, Team
from shared.store.codec import from_doc, to_doc
from shared.store.port import DocumentStore, eq

TEAMS = "teams"
SERVICES = "services"
INTEGRATIONS = "integrations"
ROUTES = "routes"


async def load_team(store: DocumentStore, team_id: str) -> Team | None:
    doc = await store.get(TEAMS, team_id, team_id)
    return from_doc(Team, doc) if doc is not None else None


async def load_service(store: DocumentStore, service_id: str) -> Service | None:
    doc = await store.get(SERVICES, service_id, service_id)
    return from_doc(Service, doc) if doc is not None else None


async def load_integration(store: DocumentStore, integration_id: str) -> Integration | None:
    doc = await store.get(INTEGRATIONS, integration_id, integration_id)
    return from_doc(Integration, doc) if doc is not None else None


async def integration_with_key_prefix(store: DocumentStore, key_id: str) -> Integration | None:
    """The integration whose key has this public prefix (the secret is never a query value)."""
    page = await store.query(INTEGRATIONS, where=[eq("key_prefix", key_id)], limit=1)
    return from_doc(Integration, page.items[0]) if page.items else None


async def integrations_of_format(
    store: DocumentStore, fmt: str, *, limit: int, continuation: str | None
) -> tuple[list[Integration], str | None]:
    """One page of the integrations of one format (``heartbeat``: the ones a timer checks)."""
    page = await store.query(
        INTEGRATIONS, where=[eq("format", fmt)], limit=limit, continuation=continuation
    )
    return [from_doc(Integration, d) for d in page.items], page.continuation


async def put_team(store: DocumentStore, team: Team) -> None:
    """Write the team as it is, created or replaced without an ETag guard (seeding only: use
    cases write through :mod:`shared.catalog.service`, which checks rights and references)."""
    await store.upsert(TEAMS, to_doc(team))


async def put_service(store: DocumentStore, service: Service) -> None:
    """As :func:`put_team`, for a service."""
    await store.upsert(SERVICES, to_doc(service))


async def put_integration(store: DocumentStore, integration: Integration) -> None:
    """As :func:`put_team`, for an integration."""
    await store.upsert(INTEGRATIONS, to_doc(integration))


async def probe(store: DocumentStore) -> None:
    """One small query, for the readiness check: raises if the store does not answer."""
    await store.query(TEAMS, limit=1)
