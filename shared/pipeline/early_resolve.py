"""A resolve that came before its trigger is remembered for a while.

Azure Monitor's action groups retry a failed call on their own schedule, so a ``Resolved`` can
reach us before its ``Fired`` (or a retried ``Fired`` after the incident was resolved). Without
memory the late ``Fired`` opens an incident nothing will ever resolve. So every resolve from such
a source leaves a small marker for :data:`WINDOW`, and a trigger that would open an incident
for the key is dropped when it fired no later than that resolve (the ``Fired`` of the alert
instance the resolve ended; a new firing after it has a later fired time and opens as usual).

Markers live in the ``processed`` container (point reads by id, documents expire by ``ttl``), so
only sources that deliver out of order pay the extra read on a new incident.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from shared.alerts.models import AlertEvent, SourceFormat
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore

CONTAINER = "processed"
#: How long a resolve is remembered (Azure's retries of one call span minutes).
WINDOW = timedelta(hours=1)
#: Sources whose retries can reorder a resolve before its trigger.
OUT_OF_ORDER_SOURCES = frozenset({SourceFormat.AZURE_MONITOR})


def _marker_id(integration_id: str, dedup_key: str) -> str:
    digest = hashlib.sha256(f"{integration_id}\n{dedup_key}".encode()).hexdigest()[:40]
    return f"early-resolve-{digest}"


async def remember(
    store: DocumentStore, integration_id: str, event: AlertEvent, *, now: datetime
) -> None:
    if event.source not in OUT_OF_ORDER_SOURCES or event.action != "resolve":
        return
    marker = _marker_id(integration_id, event.dedup_key)
    await store.upsert(
        CONTAINER,
        {
            "id": marker,
            "pk": marker,
            "resolved_at": utc_iso(event.occurred_at),
            "expires_at": utc_iso(now + WINDOW),
            "ttl": int(WINDOW.total_seconds()),
        },
    )


async def resolved_already(
    store: DocumentStore, integration_id: str, event: AlertEvent, *, now: datetime
) -> bool:
    """Whether a remembered resolve ends the alert instance ``event`` would open."""
    if event.source not in OUT_OF_ORDER_SOURCES or event.action != "trigger":
        return False
    marker = _marker_id(integration_id, event.dedup_key)
    doc = await store.get(CONTAINER, marker, marker)
    if doc is None or str(doc.get("expires_at", "")) <= utc_iso(now):
        return False
    return utc_iso(event.occurred_at) <= str(doc.get("resolved_at", ""))
