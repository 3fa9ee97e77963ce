"""An envelope's alert events: parsed from its body (or claim-check blob), or made from a
heartbeat or Opsgenie action."""

from __future__ import annotations

from datetime import datetime

from shared.alerts.models import AlertEvent, SourceFormat
from shared.alerts.parse import parse
from shared.alerts.sources import heartbeat, opsgenie, pagerduty_change
from shared.catalog.changes import change_of, save_change
from shared.catalog.models import Integration
from shared.errors import InvalidInput
from shared.pipeline.models import Envelope
from shared.pipeline.ports import InstancePorts
from shared.store.codec import utc_iso


async def envelope_events(
    envelope: Envelope, integration: Integration, ports: InstancePorts
) -> list[AlertEvent]:
    """The alert events an envelope carries. A heartbeat ping is recorded and a PagerDuty change
    kept on its service on the way (neither is an alert to group)."""
    if envelope.kind == "heartbeat":
        name = str(envelope.action["name"])
        if envelope.action.get("missed"):
            last = envelope.action.get("last_ping")
            return [
                heartbeat.missed(
                    name,
                    last_ping=datetime.fromisoformat(last) if isinstance(last, str) else None,
                    now=envelope.received_at,
                    interval_seconds=int(envelope.action.get("interval", 0)),
                )
            ]
        await ports.store.upsert(
            "heartbeats",
            {
                "id": integration.id,
                "pk": integration.id,
                "last_ping": utc_iso(envelope.received_at),
            },
        )
        return [heartbeat.ping(name, received_at=envelope.received_at)]
    if envelope.blob is not None:
        if ports.claim_check is None:
            raise InvalidInput("envelope refers to a claim-check blob but no storage is configured")
        body = await ports.claim_check.get(envelope.blob)
    else:
        body = (envelope.body or "").encode("utf-8")
    if envelope.kind == "change":
        # A change is kept on the service, not an alert: no events.
        change = pagerduty_change.parse_change(body, received_at=envelope.received_at)
        await save_change(
            ports.store, change_of(integration, change_id=envelope.id, **dict(change))
        )
        return []
    if envelope.kind == "opsgenie_action":
        a = envelope.action
        return [
            opsgenie.parse_action(
                str(a["action"]),
                str(a["identifier"]),
                a.get("identifier_type"),
                body,
                received_at=envelope.received_at,
            )
        ]
    mapping = None
    if envelope.format == SourceFormat.GENERIC and integration.settings.generic_mapping is not None:
        mapping = integration.settings.generic_mapping.model_dump()
    return parse(
        envelope.format,
        body,
        received_at=envelope.received_at,
        event_id=envelope.id,
        mapping=mapping,
    )
