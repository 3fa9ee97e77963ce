"""What Alertmanager (v4) and Grafana Alerting (v1) webhooks share: a batch of alerts, each with
its own status, labels, annotations and fingerprint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import AlertEvent, Link, LinkKind, SourceFormat
from shared.alerts.sources._common import labels, parse_time, severity_from_word, stable_hash, text

SEVERITY_LABELS = ("severity", "priority", "level")


class PromAlert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str = Field(pattern="^(firing|resolved)$")
    labels: dict[str, Any] = Field(default_factory=dict)
    annotations: dict[str, Any] = Field(default_factory=dict)
    startsAt: str | None = None
    endsAt: str | None = None
    generatorURL: str | None = None
    fingerprint: str | None = None


class PromBatch(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    status: str | None = None
    receiver: str | None = None
    groupKey: str | None = None
    alerts: list[PromAlert] = Field(min_length=0, max_length=10_000)
    externalURL: str | None = None
    commonLabels: dict[str, Any] = Field(default_factory=dict)
    #: Alerts of the group the receiver's ``max_alerts`` left out (Alertmanager, Grafana).
    truncatedAlerts: int = Field(default=0, ge=0)


def dedup_key(alert: PromAlert) -> str:
    """The alert fingerprint (a hash of its labels), else our own hash of the sorted labels —
    never the summary text, which templates change between firing and resolved."""
    if alert.fingerprint:
        return text(alert.fingerprint, limit=512)
    return "labels:" + stable_hash(labels(alert.labels))


def to_event(
    alert: PromAlert,
    index: int,
    *,
    source: SourceFormat,
    received_at: datetime,
    extra_links: list[tuple[LinkKind, Any]],
    details: dict[str, Any],
    group_key: str | None,
) -> AlertEvent:
    lab = labels(alert.labels)
    ann = labels(alert.annotations)
    raw_sev = next((lab[k] for k in SEVERITY_LABELS if k in lab), None)
    title = ann.get("summary") or ann.get("title") or lab.get("alertname") or "Alert"
    resolved = alert.status == "resolved"
    when = (parse_time(alert.endsAt) if resolved else parse_time(alert.startsAt)) or received_at
    links: list[Link] = []
    for kind, url in [
        ("generator", alert.generatorURL),
        ("runbook", ann.get("runbook_url")),
        *extra_links,
    ]:
        if isinstance(url, str) and url.strip():
            links.append(Link(kind=kind, url=url.strip()))
    ids = {"fingerprint": alert.fingerprint} if alert.fingerprint else {}
    if group_key:
        ids["groupKey"] = text(group_key, limit=1024)
    return AlertEvent(
        source=source,
        dedup_key=dedup_key(alert),
        action="resolve" if resolved else "trigger",
        severity=severity_from_word(raw_sev),
        raw_severity=raw_sev,
        title=text(title, limit=1024) or "Alert",
        description=text(ann.get("description") or ann.get("message") or "", limit=20_000),
        labels=lab,
        links=tuple(links),
        occurred_at=when,
        source_ids=ids,
        raw_ref=f"/alerts/{index}",
        details={"annotations": ann, **details},
    )
