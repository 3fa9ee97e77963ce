"""Route selection: which service / policy an alert goes to, and whether it pages. Pure.

Routes are evaluated in ``position`` order; the first whose conditions match wins. No match means
the integration's own service and that service's policy, paging — the implicit default route,
so a forgotten rule never swallows a page.

Regexes are admin-supplied, checked when saved and run by RE2 (``shared.patterns``: linear
time); the text they run on is capped too, which bounds the work per hostile alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared import patterns
from shared.catalog.models import Integration, Route, RouteCondition
from shared.catalog.route_windows import window_open

#: Characters of a field a condition looks at (titles/descriptions can be huge).
MAX_MATCH_CHARS = 4096


class Routable(Protocol):
    """What routing reads from an alert (``shared.alerts.models.AlertEvent`` has these)."""

    @property
    def title(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def labels(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class RouteDecision:
    route_id: str | None
    service_id: str
    #: None: use the service's escalation policy.
    escalation_policy_id: str | None
    page: bool
    severity: str


def _field_value(alert: Routable, field: str, source: str, description: str) -> str | None:
    if field.startswith("label:"):
        return alert.labels.get(field[len("label:") :])
    if field == "severity":
        return alert.severity
    if field == "title":
        return alert.title
    if field == "description":
        return description
    return source


def condition_matches(
    cond: RouteCondition, alert: Routable, *, source: str, description: str = ""
) -> bool:
    value = _field_value(alert, cond.field, source, description)
    if cond.op == "exists":
        return value is not None
    if cond.op == "not_exists":
        return value is None
    if value is None:
        # A missing label equals nothing and is in nothing, but it is "not equal" to anything.
        return cond.op in ("ne", "not_in")
    value = value[:MAX_MATCH_CHARS]
    if cond.op == "eq":
        return value == cond.value
    if cond.op == "ne":
        return value != cond.value
    if cond.op == "in":
        return isinstance(cond.value, list) and value in cond.value
    if cond.op == "not_in":
        return isinstance(cond.value, list) and value not in cond.value
    assert isinstance(cond.value, str)
    return patterns.search(cond.value, value)


def explain(
    cond: RouteCondition, alert: Routable, *, source: str, description: str = ""
) -> tuple[str | None, bool]:
    """Why a condition holds or not: the value it looks at (as far as matching reads it) and
    its result (what "test a route against an alert" shows, from the matcher itself)."""
    value = _field_value(alert, cond.field, source, description)
    seen = None if value is None else value[:MAX_MATCH_CHARS]
    return seen, condition_matches(cond, alert, source=source, description=description)


def route_matches(route: Route, alert: Routable, *, source: str, description: str = "") -> bool:
    results = (
        condition_matches(c, alert, source=source, description=description)
        for c in route.conditions
    )
    return all(results) if route.match == "all" else any(results)


def choose_route(
    integration: Integration,
    routes: Sequence[Route],
    alert: Routable,
    *,
    description: str = "",
    received_at: datetime | None = None,
) -> RouteDecision:
    """``received_at``: when the alert arrived, for routes with an ``active`` window (a route
    with a window never matches without it)."""
    for route in sorted(routes, key=lambda r: (r.position, r.id)):
        if route.integration_id != integration.id:
            continue
        if route.active is not None and (
            received_at is None or not window_open(route.active, received_at)
        ):
            continue
        if route_matches(route, alert, source=integration.format, description=description):
            return RouteDecision(
                route_id=route.id,
                service_id=route.service_id or integration.service_id,
                escalation_policy_id=route.escalation_policy_id,
                page=route.page,
                severity=route.severity or alert.severity,
            )
    return RouteDecision(
        route_id=None,
        service_id=integration.service_id,
        escalation_policy_id=None,
        page=True,
        severity=alert.severity,
    )
