"""PagerDuty Change Events (``POST /v2/change/enqueue``): deploys, config changes, feature flags.

A change event is not an alert: it pages nobody and opens nothing. It is kept as a change of the
integration's service, shown on the service and on the incidents of that service that open soon
after it (shared.catalog.changes). Body as PagerDuty documents it
(https://developer.pagerduty.com/docs/events-api-v2/send-change-events/): ``routing_key``,
``payload.summary`` (required, 1024 characters), ``payload.timestamp``, ``payload.source``,
``payload.custom_details``, and ``links`` (``href``, ``text``). PagerDuty answers
``202 {"status": "success", "message": "Change event processed"}`` and caps a body at 512 KB.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import Link
from shared.alerts.sources._common import load_model, parse_time, text

MAX_BYTES = 512 * 1024


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")

    summary: str = Field(min_length=1, max_length=1024)
    timestamp: str | None = None
    source: str | None = None
    custom_details: Any = None


class _Link(BaseModel):
    model_config = ConfigDict(extra="allow")

    href: str
    text: str | None = None


class ChangeEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    routing_key: str = Field(min_length=1)
    payload: _Payload
    links: list[_Link] = Field(default_factory=list, max_length=50)


class Change(BaseModel):
    """A normalized change, as the service keeps it."""

    model_config = ConfigDict(frozen=True)

    summary: str
    source: str = ""
    at: datetime
    links: tuple[Link, ...] = ()
    custom_details: Any = None


def parse_change(body: bytes | Mapping[str, Any], *, received_at: datetime) -> Change:
    """Raises only ``InvalidPayload`` / ``PayloadTooBig``."""
    event = load_model(ChangeEvent, body, limit=MAX_BYTES, source="pagerduty change")
    links = tuple(
        Link(kind="source", url=link.href, text=text(link.text, limit=200))
        for link in event.links
        if link.href.lower().startswith(("https://", "http://"))
    )
    return Change(
        summary=text(event.payload.summary, limit=1024),
        source=text(event.payload.source, limit=256),
        at=parse_time(event.payload.timestamp) or received_at,
        links=links,
        custom_details=event.payload.custom_details,
    )


def accepted() -> tuple[int, dict[str, str]]:
    return 202, {"status": "success", "message": "Change event processed"}
