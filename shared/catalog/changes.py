"""Changes of a service (deploys, config changes: PagerDuty Change Events), kept for a month
(the ``changes`` container's TTL).

An incident that opens shortly after a change of its service is often caused by it, so the
incident shows the changes of its service in the :data:`WINDOW` before it opened.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import Link
from shared.catalog.models import Integration
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import DocumentStore, eq, gte, lte

CONTAINER = "changes"
#: How long before an incident opened a change of its service is shown on it.
WINDOW = timedelta(hours=4)


class ServiceChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    service_id: str
    team_id: str
    integration_id: str
    at: datetime = Field(description="When the change happened (the sender's timestamp).")
    summary: str
    source: str = ""
    links: tuple[Link, ...] = ()
    custom_details: Any = None


async def save_change(store: DocumentStore, change: ServiceChange) -> None:
    """Idempotent: the id derives from the request, so a redelivery writes the same document."""
    await store.upsert(CONTAINER, to_doc(change))


def change_of(integration: Integration, *, change_id: str, **fields: Any) -> ServiceChange:
    return ServiceChange(
        id=change_id,
        service_id=integration.service_id,
        team_id=integration.team_id,
        integration_id=integration.id,
        **fields,
    )


async def changes_between(
    store: DocumentStore,
    service_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[ServiceChange]:
    """The service's changes in [since, until] (all it keeps without bounds), newest first."""
    where = [eq("service_id", service_id)]
    if since is not None:
        where.append(gte("at", utc_iso(since)))
    if until is not None:
        where.append(lte("at", utc_iso(until)))
    page = await store.query(
        CONTAINER,
        pk=service_id,
        where=where,
        order_by=("at", True),
        limit=limit,
    )
    return [from_doc(ServiceChange, doc) for doc in page.items]
