"""Grafana Alerting webhook contact point (``version: "1"``): one event per alert.

Dedup key: the alert ``fingerprint``. Links: generator, dashboard, panel, silence, image.
``values`` (refId → number) and the legacy ``valueString`` are kept in ``details``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.alerts.models import AlertEvent, InvalidPayload, LinkKind, SourceFormat
from shared.alerts.sources._common import load_model, text
from shared.alerts.sources._prometheus import PromBatch, to_event

MAX_BYTES = 1024 * 1024


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    batch = load_model(PromBatch, body, limit=MAX_BYTES, source="grafana")
    if batch.version != "1":
        raise InvalidPayload(
            f"$.version is {batch.version!r}",
            field="$.version",
            expected='"1" (Grafana Alerting webhook)',
        )
    events = []
    for i, alert in enumerate(batch.alerts):
        extra = alert.model_extra or {}
        links: list[tuple[LinkKind, Any]] = [
            ("dashboard", extra.get("dashboardURL")),
            ("panel", extra.get("panelURL")),
            ("silence", extra.get("silenceURL")),
            ("image", extra.get("imageURL")),
        ]
        details: dict[str, Any] = {}
        if isinstance(extra.get("values"), dict):
            details["values"] = extra["values"]
        if extra.get("valueString"):
            details["valueString"] = text(extra["valueString"], limit=4096)
        if batch.receiver:
            details["receiver"] = batch.receiver
        if batch.truncatedAlerts:
            # Left out by the contact point's max alerts: they never arrive; say so.
            details["truncated_alerts"] = batch.truncatedAlerts
        events.append(
            to_event(
                alert,
                i,
                source=SourceFormat.GRAFANA,
                received_at=received_at,
                extra_links=links,
                details=details,
                group_key=batch.groupKey,
            )
        )
    return events
