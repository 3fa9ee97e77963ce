"""PagerDuty Events API v2 (``POST /v2/enqueue``), for senders repointed by URL alone.

- ``event_action`` trigger / acknowledge / resolve, correlated by ``dedup_key``; on a trigger
  without one we generate a 32-hex key, as PagerDuty does, but derived from the request id so a
  retried request gets the same key; acknowledge and resolve require one;
- severity: critical P1, error P2, warning P3, info P4;
- responses are PagerDuty's exact shapes (:func:`accepted`, :func:`invalid`).
PagerDuty caps a payload at 512 KB.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import AlertEvent, InvalidPayload, Link, Severity, SourceFormat
from shared.alerts.sources._common import derived_id, labels, load_model, parse_time, text, validate

MAX_BYTES = 512 * 1024
_SEVERITY: dict[str, Severity] = {"critical": "P1", "error": "P2", "warning": "P3", "info": "P4"}


class PdLink(BaseModel):
    model_config = ConfigDict(extra="allow")
    href: str
    text: str | None = None


class PdImage(BaseModel):
    model_config = ConfigDict(extra="allow")
    src: str
    href: str | None = None
    alt: str | None = None


class PdPayload(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    summary: str = Field(min_length=1, max_length=1024)
    source: str = Field(min_length=1)
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: str | None = None
    component: str | None = None
    group: str | None = None
    # ``class`` is a keyword; pydantic maps it through the alias.
    class_: str | None = Field(default=None, alias="class")
    custom_details: Any = None


class PdEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    routing_key: str = Field(min_length=1)
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: str | None = Field(default=None, max_length=255)
    payload: dict[str, Any] | None = None
    client: str | None = None
    client_url: str | None = None
    links: list[PdLink] = Field(default_factory=list)
    images: list[PdImage] = Field(default_factory=list)


def accepted(dedup_key: str) -> tuple[int, dict[str, str]]:
    return 202, {"status": "success", "message": "Event processed", "dedup_key": dedup_key}


def invalid(error: InvalidPayload | str) -> tuple[int, dict[str, Any]]:
    detail = error if isinstance(error, str) else error.detail
    return 400, {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": [detail],
    }


def parse(
    body: bytes | Mapping[str, Any], *, received_at: datetime, event_id: str = "", **_: Any
) -> list[AlertEvent]:
    ev = load_model(PdEvent, body, limit=MAX_BYTES, source="pagerduty")
    dedup = text(ev.dedup_key) if ev.dedup_key else ""
    if ev.event_action != "trigger":
        if not dedup:
            raise InvalidPayload(
                f"{ev.event_action} needs a dedup_key",
                field="$.dedup_key",
                expected="the trigger's dedup_key",
            )
        return [
            AlertEvent(
                source=SourceFormat.PAGERDUTY,
                dedup_key=dedup,
                action=ev.event_action,
                title=f"PagerDuty {ev.event_action}",
                occurred_at=received_at,
                source_ids={"dedup_key": dedup},
            )
        ]
    if ev.payload is None:
        raise InvalidPayload(
            "trigger needs a payload",
            field="$.payload",
            expected="an object with summary, source, severity",
        )
    p = validate(PdPayload, ev.payload, prefix="$.payload")
    dedup = dedup or derived_id("pagerduty", event_id or p.summary)
    lab = {"source": text(p.source, limit=1024)}
    for key, value in (("component", p.component), ("group", p.group), ("class", p.class_)):
        if value:
            lab[key] = text(value, limit=1024)
    if isinstance(p.custom_details, Mapping):
        for k, v in labels(p.custom_details).items():
            lab.setdefault(k, v)
    links = [
        Link(kind="other", url=link.href, text=text(link.text, limit=256)) for link in ev.links
    ]
    if ev.client_url:
        links.append(Link(kind="source", url=ev.client_url, text=text(ev.client or "", limit=256)))
    details: dict[str, Any] = {}
    if p.custom_details is not None:
        details["custom_details"] = p.custom_details
    if ev.images:
        details["images"] = [i.model_dump(exclude_none=True) for i in ev.images]
    return [
        AlertEvent(
            source=SourceFormat.PAGERDUTY,
            dedup_key=dedup,
            action="trigger",
            severity=_SEVERITY[p.severity],
            raw_severity=p.severity,
            title=text(p.summary, limit=1024) or "PagerDuty event",
            description=text(p.custom_details, limit=20_000)
            if p.custom_details is not None
            else "",
            labels=lab,
            links=tuple(links),
            occurred_at=parse_time(p.timestamp) or received_at,
            source_ids={"dedup_key": dedup},
            raw_ref="/payload",
            details=details,
        )
    ]
