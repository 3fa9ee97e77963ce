"""Azure Monitor common alert schema (``schemaId: azureMonitorCommonAlertSchema``).

Every alert type (metric static/dynamic, log search V1 and V2, activity log administrative /
service health / resource health, smart detection, Prometheus) shares ``data.essentials``:

- dedup key: ``essentials.alertId`` (the alert instance's ARM id, stable from Fired to Resolved);
- action: ``monitorCondition`` Fired → trigger, Resolved → resolve;
- severity: Sev0..Sev4 → P1..P5;
- affected resource: ``configurationItems`` (else the last segment of ``alertTargetIDs``);
- links: the alert in the Azure portal, the investigation link and log-search links.

Azure caps a payload at 256 KB per alert; we reject larger bodies with 413.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import AlertEvent, InvalidPayload, Link, Severity, SourceFormat
from shared.alerts.sources._common import labels, load_model, parse_time, text

MAX_BYTES = 256 * 1024
SCHEMA_ID = "azureMonitorCommonAlertSchema"
_SEVERITY: dict[str, Severity] = {
    "sev0": "P1",
    "sev1": "P2",
    "sev2": "P3",
    "sev3": "P4",
    "sev4": "P5",
}
PORTAL_ALERT = (
    "https://portal.azure.com/#blade/Microsoft_Azure_Monitoring/AlertDetailsTemplateBlade/alertId/"
)


class Essentials(BaseModel):
    model_config = ConfigDict(extra="allow")

    alertId: str = Field(min_length=1)
    alertRule: str | None = None
    severity: str = Field(pattern=r"^(?i:sev[0-4])$")
    signalType: str | None = None
    monitorCondition: str = Field(pattern="^(Fired|Resolved)$")
    monitoringService: str | None = None
    alertTargetIDs: list[str] = Field(default_factory=list)
    configurationItems: list[str] = Field(default_factory=list)
    originAlertId: str | None = None
    firedDateTime: str | None = None
    resolvedDateTime: str | None = None
    description: str | None = None
    investigationLink: str | None = None
    targetResourceGroup: str | None = None
    targetResourceType: str | None = None


class Data(BaseModel):
    model_config = ConfigDict(extra="allow")

    essentials: Essentials
    alertContext: dict[str, Any] | None = None
    customProperties: dict[str, Any] | None = None


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow")

    schemaId: str
    data: Data


def _ci(mapping: Mapping[str, Any] | None, *names: str) -> Any:
    """Case-insensitive lookup: the log-alert shapes disagree on casing."""
    if not mapping:
        return None
    lowered = {k.lower(): v for k, v in mapping.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _context_title(context: Mapping[str, Any] | None) -> str | None:
    """Service/resource health carry a human title in their properties."""
    props = _ci(context, "properties")
    if isinstance(props, Mapping):
        title = _ci(props, "title")
        if isinstance(title, str) and title.strip():
            return title
    return None


def _search_links(context: Mapping[str, Any] | None) -> list[Link]:
    out: list[Link] = []
    if not context:
        return out
    legacy = _ci(context, "LinkToFilteredSearchResultsUI", "LinkToSearchResults")
    if isinstance(legacy, str) and legacy:
        out.append(Link(kind="dashboard", url=legacy, text="Search results"))
    condition = _ci(context, "condition")
    criteria = condition.get("allOf") if isinstance(condition, Mapping) else None
    if isinstance(criteria, list):
        # Only well-formed criteria lists are read; a link is a nicety, never worth a 400.
        for crit in criteria:
            if isinstance(crit, Mapping):
                url = crit.get("linkToFilteredSearchResultsUI") or crit.get("linkToSearchResultsUI")
                if isinstance(url, str) and url:
                    out.append(Link(kind="dashboard", url=url, text="Search results"))
                    break
    return out


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    env = load_model(Envelope, body, limit=MAX_BYTES, source="azure_monitor")
    if env.schemaId != SCHEMA_ID:
        raise InvalidPayload(
            f"$.schemaId is {env.schemaId!r}",
            field="$.schemaId",
            expected=f"{SCHEMA_ID!r}: enable 'Use common alert schema' on the webhook action",
        )
    ess = env.data.essentials
    resolved = ess.monitorCondition == "Resolved"
    when = (
        (parse_time(ess.resolvedDateTime) if resolved else None)
        or parse_time(ess.firedDateTime)
        or received_at
    )
    resources = list(ess.configurationItems) or [
        t.rstrip("/").rsplit("/", 1)[-1] for t in ess.alertTargetIDs
    ]
    rule = ess.alertRule or "Azure Monitor alert"
    context_title = _context_title(env.data.alertContext)
    title = context_title or (f"{rule} on {resources[0]}" if resources else rule)
    lab = labels(env.data.customProperties)
    for key, value in (
        ("signalType", ess.signalType),
        ("monitoringService", ess.monitoringService),
        ("alertRule", ess.alertRule),
        ("targetResourceGroup", ess.targetResourceGroup),
        ("targetResourceType", ess.targetResourceType),
    ):
        if value:
            lab.setdefault(key, text(value, limit=1024))
    if resources:
        lab.setdefault("resource", text(resources[0], limit=1024))
    links = [
        Link(
            kind="portal",
            url=PORTAL_ALERT + quote(ess.alertId, safe=""),
            text="Open in Azure portal",
        )
    ]
    if ess.investigationLink:
        links.append(Link(kind="portal", url=ess.investigationLink, text="Investigate"))
    links.extend(_search_links(env.data.alertContext))
    ids = {"alertId": ess.alertId}
    if ess.originAlertId:
        ids["originAlertId"] = ess.originAlertId
    return [
        AlertEvent(
            source=SourceFormat.AZURE_MONITOR,
            dedup_key=text(ess.alertId, limit=512),
            action="resolve" if resolved else "trigger",
            severity=_SEVERITY[ess.severity.lower()],
            raw_severity=ess.severity,
            title=text(title, limit=1024) or "Azure Monitor alert",
            description=text(ess.description, limit=20_000),
            labels=lab,
            links=tuple(links),
            occurred_at=when,
            source_ids=ids,
            raw_ref="/data/essentials",
            details={
                "alertTargetIDs": ess.alertTargetIDs,
                "configurationItems": ess.configurationItems,
                "alertContext": env.data.alertContext or {},
            },
        )
    ]
