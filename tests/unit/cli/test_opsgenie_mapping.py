"""The pure Opsgenie -> OpenAlert mapping. Bodies are checked by OpenAlert's own models (what the
API would accept) and restrictions by OpenAlert's own resolver (what it would page)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from openalert_cli.opsgenie import mapping, personal, routes
from openalert_cli.opsgenie import parse as og
from shared.catalog.models import RouteCondition
from shared.escalation.models import PolicyBody
from shared.schedules.models import Layer, Schedule
from shared.schedules.resolve import on_call

DAYS = mapping.DAYS
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def _tr(kind: str, *w: tuple[str | None, int, int, str | None, int, int]) -> og.TimeRestriction:
    return og.TimeRestriction(kind, tuple(og.Window(*x) for x in w))


def _covered(tr: og.TimeRestriction, minute_of_week: int) -> bool:
    """Opsgenie's definition, read directly: inside some window's [start, end)."""
    for w in tr.windows:
        s, e = w.start_hour * 60 + w.start_min, w.end_hour * 60 + w.end_min
        if w.start_day is None:
            m = minute_of_week % 1440
            if (s <= m < e) if s < e else (m >= s or m < e):
                return True
            continue
        assert w.end_day is not None
        a, b = DAYS.index(w.start_day) * 1440 + s, DAYS.index(w.end_day) * 1440 + e
        m = minute_of_week if minute_of_week >= a else minute_of_week + 7 * 1440
        if a <= m < (b if b > a else b + 7 * 1440):
            return True
    return False


WINDOW = st.tuples(
    st.sampled_from(DAYS), st.integers(0, 23), st.sampled_from([0, 30]),
    st.sampled_from(DAYS), st.integers(0, 23), st.sampled_from([0, 30]),
)  # fmt: skip
TOD = st.tuples(
    st.integers(0, 23), st.sampled_from([0, 30]), st.integers(0, 23), st.sampled_from([0, 30])
)


@given(windows=st.lists(WINDOW, min_size=1, max_size=3) | st.lists(TOD, min_size=1, max_size=1))
def test_restrictions_page_exactly_where_opsgenie_windows_are(windows: list[tuple]) -> None:
    if len(windows[0]) == 4:
        sh, sm, eh, em = windows[0]
        tr = _tr("time-of-day", (None, sh, sm, None, eh, em))
    else:
        tr = _tr("weekday-and-time-of-day", *windows)
    restrictions, notes = mapping.restrictions(tr)
    if notes:  # more daily pieces than a layer holds: reported, not mapped
        assert notes[0].skipped
        return
    layer = Layer(
        name="l", participants=("ann",), start=datetime(2026, 1, 5), frequency="weekly",
        restrictions=restrictions,
    )  # fmt: skip
    schedule = Schedule(id="s", name="s", team_id="t", time_zone="UTC", layers=(layer,))
    for half_hour in range(7 * 48):
        at = MONDAY + timedelta(minutes=30 * half_hour)
        assert bool(on_call(schedule, at).users) == _covered(tr, 30 * half_hour), at


def test_a_multi_day_window_becomes_one_piece_per_day() -> None:
    tr = _tr("weekday-and-time-of-day", ("monday", 9, 0, "friday", 17, 0))
    assert mapping.restrictions(tr)[0] == [
        {"weekdays": [4], "start": "00:00:00", "end": "17:00:00"},
        {"weekdays": [1, 2, 3], "start": "00:00:00", "end": "00:00:00"},
        {"weekdays": [0], "start": "09:00:00", "end": "00:00:00"},
    ]


def _rot(**kw: object) -> og.Rotation:
    base = dict(
        id="r", name="R", type="daily", length=2, start=datetime(2026, 3, 1, 7, tzinfo=UTC),
        end=None,
        participants=(og.Recipient("user", "u1", "a@x.io"), og.Recipient("none", None, None)),
        time_restriction=None, enabled=True,
    )  # fmt: skip
    return og.Rotation(**{**base, **kw})  # type: ignore[arg-type]


def test_a_rotation_becomes_a_layer_in_the_schedules_zone() -> None:
    body, notes = mapping.layer(_rot(), "Europe/Berlin", {"u1": "ann"})
    assert body is not None and notes == []
    layer = Layer.model_validate(body)
    assert layer.start == datetime(2026, 3, 1, 8) and layer.participants == ("ann", "")
    assert layer.interval == 2 and layer.frequency == "daily"


def test_non_user_participants_become_gaps_and_are_reported() -> None:
    team = og.Recipient("team", "t1", "Ops")
    body, notes = mapping.layer(_rot(participants=(team, og.Recipient("user", "u1", None))),
                                "UTC", {"u1": "ann"})  # fmt: skip
    assert body is not None and body["participants"] == ["", "ann"]
    assert "team" in notes[0].reason and not notes[0].skipped
    body, notes = mapping.layer(_rot(participants=(team,)), "UTC", {})
    assert body is None and notes[-1].skipped


def test_hourly_rotations_count_real_hours_and_keep_their_end() -> None:
    end = datetime(2026, 4, 1, tzinfo=UTC)
    body, _ = mapping.layer(_rot(type="hourly", length=12, end=end), "UTC", {"u1": "ann"})
    assert body is not None and body["hourly_clock"] == "elapsed"
    assert Layer.model_validate(body).effective_until == end


def _rule(kind: str, rid: str, delay: int, notify: str = "default") -> og.EscalationRule:
    return og.EscalationRule("if-not-acked", notify, delay, og.Recipient(kind, rid, rid))


REFS = mapping.Refs(
    users={"u1": "ann"}, schedules={"s1": "sched-1"}, teams={"t1": "team-1"},
    members={"t1": {"admin": ["ann"], "user": ["bob"]}},
)  # fmt: skip


def test_escalation_offsets_become_waits_and_repeat_closes_after_all() -> None:
    e = og.Escalation(
        "e1", "E", "", "t1",
        (_rule("schedule", "s1", 0), _rule("schedule", "s1", 5, "next"),
         _rule("team", "t1", 30, "admins"), _rule("user", "u1", 30 + 1500)),
        og.Repeat(10, 30, False, True),
    )  # fmt: skip
    body, notes = mapping.policy_body(e, "team-1", REFS)
    assert body is not None
    policy = PolicyBody.model_validate(body)
    assert [s.type for s in policy.steps] == [
        "notify_schedule", "wait", "notify_schedule", "wait", "notify_users", "wait", "wait",
        "notify_users", "wait", "repeat", "resolve",
    ]  # fmt: skip
    waits = [s.minutes for s in policy.steps if s.type == "wait"]
    assert waits == [5, 25, 1440, 60, 10]
    assert policy.steps[2].which == "next"  # type: ignore[union-attr]
    assert policy.steps[-2].times == 10  # type: ignore[union-attr]
    assert any("30 times" in n.reason for n in notes) and any("admins" in n.reason for n in notes)


def test_escalation_without_anyone_to_page_is_skipped() -> None:
    e = og.Escalation("e1", "E", "", "t1", (_rule("user", "nobody", 0),), None)
    body, notes = mapping.policy_body(e, "team-1", REFS)
    assert body is None and notes[-1].skipped


def _cond(field: str, op: str, value: str, negate: bool = False, key: str | None = None):
    return og.Condition(field, key, negate, op, value)


def test_conditions_map_to_route_conditions_that_validate_and_match() -> None:
    cases = [
        (_cond("message", "contains", "a.b"), {"field": "title", "op": "regex", "value": r"a\.b"}),
        (_cond("priority", "equals", "P1", True), {"field": "severity", "op": "ne", "value": "P1"}),
        (_cond("extra-properties", "equals", "prod", key="env"),
         {"field": "label:env", "op": "eq", "value": "prod"}),
        (_cond("description", "is-empty", ""), {"field": "description", "op": "not_exists"}),
    ]  # fmt: skip
    for cond, want in cases:
        got, match, problem = routes.conditions(og.Filter("match-all-conditions", (cond,)))
        assert (got, match, problem) == ([want], "all", "")
        RouteCondition.model_validate(got[0])
    [tags], _, _ = routes.conditions(
        og.Filter("match-any-condition", (_cond("tags", "contains", "stg"),))
    )
    assert re.search(tags["value"], "web,stg,eu") and not re.search(tags["value"], "stgx")
    for bad in (_cond("message", "contains", "x", True), _cond("entity", "equals", "x"),
                _cond("priority", "greater-than", "P3")):  # fmt: skip
        assert routes.conditions(og.Filter("match-all-conditions", (bad,)))[2]


def test_overlap_is_found_only_where_windows_and_dates_meet() -> None:
    day = _tr("time-of-day", (None, 8, 0, None, 20, 0))
    night = _tr("time-of-day", (None, 20, 0, None, 8, 0))
    assert not mapping.may_overlap(_rot(time_restriction=day), _rot(time_restriction=night))
    assert mapping.may_overlap(_rot(time_restriction=day), _rot())
    ended = _rot(end=datetime(2026, 3, 5, tzinfo=UTC))
    assert not mapping.may_overlap(ended, _rot(start=datetime(2026, 3, 5, tzinfo=UTC)))


def test_personal_rules_turn_send_after_offsets_into_waits() -> None:
    step = og.RuleStep
    rule = og.NotificationRule(
        "n", "New", "create-alert", True, 0, og.Filter("match-all", ()), None,
        (step("sms", "+4915100", 5, True), step("email", "a@x.io", 0, True),
         step("voice", "+4915100", 15, True), step("mobile", "Pixel", 1, True)),
    )  # fmt: skip
    contacts = [og.Contact("email", "a@x.io", True), og.Contact("mobile", "Pixel", True)]
    got, notes = personal.personal(contacts, [rule])
    assert got["rules"]["default"] == [
        {"type": "notify", "contact": "email"}, {"type": "wait", "minutes": 5},
        {"type": "notify", "contact": "sms"}, {"type": "wait", "minutes": 10},
        {"type": "notify", "contact": "voice"},
    ]  # fmt: skip
    assert [c["kind"] for c in got["contacts"]] == ["email"]
    assert any("mobile" in n.reason for n in notes)


def test_quiet_hours_are_the_hours_outside_a_rules_restriction() -> None:
    workdays = _tr("weekday-and-time-of-day", *[(d, 9, 0, d, 17, 0) for d in DAYS[:5]])
    quiet = personal.quiet_hours(workdays, "Europe/Berlin")
    assert quiet == {
        "timezone": "Europe/Berlin",
        "ranges": [
            {"weekdays": [0, 1, 2, 3, 4], "start": "00:00:00", "end": "09:00:00"},
            {"weekdays": [5, 6], "start": "00:00:00", "end": "00:00:00"},
            {"weekdays": [0, 1, 2, 3, 4], "start": "17:00:00", "end": "00:00:00"},
        ],
    }
    assert personal.quiet_hours(_tr("time-of-day", (None, 0, 0, None, 0, 0)), "UTC") is None


def test_a_team_default_step_pages_the_schedule_the_teams_default_route_notifies() -> None:
    e = og.Escalation("e1", "E", "", "t1", (_rule("team", "t1", 0),), None)
    plain, notes = mapping.policy_body(e, "team-1", REFS)
    assert plain is not None and plain["steps"] == [{"type": "notify_team", "team_id": "team-1"}]
    assert "routing rules pick" in notes[0].reason
    routed = dataclasses.replace(REFS, default_schedules={"t1": "sched-1"})
    body, notes = mapping.policy_body(e, "team-1", routed)
    assert body is not None and notes == []
    assert body["steps"] == [{"type": "notify_schedule", "schedule_id": "sched-1"}]
    conditional = dataclasses.replace(routed, conditional_routing=frozenset({"t1"}))
    _, notes = mapping.policy_body(e, "team-1", conditional)
    assert "not consulted" in notes[0].reason
