"""Incident reads for other domains that follow incidents without a caller (status pages):
by service, without rights checks, so their callers must scope by team themselves. Read
through the container's owner, ``shared.incidents.stored``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.incidents.models import Incident, IncidentStatus
from shared.incidents.stored import OPEN_STATUSES, load_incident, query_incidents
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore, eq, gte, in_

#: At most this many incidents are read per call (a status page needs the worst few).
LIMIT = 200


async def incident_team(store: DocumentStore, incident_id: str) -> str | None:
    """The team of an incident (None: there is no such incident)."""
    incident = await load_incident(store, incident_id)
    return incident.team_id if incident else None


async def open_incidents_of_services(
    store: DocumentStore, service_ids: Sequence[str]
) -> list[Incident]:
    """The open (triggered, acknowledged, snoozed) incidents of ``service_ids``."""
    if not service_ids:
        return []
    found, _ = await query_incidents(
        store,
        where=[in_("service_id", sorted(set(service_ids))), in_("status", OPEN_STATUSES)],
        limit=LIMIT,
    )
    return found


async def resolved_incidents_of_services(
    store: DocumentStore, service_ids: Sequence[str], *, updated_since: datetime
) -> list[Incident]:
    """Incidents of ``service_ids`` resolved (or otherwise last changed) since ``updated_since``."""
    if not service_ids:
        return []
    found, _ = await query_incidents(
        store,
        where=[
            in_("service_id", sorted(set(service_ids))),
            eq("status", IncidentStatus.RESOLVED.value),
            gte("updated_at", utc_iso(updated_since)),
        ],
        limit=LIMIT,
    )
    return found
