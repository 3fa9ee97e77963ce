"""The parser registry: one entry per source format, used by ingest (validate at the edge) and
processing (normalize the stored envelope)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from shared.alerts.models import AlertEvent, InvalidPayload, SourceFormat
from shared.alerts.sources import (
    alertmanager,
    azure_monitor,
    datadog,
    generic,
    grafana,
    opsgenie,
    pagerduty,
    sentry,
)

Parser = Callable[..., list[AlertEvent]]

PARSERS: dict[SourceFormat, Parser] = {
    SourceFormat.ALERTMANAGER: alertmanager.parse,
    SourceFormat.GRAFANA: grafana.parse,
    SourceFormat.AZURE_MONITOR: azure_monitor.parse,
    SourceFormat.DATADOG: datadog.parse,
    SourceFormat.PAGERDUTY: pagerduty.parse,
    SourceFormat.OPSGENIE: opsgenie.parse,
    SourceFormat.GENERIC: generic.parse,
    SourceFormat.SENTRY: sentry.parse,
}

#: Largest body each format accepts (bytes); the vendor's own limit where it documents one.
MAX_BYTES: dict[SourceFormat, int] = {
    SourceFormat.ALERTMANAGER: alertmanager.MAX_BYTES,
    SourceFormat.GRAFANA: grafana.MAX_BYTES,
    SourceFormat.AZURE_MONITOR: azure_monitor.MAX_BYTES,
    SourceFormat.DATADOG: datadog.MAX_BYTES,
    SourceFormat.PAGERDUTY: pagerduty.MAX_BYTES,
    SourceFormat.OPSGENIE: opsgenie.MAX_BYTES,
    SourceFormat.GENERIC: generic.MAX_BYTES,
    SourceFormat.SENTRY: sentry.MAX_BYTES,
}


def parse(
    source: SourceFormat | str,
    body: bytes | Mapping[str, Any],
    *,
    received_at: datetime,
    event_id: str = "",
    mapping: Mapping[str, str | None] | None = None,
) -> list[AlertEvent]:
    """Normalize one received body. Raises only ``InvalidPayload`` / ``PayloadTooBig``."""
    try:
        fmt = SourceFormat(source)
    except ValueError:
        raise InvalidPayload(f"unknown source format {source!r}", field="format") from None
    parser = PARSERS.get(fmt)
    if parser is None:
        raise InvalidPayload(f"{fmt.value} has no body parser", field="format")
    return parser(body, received_at=received_at, event_id=event_id, mapping=mapping)
