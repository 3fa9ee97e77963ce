"""Handoff planning: now-on-call, reminders, gaps, idempotent re-runs and catch-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.schedules.handoff import ScheduleState, plan_handoffs
from shared.schedules.models import Layer, Schedule

# Daily UTC rotation a,b handing off at 09:00, active until 2026-01-04 09:00 (then a gap).
LAYER = Layer.model_validate(
    {
        "name": "L",
        "participants": ["a", "b"],
        "start": "2026-01-01T09:00",
        "frequency": "daily",
        "effective_until": "2026-01-04T09:00:00Z",
    }
)
S = Schedule(id="s", name="S", team_id="t", time_zone="UTC", layers=(LAYER,))


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 1, day, hh, mm, tzinfo=UTC)


def test_first_run_announces_current_user() -> None:
    state, handoffs, intents = plan_handoffs([S], {}, at(1, 10), {})
    assert state["s"].users == ("a",)
    assert [(h.from_users, h.to_users) for h in handoffs] == [((), ("a",))]
    assert [(i.kind, i.user) for i in intents] == [("now_on_call", "a")]


def test_reminder_due_once_and_rerun_is_identical() -> None:
    prev = {"s": ScheduleState(users=("a",), checked_until=at(2, 7, 59))}
    # b's shift starts 2026-01-02 09:00; the 1 h reminder is due at 08:00.
    _, _, quiet = plan_handoffs([S], prev, at(2, 7, 59), {})
    assert quiet == []
    state, _, first = plan_handoffs([S], prev, at(2, 8, 0), {})
    _, _, again = plan_handoffs([S], prev, at(2, 8, 0), {})
    assert [(i.kind, i.user, i.lead_minutes) for i in first] == [("shift_reminder", "b", 60)]
    assert [i.idempotency_key for i in again] == [i.idempotency_key for i in first]
    _, _, after = plan_handoffs([S], state, at(2, 8, 1), {})
    assert after == []


def test_handoff_and_per_user_lead() -> None:
    prev = {"s": ScheduleState(users=("a",), checked_until=at(2, 8, 59))}
    _, handoffs, intents = plan_handoffs([S], prev, at(2, 9), {"a": [timedelta(hours=24)]})
    assert [(h.from_users, h.to_users) for h in handoffs] == [(("a",), ("b",))]
    # a's next shift starts 2026-01-03 09:00; a 24 h lead is due now.
    assert sorted((i.kind, i.user) for i in intents) == [
        ("now_on_call", "b"),
        ("shift_reminder", "a"),
    ]


def test_catch_up_within_grace_and_stale_reminders_dropped() -> None:
    # Down from 07:50 to 08:10: the 08:00 reminder is 10 min late, inside the 15 min grace.
    prev = {"s": ScheduleState(users=("a",), checked_until=at(2, 7, 50))}
    _, _, intents = plan_handoffs([S], prev, at(2, 8, 10), {})
    assert [(i.kind, i.user) for i in intents] == [("shift_reminder", "b")]
    # Down until 08:30: 30 min late, dropped.
    _, _, late = plan_handoffs([S], prev, at(2, 8, 30), {})
    assert late == []


def test_gap_announced_a_day_ahead() -> None:
    prev = {"s": ScheduleState(users=("b",), checked_until=at(3, 8, 59))}
    _, _, intents = plan_handoffs([S], prev, at(3, 9), {"a": [], "b": []})
    kinds = sorted((i.kind, i.user, i.shift_start) for i in intents if i.kind == "gap")
    assert kinds == [("gap", None, at(4, 9))]
