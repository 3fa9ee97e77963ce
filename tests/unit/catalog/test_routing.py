from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.catalog.models import Integration, Route, RouteCondition
from shared.catalog.routing import choose_route, condition_matches


@dataclass(frozen=True)
class Alert:
    title: str = "Disk full on db-1"
    severity: str = "P2"
    labels: Mapping[str, str] = field(default_factory=dict)


INTEGRATION = Integration(
    id="int-1",
    name="prom",
    service_id="svc-default",
    team_id="t1",
    format="alertmanager",
    key_prefix="abcd",
    key_hash="h",
)


def route(position: int, *conds: dict[str, Any], **kw: Any) -> Route:
    return Route.model_validate(
        {
            "id": f"r{position}",
            "integration_id": "int-1",
            "position": position,
            "conditions": conds,
            **kw,
        }
    )


def cond(**kw: Any) -> RouteCondition:
    return RouteCondition.model_validate(kw)


@pytest.mark.parametrize(
    ("condition", "alert", "expected"),
    [
        (cond(field="label:env", op="eq", value="prod"), Alert(labels={"env": "prod"}), True),
        (cond(field="label:env", op="eq", value="prod"), Alert(labels={"env": "staging"}), False),
        (cond(field="label:env", op="eq", value="prod"), Alert(), False),
        (cond(field="label:env", op="ne", value="prod"), Alert(), True),
        (cond(field="label:env", op="in", value=["prod", "dr"]), Alert(labels={"env": "dr"}), True),
        (cond(field="label:env", op="not_in", value=["prod"]), Alert(labels={"env": "dev"}), True),
        (cond(field="label:env", op="in", value=["prod"]), Alert(), False),
        (cond(field="label:team", op="exists"), Alert(labels={"team": ""}), True),
        (cond(field="label:team", op="not_exists"), Alert(), True),
        (cond(field="title", op="regex", value=r"(?i)disk\s+full"), Alert(), True),
        (cond(field="title", op="regex", value=r"^CPU"), Alert(), False),
        (cond(field="severity", op="in", value=["P1", "P2"]), Alert(), True),
        (cond(field="source", op="eq", value="alertmanager"), Alert(), True),
    ],
)
def test_condition_kinds(condition: RouteCondition, alert: Alert, expected: bool) -> None:
    assert condition_matches(condition, alert, source="alertmanager") is expected


def test_first_matching_route_wins_by_position() -> None:
    routes = [
        route(2, {"field": "label:env", "op": "eq", "value": "prod"}, service_id="svc-late"),
        route(1, {"field": "label:env", "op": "eq", "value": "prod"}, service_id="svc-first"),
    ]
    decision = choose_route(INTEGRATION, routes, Alert(labels={"env": "prod"}))
    assert (decision.route_id, decision.service_id) == ("r1", "svc-first")


def test_no_match_falls_back_to_the_integration_service_and_pages() -> None:
    routes = [route(0, {"field": "label:env", "op": "eq", "value": "prod"}, page=False)]
    decision = choose_route(INTEGRATION, routes, Alert(labels={"env": "dev"}))
    assert decision.route_id is None
    assert decision.service_id == "svc-default"
    assert decision.page is True


def test_dont_page_route_and_severity_override() -> None:
    routes = [
        route(0, {"field": "label:env", "op": "eq", "value": "staging"}, page=False, severity="P5")
    ]
    decision = choose_route(INTEGRATION, routes, Alert(labels={"env": "staging"}))
    assert decision.page is False
    assert decision.severity == "P5"


def test_match_any() -> None:
    r = route(
        0,
        {"field": "label:env", "op": "eq", "value": "prod"},
        {"field": "severity", "op": "eq", "value": "P1"},
        match="any",
        escalation_policy_id="pol-critical",
    )
    assert (
        choose_route(INTEGRATION, [r], Alert(severity="P1")).escalation_policy_id == "pol-critical"
    )
    assert choose_route(INTEGRATION, [r], Alert(severity="P4")).route_id is None


def test_routes_of_other_integrations_are_ignored() -> None:
    other = route(0, {"field": "severity", "op": "exists"}).model_copy(
        update={"integration_id": "int-2"}
    )
    assert choose_route(INTEGRATION, [other], Alert()).route_id is None


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "label:x", "op": "in", "value": []},
        {"field": "label:x", "op": "in", "value": "prod"},
        {"field": "label:x", "op": "exists", "value": "x"},
        {"field": "label:x", "op": "regex", "value": "("},
        {"field": "label:x", "op": "regex", "value": "a" * 1001},
        {"field": "label:", "op": "eq", "value": "x"},
        {"field": "hostname", "op": "eq", "value": "x"},
        {"field": "title", "op": "eq", "value": None},
    ],
)
def test_invalid_conditions_are_rejected_when_saved(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RouteCondition.model_validate(bad)


_text = st.text(max_size=30)


@given(
    labels=st.dictionaries(st.sampled_from(["env", "team", "region"]), _text, max_size=3),
    title=_text,
    values=st.lists(_text, min_size=1, max_size=3),
)
def test_in_and_not_in_are_complements_when_the_label_exists(
    labels: dict[str, str], title: str, values: list[str]
) -> None:
    alert = Alert(title=title, labels=labels)
    for name in ("env", "team"):
        yes = condition_matches(
            cond(field=f"label:{name}", op="in", value=values), alert, source="x"
        )
        no = condition_matches(
            cond(field=f"label:{name}", op="not_in", value=values), alert, source="x"
        )
        if name in labels:
            assert yes != no
        else:
            assert not yes and no
