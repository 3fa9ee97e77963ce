"""The ``incidents``, ``timeline`` and ``alerts`` containers: how incidents, their lines and
their older alert records are stored.

Both are the incident package's; the pipeline (which opens and appends to incidents),
escalation, notifications and the Teams bot read and write them through these functions, never
by container name. An incident is partitioned by its own id (``pk`` = ``id``); timeline lines by
their incident's id, so an incident's lines are one partition. Writes take the ETag of the read
they decided on, so a concurrent writer makes the caller decide again instead of being lost.
"""

from __future__ import annotations

import contextlib

from shared.errors import Conflict
from shared.incidents import alertlog
from shared.incidents.models import Incident, IncidentStatus
from shared.store.codec import from_doc, to_doc
from shared.store.port import Condition, Doc, DocumentStore, eq, gte, in_

INCIDENTS = "incidents"
TIMELINE = "timeline"

#: Every status but resolved: what "open" means to the auditor and the bot.
OPEN_STATUSES = [s.value for s in IncidentStatus if s != IncidentStatus.RESOLVED]


async def load_incident(store: DocumentStore, incident_id: str) -> Incident | None:
    """The incident, or None for an id nobody has."""
    doc = await store.get(INCIDENTS, incident_id, incident_id)
    return from_doc(Incident, doc) if doc is not None else None


async def load_incident_for_update(
    store: DocumentStore, incident_id: str
) -> tuple[Incident, str] | None:
    """The incident and the ETag a later :func:`replace_incident` is guarded by."""
    doc = await store.get(INCIDENTS, incident_id, incident_id)
    return (from_doc(Incident, doc), str(doc["_etag"])) if doc is not None else None


async def create_incident(store: DocumentStore, incident: Incident) -> str:
    """Write a new incident (:class:`Conflict` if its id exists); returns its ETag."""
    doc = await store.create(INCIDENTS, to_doc(incident))
    return str(doc["_etag"])


async def replace_incident(store: DocumentStore, incident: Incident, *, etag: str) -> str:
    """Write ``incident`` if unchanged since ``etag`` (else :class:`PreconditionFailed`);
    returns the new ETag."""
    doc = await store.replace(INCIDENTS, to_doc(incident), if_match=etag)
    return str(doc["_etag"])


async def query_incidents(
    store: DocumentStore,
    *,
    where: list[Condition],
    newest_first: bool = False,
    limit: int,
    continuation: str | None = None,
) -> tuple[list[Incident], str | None]:
    """One page of incidents matching ``where``: oldest first by creation when ordered."""
    page = await store.query(
        INCIDENTS,
        where=where,
        order_by=("created_at", True) if newest_first else None,
        limit=limit,
        continuation=continuation,
    )
    return [from_doc(Incident, d) for d in page.items], page.continuation


async def open_incidents(
    store: DocumentStore,
    *,
    team_ids: list[str] | None = None,
    newest_first: bool = False,
    limit: int,
    continuation: str | None = None,
) -> tuple[list[Incident], str | None]:
    """One page of unresolved incidents (of ``team_ids`` when given)."""
    where = [] if team_ids is None else [in_("team_id", team_ids)]
    return await query_incidents(
        store,
        where=[*where, in_("status", OPEN_STATUSES)],
        newest_first=newest_first,
        limit=limit,
        continuation=continuation,
    )


async def incidents_of_key_since(
    store: DocumentStore, dedup_key: str, since: str, *, limit: int, continuation: str | None
) -> tuple[list[Incident], str | None]:
    """One page of the incidents of a dedup key changed at or after ``since`` (UTC ISO)."""
    return await query_incidents(
        store,
        where=[eq("dedup_key", dedup_key), gte("updated_at", since)],
        limit=limit,
        continuation=continuation,
    )


async def incident_by_number(store: DocumentStore, number: int) -> Incident | None:
    """The incident with this number (numbers are unique), or None."""
    found, _ = await query_incidents(store, where=[eq("number", number)], limit=1)
    return found[0] if found else None


async def save_chunk(store: DocumentStore, chunk: Doc) -> None:
    """Write one chunk of alert records an incident no longer holds (``alertlog``); its id is
    derived from its first record, so writing it again is a no-op."""
    with contextlib.suppress(Conflict):
        await store.create(alertlog.CHUNKS, chunk)


async def load_line_doc(store: DocumentStore, incident_id: str, line_id: str) -> Doc | None:
    """One timeline line as stored (its ``data`` as written), or None."""
    return await store.get(TIMELINE, incident_id, line_id)


async def delete_line(store: DocumentStore, incident_id: str, line_id: str) -> None:
    await store.delete(TIMELINE, incident_id, line_id)
