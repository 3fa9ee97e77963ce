"""Property tests of the Opsgenie payload parsers: any JSON gives a record or a ParseError
(never another exception), and well-formed payloads keep what the import needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openalert_cli.opsgenie import parse as og

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["id", "name", "username", "type", "startDate", "endDate", "participants", "rules", "delay",
     "recipient", "timeRestriction", "restriction", "restrictions", "startHour", "startMin",
     "endHour", "endMin", "startDay", "endDay", "members", "user", "role", "conditions",
     "criteria", "notify", "interval", "intervalUnit", "steps", "contact", "sendAfter",
     "timeAmount", "timeUnit", "repeat", "count", "waitInterval", "rotations", "timezone",
     "method", "to", "status", "enabled", "alias", "actionType", "filter", "field", "operation"]
)  # fmt: skip
#: Objects shaped like Opsgenie's (its field names, arbitrary values), to get past the first key.
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 30) | st.sampled_from(
        ["2026-03-29T01:00:00Z", "monday", "sunday", "user", "none", "minutes", "days",
         "time-of-day", "weekday-and-time-of-day", "x", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=8),
    max_leaves=30,
)  # fmt: skip
PARSERS: list[Callable[[object], Any]] = [
    og.user, og.contact, og.team, og.routing_rule, og.schedule, og.override, og.escalation,
    og.integration, og.heartbeat, og.policy, og.service, og.notification_rule, og.timeline,
    og.rotation, og.recipient, og.filter_,
]  # fmt: skip


@given(parser=st.sampled_from(PARSERS), raw=JSON | SHAPED)
def test_any_json_parses_or_raises_parse_error(parser: Callable[[object], Any], raw: Any) -> None:
    try:
        parser(raw)
    except og.ParseError:
        pass


HOURS = st.integers(0, 23)
HALF = st.sampled_from([0, 30])
DAY = st.sampled_from(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)


@given(
    spans=st.lists(st.tuples(DAY, HOURS, HALF, DAY, HOURS, HALF), min_size=1, max_size=4),
    length=st.integers(1, 30),
    kind=st.sampled_from(["hourly", "daily", "weekly"]),
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_a_well_formed_rotation_keeps_everything(
    spans: list[tuple[str, int, int, str, int, int]], length: int, kind: str, start: datetime
) -> None:
    raw = {
        "id": "r1", "name": "R", "type": kind, "length": length,
        "startDate": start.isoformat().replace("+00:00", "Z"),
        "participants": [{"type": "user", "id": "u1", "username": "A@x.io"}, {"type": "none"}],
        "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": [
            {"startDay": a, "startHour": ah, "startMin": am, "endDay": b, "endHour": bh,
             "endMin": bm} for a, ah, am, b, bh, bm in spans]},
    }  # fmt: skip
    rot = og.rotation(raw)
    assert (rot.type, rot.length, rot.start) == (kind, length, start)
    assert [p.type for p in rot.participants] == ["user", "none"]
    assert rot.participants[0].name == "A@x.io"
    assert rot.time_restriction is not None and len(rot.time_restriction.windows) == len(spans)


def test_contact_shapes_of_both_endpoints() -> None:
    listed = og.contact({"method": "sms", "to": "+49151", "status": {"enabled": False}})
    expanded = og.contact({"contactMethod": "sms", "to": "+49151", "enabled": True})
    assert (listed.method, listed.enabled, expanded.method, expanded.enabled) == (
        "sms", False, "sms", True,
    )  # fmt: skip


def test_escalation_delays_in_hours_and_unknown_enums_are_kept() -> None:
    e = og.escalation({
        "id": "e", "name": "E",
        "rules": [{"condition": "if-not-seen", "notifyType": "random",
                   "delay": {"timeAmount": 2, "timeUnit": "hours"},
                   "recipient": {"type": "team", "id": "t"}}],
    })  # fmt: skip
    assert e.rules[0].delay_minutes == 120 and e.rules[0].condition == "if-not-seen"
    with pytest.raises(og.ParseError, match="timeUnit"):
        og.escalation(
            {
                "id": "e",
                "name": "E",
                "rules": [
                    {"delay": {"timeAmount": 1, "timeUnit": "weeks"}, "recipient": {"type": "user"}}
                ],
            }
        )


def test_heartbeats_and_policies() -> None:
    hb = og.heartbeat({"name": "h", "interval": 2, "intervalUnit": "hours", "enabled": True})
    assert hb.interval_minutes == 120
    p = og.policy({"id": "p", "name": "P", "type": "alert", "priority": "P2", "message": "x",
                   "timeRestrictions": {"type": "time-of-day", "restriction": {
                       "startHour": 9, "startMin": 0, "endHour": 17, "endMin": 0}}})  # fmt: skip
    assert p.priority == "P2" and p.other_actions == ("message",) and p.time_restriction
