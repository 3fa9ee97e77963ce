"""How escalation writes to an incident's timeline: one actor, one kind, derived entry ids.

Every line escalation writes is keyed by its caller (a step's idempotency key, the incident's
id and an event), so activities that run again write the same entry instead of a second one.
"""

from __future__ import annotations

from shared.incidents.models import Actor
from shared.incidents.service import line_writer

SYSTEM = Actor(kind="system", id="escalation", display="OpenAlert escalation")

#: ``write_line(store, incident_id, at, message, entry_id=..., data=...)``.
write_line = line_writer(kind="escalation", actor=SYSTEM, via="escalation")
