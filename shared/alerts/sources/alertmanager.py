"""Prometheus Alertmanager webhook, ``version: "4"``: one event per alert.

Dedup key: the alert's ``fingerprint`` (else a hash of its sorted labels). Status is taken per
alert, not from the group: a group notification can carry firing and resolved alerts together.
Severity: the ``severity`` (or ``priority``/``level``) label.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.alerts.models import AlertEvent, InvalidPayload, SourceFormat
from shared.alerts.sources._common import load_model
from shared.alerts.sources._prometheus import PromBatch, to_event

#: Alertmanager has no documented cap; alert groups are small unless max_alerts is unset.
MAX_BYTES = 1024 * 1024


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    batch = load_model(PromBatch, body, limit=MAX_BYTES, source="alertmanager")
    if batch.version != "4":
        raise InvalidPayload(
            f"$.version is {batch.version!r}",
            field="$.version",
            expected='"4" (Alertmanager webhook v4)',
        )
    return [
        to_event(
            alert,
            i,
            source=SourceFormat.ALERTMANAGER,
            received_at=received_at,
            extra_links=[],
            details=_details(batch),
            group_key=batch.groupKey,
        )
        for i, alert in enumerate(batch.alerts)
    ]


def _details(batch: PromBatch) -> dict[str, Any]:
    details: dict[str, Any] = {"receiver": batch.receiver} if batch.receiver else {}
    if batch.truncatedAlerts:
        # The left-out alerts never arrive (not even their resolves): say so on those that do.
        details["truncated_alerts"] = batch.truncatedAlerts
    return details
