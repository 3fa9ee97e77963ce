"""Random Opsgenie rotations, mapped to OpenAlert layers, put the same person on call at every
hour as the stand-in's brute-force expander (tests/fixtures/opsgenie_timeline.py, written apart
from OpenAlert's resolver), over windows holding a DST change in the rotation's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from openalert_cli.opsgenie import mapping
from openalert_cli.opsgenie import parse as og
from shared.schedules.models import Layer, Schedule
from shared.schedules.resolve import final_schedule
from tests.fixtures.opsgenie_timeline import final_timeline

#: (zone, a UTC instant in the week of its DST change)
ZONES = [
    ("Europe/Berlin", datetime(2027, 3, 26, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 11, 5, tzinfo=UTC)),
    ("Australia/Sydney", datetime(2027, 4, 1, tzinfo=UTC)),
    ("Asia/Tokyo", datetime(2027, 6, 1, tzinfo=UTC)),
]
DAY = st.sampled_from(mapping.DAYS)


def _repeated_wall_time(at: datetime, tz: str) -> bool:
    """True in a DST fall-back's repeated hour. A boundary written as a wall time there (02:30)
    names two instants; Opsgenie's documentation does not say which one it means, and the
    stand-in and OpenAlert pick differently, so the two readings may differ for that hour only
    (the importer's --verify-weeks compares the real account's timeline)."""
    local = at.astimezone(ZoneInfo(tz))
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


HOUR = st.integers(0, 23)
HALF = st.sampled_from([0, 30])


def _covers(period: dict[str, Any], at: datetime) -> bool:
    start = datetime.fromisoformat(period["startDate"].replace("Z", "+00:00"))
    return start <= at < datetime.fromisoformat(period["endDate"].replace("Z", "+00:00"))


@st.composite
def restriction(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from([None, "time-of-day", "weekday-and-time-of-day"]))
    if kind is None:
        return None
    if kind == "time-of-day":
        sh, sm, eh, em = draw(st.tuples(HOUR, HALF, HOUR, HALF))
        return {"type": kind, "restriction": {"startHour": sh, "startMin": sm, "endHour": eh,
                                               "endMin": em}}  # fmt: skip
    spans = draw(st.lists(st.tuples(DAY, HOUR, HALF, DAY, HOUR, HALF), min_size=1, max_size=3))
    return {"type": kind, "restrictions": [
        {"startDay": a, "startHour": ah, "startMin": am, "endDay": b, "endHour": bh, "endMin": bm}
        for a, ah, am, b, bh, bm in spans]}  # fmt: skip


@settings(max_examples=60)
@given(
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from(["hourly", "daily", "weekly"]),
    length=st.integers(1, 4),
    start_hours=st.integers(-24 * 20, 24 * 3),
    people=st.lists(st.sampled_from(["u1", "u2", "u3", "none"]), min_size=1, max_size=4),
    restricted=restriction(),
)
def test_mapped_rotations_agree_with_the_stand_ins_timeline(
    zone: tuple[str, datetime],
    kind: str,
    length: int,
    start_hours: int,
    people: list[str],
    restricted: dict[str, Any] | None,
) -> None:
    tz, window = zone
    if kind == "hourly":
        length *= 6  # shifts of 6-24 h keep the property test's windows small
    start = window + timedelta(hours=start_hours, minutes=30 * (start_hours % 2))
    participants = [{"type": "none"} if p == "none" else {"type": "user", "id": p} for p in people]
    raw = {"id": "r", "name": "R", "type": kind, "length": length, "participants": participants,
           "startDate": start.isoformat(), "timeRestriction": restricted}  # fmt: skip
    rotation = og.rotation(raw)
    body, notes = mapping.layer(rotation, tz, {"u1": "u1", "u2": "u2", "u3": "u3"})
    if body is None:
        assert any(n.skipped for n in notes)  # only gaps, or a restriction too fine to map
        return
    schedule = Schedule(id="s", name="s", team_id="t", time_zone=tz,
                        layers=(Layer.model_validate(body),))  # fmt: skip
    end = window + timedelta(days=7)
    ours = final_schedule(schedule, window, end)
    theirs = final_timeline({"timezone": tz, "rotations": [raw]}, [], window, end)[0]["periods"]
    for h in range(7 * 24):
        at = window + timedelta(hours=h, minutes=15)
        if _repeated_wall_time(at, tz):
            continue
        want = {p["recipient"]["id"] for p in theirs if _covers(p, at)}
        got = {s.user for s in ours if s.start <= at < s.end and s.user is not None}
        assert got == want, at
