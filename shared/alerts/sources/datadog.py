"""Datadog webhook with OpenAlert's documented template (docs/datadog-webhook-template.json).

- dedup key: ``alert_cycle_key`` ($ALERT_CYCLE_KEY: one trigger-to-recovery cycle), else
  ``alert_id`` + ``alert_scope`` (monitor and the tags that triggered it);
- action: ``Recovered`` → resolve; every other transition (Triggered, Re-Triggered, Warn,
  Re-Warn, No Data, Re-No Data, Renotify) → trigger;
- severity: ``alert_priority`` P1..P5, else from ``alert_type`` (error P2, warning P3, info P4);
  a ``Warn`` transition is one level lower than the monitor's priority (a warning threshold is
  not the alert threshold).
Datadog sends every template value as a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.alerts.models import AlertEvent, InvalidPayload, Link, Severity, SourceFormat
from shared.alerts.sources._common import (
    load_model,
    lower_severity,
    parse_epoch_ms,
    severity_from_word,
    stable_hash,
    text,
)

MAX_BYTES = 512 * 1024
_TYPE_SEVERITY: dict[str, Severity] = {
    "error": "P2",
    "warning": "P3",
    "info": "P4",
    "success": "P4",
}


class DatadogPayload(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    alert_id: str | None = None
    alert_cycle_key: str | None = None
    alert_transition: str | None = None
    alert_title: str | None = None
    alert_type: str | None = None
    alert_priority: str | None = None
    alert_scope: str | None = None
    alert_status: str | None = None
    event_id: str | None = None
    event_title: str | None = None
    event_type: str | None = None
    body: str | None = None
    link: str | None = None
    snapshot: str | None = None
    hostname: str | None = None
    tags: str | None = None
    date: str | None = None


def _tags(raw: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, _, value = item.partition(":")
        out[text(key, limit=256)] = text(value, limit=1024)
    return out


def _present(value: str | None) -> str | None:
    """Datadog leaves unresolved template variables as literal ``$NAME``: treat them as absent."""
    if value is None or not value.strip() or value.strip().startswith("$"):
        return None
    return value


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    p = load_model(DatadogPayload, body, limit=MAX_BYTES, source="datadog")
    cycle = _present(p.alert_cycle_key)
    alert_id = _present(p.alert_id)
    if cycle:
        dedup = cycle
    elif alert_id:
        dedup = f"{alert_id}:{stable_hash(sorted(_tags(p.alert_scope).items()))}"
    else:
        raise InvalidPayload(
            "no alert identity",
            field="$.alert_cycle_key",
            expected="alert_cycle_key or alert_id: use the documented webhook template",
        )
    transition = (_present(p.alert_transition) or "Triggered").strip()
    priority = _present(p.alert_priority)
    if priority and priority.upper() in ("P1", "P2", "P3", "P4", "P5"):
        severity: Severity = severity_from_word(priority)
    else:
        severity = _TYPE_SEVERITY.get((p.alert_type or "").lower(), "P3")
    if transition in ("Warn", "Re-Warn"):
        severity = lower_severity(severity)
    title = _present(p.alert_title) or _present(p.event_title) or "Datadog alert"
    links = []
    if _present(p.link):
        links.append(Link(kind="source", url=str(p.link), text="Open in Datadog"))
    if _present(p.snapshot):
        links.append(Link(kind="image", url=str(p.snapshot)))
    lab = _tags(_present(p.tags))
    if _present(p.hostname):
        lab.setdefault("host", text(p.hostname, limit=1024))
    ids = {
        k: v
        for k, v in (
            ("alert_id", alert_id),
            ("alert_cycle_key", cycle),
            ("event_id", _present(p.event_id)),
        )
        if v
    }
    return [
        AlertEvent(
            source=SourceFormat.DATADOG,
            dedup_key=text(dedup, limit=512),
            action="resolve" if transition == "Recovered" else "trigger",
            severity=severity,
            raw_severity=priority or p.alert_type,
            title=text(title, limit=1024) or "Datadog alert",
            description=text(_present(p.body) or _present(p.alert_status), limit=20_000),
            labels=lab,
            links=tuple(links),
            occurred_at=parse_epoch_ms(p.date) or received_at,
            source_ids=ids,
            raw_ref="",
            details={
                "transition": transition,
                "scope": p.alert_scope or "",
                "event_type": p.event_type or "",
            },
        )
    ]
