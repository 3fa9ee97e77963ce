"""Routes with an ``active`` window apply only inside it, judged at the alert's arrival in the
window's zone; outside it the next route is tried (Opsgenie's time-restricted routing rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.catalog.models import RouteBody
from shared.catalog.route_trial import evaluate
from shared.catalog.route_windows import RouteWindow
from shared.catalog.routing import choose_route
from tests.unit.catalog.test_routing import INTEGRATION, Alert, route

NIGHT = {"timezone": "Europe/Berlin", "ranges": [{"start": "22:00", "end": "06:00"}]}
ANY = {"field": "severity", "op": "exists"}


def _decide(at: datetime | None) -> str | None:
    routes = [
        route(0, ANY, active=NIGHT, escalation_policy_id="pol-night"),
        route(1, ANY, escalation_policy_id="pol-day"),
    ]
    return choose_route(INTEGRATION, routes, Alert(), received_at=at).escalation_policy_id


@pytest.mark.parametrize(
    ("at", "policy"),
    [
        (datetime(2027, 1, 11, 21, 30, tzinfo=UTC), "pol-night"),  # 22:30 CET
        (datetime(2027, 1, 11, 4, 59, tzinfo=UTC), "pol-night"),  # 05:59 CET
        (datetime(2027, 1, 11, 5, 0, tzinfo=UTC), "pol-day"),  # 06:00 CET
        (datetime(2027, 7, 12, 20, 30, tzinfo=UTC), "pol-night"),  # 22:30 CEST
        (datetime(2027, 7, 12, 4, 30, tzinfo=UTC), "pol-day"),  # 06:30 CEST
        (None, "pol-day"),  # no arrival time: a windowed route cannot be judged, so it is skipped
    ],
)
def test_a_route_applies_only_inside_its_window(at: datetime | None, policy: str) -> None:
    assert _decide(at) == policy


def test_windows_are_validated() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        RouteWindow.model_validate({"timezone": "Mars/Olympus", "ranges": [NIGHT["ranges"][0]]})
    with pytest.raises(ValidationError):
        RouteBody.model_validate(
            {"position": 0, "conditions": [ANY], "active": {"timezone": "UTC", "ranges": []}}
        )


def test_a_route_trial_shows_the_window_deciding() -> None:
    routes = [route(0, ANY, active=NIGHT, page=False)]
    night = evaluate(INTEGRATION, routes, Alert(), "", datetime(2027, 1, 11, 22, tzinfo=UTC))
    day = evaluate(INTEGRATION, routes, Alert(), "", datetime(2027, 1, 11, 12, tzinfo=UTC))
    assert (night.routes[0].matched, night.decision.page) == (True, False)
    assert (day.routes[0].matched, day.decision.page) == (False, True)
