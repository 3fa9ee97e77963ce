"""``external_id``: an importer's label on the objects it made, validated and kept on update."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.catalog.models import RouteBody, ServiceBody, TeamBody
from shared.escalation.models import PolicyBody
from shared.schedules.models import ScheduleBody


def test_external_id_is_accepted_on_every_imported_kind() -> None:
    ext = "opsgenie:schedule:4e5a-b1"
    assert TeamBody(name="n", external_id=ext).external_id == ext
    assert ServiceBody(name="n", team_id="t", external_id=ext).external_id == ext
    assert ScheduleBody(name="n", team_id="t", time_zone="UTC", external_id=ext).external_id
    steps = [{"type": "notify_team", "team_id": "t"}]
    assert PolicyBody(name="n", team_id="t", steps=steps, external_id=ext).external_id == ext
    cond = [{"field": "severity", "op": "eq", "value": "P1"}]
    assert RouteBody(position=0, conditions=cond, external_id=ext).external_id == ext


@pytest.mark.parametrize("bad", ["", "x", "Opsgenie:1", "opsgenie:", "opsgenie:a b", "a" * 201])
def test_malformed_external_ids_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        TeamBody(name="n", external_id=bad)
