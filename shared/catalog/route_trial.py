""" "Test routes against a sample alert": which route an alert would take, and why.

The alert is a body pasted as the sender would post it (read by the real parser of the
integration's format, with its generic mapping) or one an incident recorded. Every route is
evaluated in order with the pipeline's matcher (:mod:`shared.catalog.routing`), each condition
with the value it looked at and its result; the decision is :func:`choose_route`'s, the one
the pipeline takes. Nothing is stored or paged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.alerts.models import SourceFormat
from shared.alerts.parse import MAX_BYTES, parse
from shared.auth.access import require
from shared.auth.models import Action, Principal
from shared.catalog.models import Integration, Route
from shared.catalog.route_windows import window_open
from shared.catalog.routing import choose_route, explain, route_matches
from shared.catalog.service import routes_of
from shared.catalog.stored import load_integration
from shared.errors import InvalidInput, NotFound
from shared.incidents.alertlog import expand
from shared.incidents.stored import load_incident
from shared.store.port import DocumentStore


class RouteTestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: dict[str, Any] | None = Field(
        default=None, description="A body as the sender posts it (the integration's format)."
    )
    incident_id: str | None = Field(
        default=None, max_length=100, description="Or an incident's recorded alert."
    )
    alert_id: str | None = Field(
        default=None, max_length=200, description="Which of its recent alerts (default newest)."
    )

    @model_validator(mode="after")
    def _one_alert(self) -> RouteTestBody:
        if (self.payload is None) == (self.incident_id is None):
            raise ValueError("give either payload or incident_id")
        if self.alert_id is not None and self.incident_id is None:
            raise ValueError("alert_id goes with incident_id")
        return self


class ConditionResult(BaseModel):
    field: str
    op: str
    value: str | list[str] | None
    #: What the alert has there (None: nothing, e.g. a missing label).
    actual: str | None
    result: bool


class RouteResult(BaseModel):
    route_id: str
    name: str
    position: int
    match: Literal["all", "any"]
    matched: bool
    conditions: list[ConditionResult]


class Decision(BaseModel):
    #: None: no route matched, so the integration's own service, paging (the default route).
    route_id: str | None
    service_id: str
    escalation_policy_id: str | None
    page: bool
    severity: str


class AlertRouting(BaseModel):
    title: str
    severity: str
    labels: dict[str, str]
    decision: Decision
    routes: list[RouteResult]


class RouteTestResult(BaseModel):
    integration_id: str
    alerts: list[AlertRouting]


@dataclass(frozen=True)
class _Recorded:
    """A recorded alert as routing reads it."""

    title: str
    severity: str
    labels: Mapping[str, str] = field(default_factory=dict)


def evaluate(
    integration: Integration,
    routes: list[Route],
    alert: Any,
    description: str,
    received_at: datetime,
) -> AlertRouting:
    """Pure: every route with its conditions' results, and the pipeline's decision for an alert
    received at ``received_at`` (a route with an ``active`` window matches only inside it)."""
    results = []
    for route in sorted(routes, key=lambda r: (r.position, r.id)):
        conditions = []
        for cond in route.conditions:
            actual, ok = explain(cond, alert, source=integration.format, description=description)
            conditions.append(
                ConditionResult(
                    field=cond.field, op=cond.op, value=cond.value, actual=actual, result=ok
                )
            )
        matched = route_matches(
            route, alert, source=integration.format, description=description
        ) and window_open(route.active, received_at)
        results.append(
            RouteResult(
                route_id=route.id,
                name=route.name,
                position=route.position,
                match=route.match,
                matched=matched,
                conditions=conditions,
            )
        )
    decision = choose_route(
        integration, routes, alert, description=description, received_at=received_at
    )
    return AlertRouting(
        title=alert.title,
        severity=alert.severity,
        labels=dict(alert.labels),
        decision=Decision(**vars(decision)),
        routes=results,
    )


async def _recorded(
    store: DocumentStore, principal: Principal, integration: Integration, body: RouteTestBody
) -> tuple[Any, str]:
    assert body.incident_id is not None
    incident = await load_incident(store, body.incident_id)
    if incident is None:
        raise NotFound(f"Incident {body.incident_id!r} does not exist.")
    require(principal, Action.READ_INCIDENTS, [incident.team_id])
    records = [
        r for r in expand(incident.recent_alerts) if r.get("integration_id") == integration.id
    ]
    if body.alert_id is not None:
        records = [r for r in records if r.get("id") == body.alert_id]
    if not records:
        raise NotFound(
            "That incident holds no such recent alert of this integration (it keeps its 16 "
            "newest); paste the body instead."
        )
    record = records[-1]
    labels = record.get("labels") or {}
    alert = _Recorded(
        title=str(record.get("title", "")),
        severity=str(record.get("severity", "P3")),
        labels={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
    )
    return alert, str(record.get("description") or incident.description or "")


async def try_routes(
    *,
    store: DocumentStore,
    principal: Principal,
    integration_id: str,
    body: RouteTestBody,
    now: datetime,
) -> RouteTestResult:
    integration = await load_integration(store, integration_id)
    if integration is None:
        raise NotFound(f"Integration {integration_id!r} does not exist.")
    require(principal, Action.READ, [integration.team_id])
    routes = await routes_of(store, integration.id)
    if body.incident_id is not None:
        alert, description = await _recorded(store, principal, integration, body)
        return RouteTestResult(
            integration_id=integration.id,
            alerts=[evaluate(integration, routes, alert, description, now)],
        )
    fmt = SourceFormat(integration.format)
    if fmt == SourceFormat.HEARTBEAT:
        raise InvalidInput("Heartbeat integrations take pings, not alerts.", field="payload")
    raw = json.dumps(body.payload).encode()
    if len(raw) > MAX_BYTES[fmt]:
        raise InvalidInput(f"The payload is over the {fmt.value} limit.", field="payload")
    mapping = None
    if fmt == SourceFormat.GENERIC and integration.settings.generic_mapping is not None:
        mapping = integration.settings.generic_mapping.model_dump()
    events = parse(fmt, raw, received_at=now, event_id="route-test", mapping=mapping)
    return RouteTestResult(
        integration_id=integration.id,
        alerts=[evaluate(integration, routes, e, e.description or "", now) for e in events],
    )
