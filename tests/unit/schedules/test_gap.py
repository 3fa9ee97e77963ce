"""An empty participant slot ("none" in Opsgenie) is a gap in the rotation, not a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.schedules.models import GAP, Layer, Schedule
from shared.schedules.people import layer_people, schedule_refs
from shared.schedules.resolve import final_schedule, on_call

START = datetime(2026, 3, 2, 9, 0)


def _schedule() -> Schedule:
    layer = Layer(name="l", participants=("ann", GAP, "bob"), start=START, frequency="daily")
    return Schedule(id="s", name="s", team_id="t", time_zone="Europe/Berlin", layers=(layer,))


def test_a_gap_slot_has_nobody_on_call_and_keeps_the_turn_order() -> None:
    s = _schedule()
    day = timedelta(days=1)
    at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert [on_call(s, at + k * day).users for k in range(4)] == [("ann",), (), ("bob",), ("ann",)]
    gaps = [x for x in final_schedule(s, at, at + 3 * day) if x.user is None]
    assert len(gaps) == 1 and gaps[0].end - gaps[0].start == day


def test_a_gap_is_not_a_person_to_check() -> None:
    layers = _schedule().layers
    assert [p for _, p in layer_people(layers)] == ["ann", "bob"]
    assert [r.id for r in schedule_refs(layers, ())] == ["ann", "bob"]


def test_a_layer_of_only_gaps_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one person"):
        Layer(name="l", participants=(GAP, GAP), start=START)
