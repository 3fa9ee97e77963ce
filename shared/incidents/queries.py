"""Incident reads for other domains that follow incidents without a caller (status pages):
by service, without rights checks, so their callers must scope by team themselves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from shared.incidents.service import INCIDENTS
from shared.store.codec import from_doc, utc_iso
from shared.store.port import DocumentStore, eq, gte, in_

#: At most this many incidents are read per call (a status page needs the worst few).
LIMIT = 200


async def incident_team(store: DocumentStore, incident_id: str) -> str | None:
    """The team of an incident (None: there is no such incident)."""
    doc = await store.get(INCIDENTS, incident_id, incident_id)
    return str(doc["team_id"]) if doc else None


async def open_incidents_of_services(
    store: DocumentStore, service_ids: Sequence[str]
) -> list[Incident]:
    """The open (triggered, acknowledged, snoozed) incidents of ``service_ids``."""
    if not service_ids:
        return []
    result = await store.query(
        INCIDENTS,
        where=[
            in_("service_id", sorted(set(service_ids))),
            in_("status", sorted(s.value for s in OPEN_STATUSES)),
        ],
        limit=LIMIT,
    )
    return [from_doc(Incident, d) for d in result.items]


async def resolved_incidents_of_services(
    store: DocumentStore, service_ids: Sequence[str], *, updated_since: datetime
) -> list[Incident]:
    """Incidents of ``service_ids`` resolved (or otherwise last changed) since ``updated_since``."""
    if not service_ids:
        return []
    result = await store.query(
        INCIDENTS,
        where=[
            in_("service_id", sorted(set(service_ids))),
            eq("status", IncidentStatus.RESOLVED.value),
            gte("updated_at", utc_iso(updated_since)),
        ],
        limit=LIMIT,
    )
    return [from_doc(Incident, d) for d in result.items]
