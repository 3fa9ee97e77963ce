from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.escalation.models import Cursor, PolicyBody, PolicySnapshot
from shared.escalation.plan import (
    NeedAlertCount,
    Plan,
    next_window_open,
    plan_step,
    react,
    window_is_open,
)

# Monday 2026-11-23 08:00 UTC = 09:00 Europe/Berlin (CET, UTC+1).
MON_0800Z = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def snapshot(*steps: dict[str, Any], **policy: Any) -> PolicySnapshot:
    body = PolicyBody.model_validate({"name": "p", "team_id": "t", "steps": steps, **policy})
    return PolicySnapshot(
        policy_id="pol",
        policy_version=1,
        incident_id="inc",
        incident_number=1,
        team_id="t",
        severity="P2",
        steps=body.steps,
        ack_timeout_minutes=body.ack_timeout_minutes,
        source_acks_count=body.source_acks_count,
        frozen_at=MON_0800Z,
    )


USERS_A = {"type": "notify_users", "user_ids": ["a"]}
USERS_B = {"type": "notify_users", "user_ids": ["b"], "importance": "important"}
WAIT_5 = {"type": "wait", "minutes": 5}
BERLIN_OFFICE = {
    "type": "time_window",
    "timezone": "Europe/Berlin",
    "ranges": [{"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
}


def as_plan(result: Plan | NeedAlertCount) -> Plan:
    assert isinstance(result, Plan)
    return result


def run(
    snap: PolicySnapshot, now: datetime, alert_count: int = 0, limit: int = 100
) -> list[tuple[datetime, str]]:
    """Walk a whole escalation with nobody acknowledging; returns (time, user) pages."""
    pages: list[tuple[datetime, str]] = []
    cursor: Cursor | None = Cursor()
    answer: int | None = None
    for _ in range(limit):
        assert cursor is not None
        result = plan_step(snap, cursor, now=now, alerts_in_window=answer)
        if isinstance(result, NeedAlertCount):
            answer = alert_count
            continue
        answer = None
        for effect in result.effects:
            if effect.kind == "notify":
                pages.extend((now, u) for u in effect.step.user_ids)  # type: ignore[union-attr]
        if result.next is None:
            return pages
        cursor = result.next
        if result.wait_until is not None:
            now = result.wait_until
    raise AssertionError("escalation did not end")


def test_steps_run_in_order_with_the_right_waits() -> None:
    snap = snapshot(
        USERS_A,
        WAIT_5,
        USERS_B,
        {"type": "wait", "minutes": 10},
        {"type": "notify_users", "user_ids": ["c"]},
    )
    pages = run(snap, MON_0800Z)
    assert pages == [
        (MON_0800Z, "a"),
        (MON_0800Z + timedelta(minutes=5), "b"),
        (MON_0800Z + timedelta(minutes=15), "c"),
    ]


def test_first_plan_carries_importance_and_stops_at_the_wait() -> None:
    snap = snapshot(USERS_A, USERS_B, WAIT_5, USERS_A)
    plan = as_plan(plan_step(snap, Cursor(), now=MON_0800Z))
    assert [e.step.importance for e in plan.effects] == ["default", "important"]  # type: ignore[union-attr]
    assert plan.wait_until == MON_0800Z + timedelta(minutes=5)
    assert plan.next == Cursor(position=3)


def test_repeat_runs_the_policy_again_n_times_then_stops() -> None:
    snap = snapshot(USERS_A, WAIT_5, {"type": "repeat", "times": 2})
    pages = run(snap, MON_0800Z)
    assert pages == [(MON_0800Z + timedelta(minutes=5 * i), "a") for i in range(3)]


def test_effect_keys_differ_per_repeat_and_cycle() -> None:
    snap = snapshot(USERS_A, WAIT_5, {"type": "repeat", "times": 1})
    first = as_plan(plan_step(snap, Cursor(), now=MON_0800Z))
    second = as_plan(plan_step(snap, Cursor(repeats_done=1), now=MON_0800Z))
    restarted = as_plan(plan_step(snap, Cursor(cycle=1), now=MON_0800Z))
    keys = {
        first.effects[0].idempotency_key,
        second.effects[0].idempotency_key,
        restarted.effects[0].idempotency_key,
    }
    assert len(keys) == 3


def test_repeat_without_a_wait_before_it_is_rejected() -> None:
    with pytest.raises(ValidationError, match="repeat needs a wait"):
        snapshot(USERS_A, {"type": "repeat", "times": 3})


def test_policy_without_anyone_to_page_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at least one notify step"):
        snapshot(WAIT_5)


def test_time_window_inside_continues() -> None:
    snap = snapshot(BERLIN_OFFICE, USERS_A)
    assert run(snap, MON_0800Z) == [(MON_0800Z, "a")]


def test_time_window_outside_stops_by_default() -> None:
    snap = snapshot(BERLIN_OFFICE, USERS_A)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert run(snap, saturday) == []
    plan = as_plan(plan_step(snap, Cursor(), now=saturday))
    assert plan.next is None
    assert "outside the time window" in plan.notes[0]


def test_time_window_wait_holds_until_monday_morning_berlin() -> None:
    snap = snapshot({**BERLIN_OFFICE, "outside": "wait"}, USERS_A)
    friday_evening = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # 18:30 Berlin
    assert run(snap, friday_evening) == [(MON_0800Z + timedelta(days=7), "a")]


def test_time_window_edges_are_half_open() -> None:
    snap = snapshot(BERLIN_OFFICE, USERS_A)
    step = snap.steps[0]
    assert window_is_open(step, MON_0800Z)  # type: ignore[arg-type]
    assert not window_is_open(step, MON_0800Z - timedelta(seconds=1))  # type: ignore[arg-type]
    assert not window_is_open(step, datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # type: ignore[arg-type]


def test_time_window_across_dst_uses_local_wall_clock() -> None:
    # Summer: 09:00 Berlin is 07:00 UTC. 2026-07-06 is a Monday.
    snap = snapshot(BERLIN_OFFICE, USERS_A)
    assert window_is_open(snap.steps[0], datetime(2026, 7, 6, 7, 0, tzinfo=UTC))  # type: ignore[arg-type]
    assert not window_is_open(snap.steps[0], datetime(2026, 7, 6, 6, 59, tzinfo=UTC))  # type: ignore[arg-type]


def test_overnight_window_wraps_midnight() -> None:
    night = {
        "type": "time_window",
        "timezone": "UTC",
        "ranges": [{"weekdays": [4], "start": time(22, 0), "end": time(6, 0)}],
    }
    snap = snapshot(night, USERS_A)
    step = snap.steps[0]
    assert window_is_open(step, datetime(2026, 11, 27, 23, 0, tzinfo=UTC))  # type: ignore[arg-type]
    assert window_is_open(step, datetime(2026, 11, 28, 5, 59, tzinfo=UTC))  # type: ignore[arg-type]
    assert not window_is_open(step, datetime(2026, 11, 28, 23, 0, tzinfo=UTC))  # type: ignore[arg-type]
    assert next_window_open(step, datetime(2026, 11, 28, 12, 0, tzinfo=UTC)) == datetime(  # type: ignore[arg-type]
        2026, 12, 4, 22, 0, tzinfo=UTC
    )


def test_next_window_open_on_spring_forward_day_lands_after_the_gap() -> None:
    # 2027-03-14 02:30 does not exist in New York; fold=0 gives 03:30 EDT = 07:30 UTC.
    step = snapshot(
        {
            "type": "time_window",
            "timezone": "America/New_York",
            "ranges": [{"weekdays": [6], "start": "02:30", "end": "04:00"}],
        },
        USERS_A,
    ).steps[0]
    opens = next_window_open(step, datetime(2027, 3, 14, 0, 0, tzinfo=UTC))  # type: ignore[arg-type]
    assert opens == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_alert_count_asks_then_continues_or_stops() -> None:
    storm = {"type": "alert_count", "threshold": 5, "window_minutes": 10}
    snap = snapshot(storm, USERS_A)
    assert plan_step(snap, Cursor(), now=MON_0800Z) == NeedAlertCount(10)
    assert run(snap, MON_0800Z, alert_count=6) == [(MON_0800Z, "a")]
    assert run(snap, MON_0800Z, alert_count=5) == []


def test_alert_count_after_notify_returns_collected_effects_first() -> None:
    snap = snapshot(USERS_A, {"type": "alert_count", "threshold": 1, "window_minutes": 10}, USERS_B)
    plan = as_plan(plan_step(snap, Cursor(), now=MON_0800Z))
    assert [e.position for e in plan.effects] == [0]
    assert plan.next == Cursor(position=1) and plan.wait_until is None


def test_resolve_step_ends_with_a_resolve_effect() -> None:
    snap = snapshot(USERS_A, WAIT_5, {"type": "resolve"}, USERS_B)
    plan = as_plan(plan_step(snap, Cursor(position=2), now=MON_0800Z))
    assert [e.kind for e in plan.effects] == ["resolve"]
    assert plan.next is None


def test_channel_webhook_and_schedule_targets_become_effects() -> None:
    snap = snapshot(
        {"type": "notify_schedule", "schedule_id": "s1", "which": "next"},
        {"type": "post_to_channel", "channel_id": "c1"},
        {"type": "call_webhook", "webhook_id": "w1"},
        {"type": "notify_round_robin", "team_id": "t"},
        {"type": "notify_team", "team_id": "t", "multi_ack": True},
    )
    plan = as_plan(plan_step(snap, Cursor(), now=MON_0800Z))
    assert [e.kind for e in plan.effects] == [
        "notify",
        "post_to_channel",
        "call_webhook",
        "notify",
        "notify",
    ]


def test_react_matrix() -> None:
    snap = snapshot(USERS_A, WAIT_5, USERS_B, ack_timeout_minutes=30)
    at = Cursor(position=2)
    assert react(snap, at, "resolved", now=MON_0800Z).kind == "stop"
    held = react(snap, at, "acknowledged", now=MON_0800Z)
    assert held.kind == "hold" and held.wait_until == MON_0800Z + timedelta(minutes=30)
    assert react(snap, at, "acknowledged", now=MON_0800Z, from_source=True).kind == "ignore"
    restart = react(
        snap, Cursor(position=2, repeats_done=1, cycle=2), "unacknowledged", now=MON_0800Z
    )
    assert restart.kind == "restart" and restart.cursor == Cursor(cycle=3)
    assert react(snap, at, "escalate", now=MON_0800Z).cursor == at
    assert react(snap, at, "escalate", now=MON_0800Z, finished=True).kind == "restart"
    assert react(snap, at, "snoozed", now=MON_0800Z).kind == "hold"


def test_source_acks_count_when_configured_and_no_timeout_holds_forever() -> None:
    snap = snapshot(USERS_A, source_acks_count=True)
    reaction = react(snap, Cursor(), "acknowledged", now=MON_0800Z, from_source=True)
    assert reaction.kind == "hold" and reaction.wait_until is None


_STEP = st.one_of(
    st.builds(lambda u: {"type": "notify_users", "user_ids": [u]}, st.sampled_from("abc")),
    st.builds(lambda m: {"type": "wait", "minutes": m}, st.integers(1, 60)),
    st.builds(
        lambda n: {"type": "alert_count", "threshold": n, "window_minutes": 5}, st.integers(0, 3)
    ),
    st.just({**BERLIN_OFFICE, "outside": "wait"}),
    st.just(BERLIN_OFFICE),
)


@given(
    steps=st.lists(_STEP, min_size=1, max_size=8),
    repeat=st.integers(0, 3),
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
    count=st.integers(0, 5),
)
def test_every_policy_terminates_and_pages_in_time_order(
    steps: list[dict[str, Any]], repeat: int, start: datetime, count: int
) -> None:
    all_steps = [USERS_A, *steps]
    if repeat:
        all_steps += [WAIT_5, {"type": "repeat", "times": repeat}]
    snap = snapshot(*all_steps)
    pages = run(snap, start, alert_count=count, limit=2000)
    times = [t for t, _ in pages]
    assert times == sorted(times)
    assert pages[0] == (start, "a")
    # Each round pages at most once per notify step.
    notify_steps = sum(1 for s in all_steps if s["type"] == "notify_users")
    assert len(pages) <= notify_steps * (repeat + 1)
