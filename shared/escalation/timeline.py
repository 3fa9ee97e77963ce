"""How escalation writes to an incident's timeline: one actor, one kind, derived entry ids.

Every line escalation writes is keyed by its caller (a step's idempotency key, the incident's
id and an event), so activities that run again write the same entry instead of a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.incidents.models import Actor, TimelineEntry
from shared.incidents.service import record_timeline
from shared.store.port import DocumentStore

SYSTEM = Actor(kind="system", id="escalation", display="OpenAlert escalation")


async def write_line(
    store: DocumentStore,
    incident_id: str,
    at: datetime,
    message: str,
    *,
    entry_id: str,
    data: dict[str, Any] | None = None,
) -> None:
    entry = TimelineEntry(
        incident_id=incident_id,
        at=at,
        kind="escalation",
        actor=SYSTEM,
        message=message,
        via="escalation",
        data=data or {},
    )
    await record_timeline(store, entry, entry_id=entry_id)
