"""Azure Monitor common alert schema (``schemaId: azureMonitorCommonAlertSchema``).

Every alert type (metric static/dynamic, log search V1 and V2, activity log administrative /
service health / resource health, smart detection, Prometheus) shares ``data.essentials``:

- dedup key: ``essentials.alertId`` (the alert instance's ARM id, stable from Fired to Resolved);
- action: ``monitorCondition`` Fired → trigger, Resolved → resolve;
- severity: Sev0..Sev4 → P1..P5;

Exceptions Microsoft documents:

- Cost and budget alerts (``monitoringService: CostAlerts``) send ``severity``, ``alertRule``,
  ``signalType``, ``monitorCondition``, ``alertTargetIDs`` and ``originAlertId`` as null: they
  trigger at P3 and are titled from the budget.
- Service Health and Resource Health activity-log alerts are stateless: every update is a new
  ``Fired`` alert with a new ``alertId``. They are keyed by what they are about instead (Service
  Health: subscription + ``trackingId``; Resource Health: the resource), and the update that says
  it is over resolves (Service Health ``stage`` Resolved / RCA / Complete / Canceled; Resource
  Health ``currentHealthStatus`` Available).
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
from shared.alerts.sources._common import labels, load_model, parse_time, text, validate

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
    #: Null on cost and budget alerts (as are the rule, signal type, condition and targets).
    severity: str | None = Field(default=None, pattern=r"^(?i:sev[0-4])$")
    signalType: str | None = None
    monitorCondition: str | None = Field(default=None, pattern="^(Fired|Resolved)$")
    monitoringService: str | None = None
    alertTargetIDs: list[str] | None = None
    configurationItems: list[str] | None = None
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
    """Only the schema id is checked first, so a body in another schema is told to switch."""

    model_config = ConfigDict(extra="allow")

    schemaId: Any = None
    data: Any = None


#: Service Health stages after which the event is over (incidents: Resolved then RCA;
#: maintenance: Complete or Canceled).
_SERVICE_HEALTH_OVER = {"resolved", "rca", "complete", "canceled", "cancelled"}


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


def _budget_title(context: Mapping[str, Any] | None) -> str | None:
    data = _ci(context, "AlertData")
    if _ci(context, "AlertCategory") != "budgets" or not isinstance(data, Mapping):
        return None
    name = _ci(data, "BudgetName") or "budget"
    if str(_ci(data, "ThresholdType")).lower() == "forecasted":
        spend = f"forecast {_ci(data, 'ForecastedTotalForPeriod') or '?'}"
    else:
        spend = f"spend {_ci(data, 'SpentAmount') or '?'}"
    return f"Budget {name}: {spend} exceeds {_ci(data, 'NotificationThresholdAmount') or '?'}"


def _stateless_identity(
    ess: Essentials, context: Mapping[str, Any] | None
) -> tuple[str, bool] | None:
    """(dedup key, is over) for the activity-log alerts that have no Resolved state."""
    props = _ci(context, "properties")
    if not isinstance(props, Mapping):
        return None
    service = (ess.monitoringService or "").replace(" ", "").lower()
    targets = ess.alertTargetIDs or []
    if service == "servicehealth":
        tracking = _ci(props, "trackingId")
        if not isinstance(tracking, str) or not tracking:
            return None
        scope = targets[0].lower() if targets else ""
        over = str(_ci(props, "stage") or "").lower() in _SERVICE_HEALTH_OVER
        return f"servicehealth:{scope}:{tracking}", over
    if service == "resourcehealth" and targets:
        over = str(_ci(props, "currentHealthStatus") or "").lower() == "available"
        return f"resourcehealth:{targets[0].lower()}", over
    return None


def _schema_error(found: Any) -> InvalidPayload:
    return InvalidPayload(
        f"$.schemaId is {found!r}: this integration takes the Azure Monitor common alert schema",
        field="$.schemaId",
        expected=(
            f"{SCHEMA_ID!r}: edit the action group, and on its webhook action set "
            "'Enable the common alert schema' to Yes"
        ),
    )


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    env = load_model(Envelope, body, limit=MAX_BYTES, source="azure_monitor")
    if env.schemaId != SCHEMA_ID:
        raise _schema_error(env.schemaId)
    data = validate(Data, env.data if isinstance(env.data, Mapping) else {}, prefix="$.data")
    ess = data.essentials
    stateless = _stateless_identity(ess, data.alertContext)
    resolved = ess.monitorCondition == "Resolved" or (stateless is not None and stateless[1])
    when = (
        (parse_time(ess.resolvedDateTime) if resolved else None)
        or parse_time(ess.firedDateTime)
        or received_at
    )
    targets = ess.alertTargetIDs or []
    resources = list(ess.configurationItems or []) or [
        t.rstrip("/").rsplit("/", 1)[-1] for t in targets
    ]
    rule = ess.alertRule or "Azure Monitor alert"
    context_title = _context_title(data.alertContext) or _budget_title(data.alertContext)
    title = context_title or (f"{rule} on {resources[0]}" if resources else rule)
    lab = labels(data.customProperties)
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
    links.extend(_search_links(data.alertContext))
    ids = {"alertId": ess.alertId}
    if ess.originAlertId:
        ids["originAlertId"] = ess.originAlertId
    return [
        AlertEvent(
            source=SourceFormat.AZURE_MONITOR,
            dedup_key=text(stateless[0] if stateless else ess.alertId, limit=512),
            action="resolve" if resolved else "trigger",
            severity=_SEVERITY[ess.severity.lower()] if ess.severity else "P3",
            raw_severity=ess.severity,
            title=text(title, limit=1024) or "Azure Monitor alert",
            description=text(ess.description, limit=20_000),
            labels=lab,
            links=tuple(links),
            occurred_at=when,
            source_ids=ids,
            raw_ref="/data/essentials",
            details={
                "alertTargetIDs": targets,
                "configurationItems": ess.configurationItems or [],
                "alertContext": data.alertContext or {},
            },
        )
    ]
