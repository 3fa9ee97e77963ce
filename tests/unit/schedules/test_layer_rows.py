"""The timeline's layer rows: each layer alone, without overrides, by the pager's resolver."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from shared.schedules.layer_rows import layer_rows
from shared.schedules.models import Layer, Override, Restriction, Schedule

START = datetime(2026, 3, 2, 9, 0)
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 Berlin


def _schedule() -> Schedule:
    base = Layer(name="base", participants=("ann", "bob"), start=START, frequency="daily")
    days = Layer(
        name="office",
        participants=("cid",),
        start=START,
        frequency="weekly",
        restrictions=(Restriction(weekdays=frozenset(range(5)), start=time(9), end=time(17)),),
    )
    cover = Override(user="dan", start=AT, end=AT + timedelta(hours=1))
    return Schedule(
        id="s",
        name="s",
        team_id="t",
        time_zone="Europe/Berlin",
        layers=(base, days),
        overrides=(cover,),
    )


def test_each_layer_is_its_own_row_without_overrides() -> None:
    rows = layer_rows(_schedule(), AT, AT + timedelta(days=2))
    assert [(r.index, r.name) for r in rows.layers] == [(0, "base"), (1, "office")]
    base, office = rows.layers
    assert [s.user for s in base.shifts] == ["ann", "bob"]
    assert all(s.user != "dan" for r in rows.layers for s in r.shifts)
    # The restricted layer is empty outside 09:00-17:00: there a lower layer shows through.
    assert [(s.user, s.end - s.start) for s in office.shifts] == [
        ("cid", timedelta(hours=8)),
        (None, timedelta(hours=16)),
        ("cid", timedelta(hours=8)),
        (None, timedelta(hours=16)),
    ]


def test_a_schedule_without_layers_has_no_rows() -> None:
    empty = _schedule().model_copy(update={"layers": ()})
    assert layer_rows(empty, AT, AT + timedelta(days=1)).layers == []
