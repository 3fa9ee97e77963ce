"""User regexes run on RE2 (linear time) and are refused at save when RE2 cannot compile them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared import patterns
from shared.api.v1 import API, ApiPorts
from shared.catalog.models import Integration, RouteCondition, Service
from shared.catalog.routing import condition_matches
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.contract.api.test_api_views import NOW, _as_admin
from tests.unit.catalog.test_routing import Alert


def test_a_catastrophic_pattern_runs_in_linear_time_on_re2() -> None:
    cond = RouteCondition(field="title", op="regex", value=r"^(a+)+$")
    hostile = Alert(title="a" * 4000 + "!")
    started = time.perf_counter()
    assert not condition_matches(cond, hostile, source="generic")
    assert condition_matches(cond, Alert(title="a" * 4000), source="generic")
    # Python's re needs about 2**28 steps for 28 characters; RE2 is linear. The bound only
    # catches exponential blow-up, far above any machine's jitter.
    assert time.perf_counter() - started < 2.0
    assert type(patterns._compiled(r"^(a+)+$")).__module__.startswith("re2")


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(?=a)b", "invalid perl operator"),
        (r"(a)\1", "invalid escape"),
        (r"(", r"missing \)"),
        ("a" * 1001, "longer than 1000"),
    ],
)
def test_patterns_re2_cannot_compile_are_refused_at_save(pattern: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        RouteCondition(field="title", op="regex", value=pattern)


def test_a_stored_pattern_re2_refuses_matches_nothing() -> None:
    # Saved before patterns were checked with RE2: the route falls through, never raises.
    cond = RouteCondition.model_construct(field="title", op="regex", value=r"(?<=x)y")
    assert not condition_matches(cond, Alert(title="xy"), source="generic")


async def test_the_api_answers_a_400_naming_the_pattern_field(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        await store.upsert("services", to_doc(Service(id="svc", name="svc", team_id="t")))
        integration = Integration(
            id="int-1",
            name="generic",
            service_id="svc",
            team_id="t",
            format="generic",
            key_prefix="k",
            key_hash="h",
            created_at=NOW,
        )
        await store.upsert("integrations", to_doc(integration))
        ports = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
        route = {"position": 0, "conditions": [{"field": "title", "op": "regex", "value": "(?!x)"}]}
        reply = await API.dispatch(
            method="POST",
            path="integrations/int-1/routes",
            query={},
            headers={"Authorization": "Bearer x"},
            body=json.dumps(route).encode(),
            authenticate=_as_admin,
            ports=ports,
            base_url="http://oa.example",
        )
        assert reply.status == 400, reply.body
        assert isinstance(reply.body, dict)
        assert "conditions" in json.dumps(reply.body) and "RE2" in json.dumps(reply.body)
    finally:
        await store.close()
