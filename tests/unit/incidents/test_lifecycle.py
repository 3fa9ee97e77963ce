from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import Conflict, InvalidInput, OpenAlertError
from shared.incidents.lifecycle import decide
from shared.incidents.models import Action, Actor, Incident, IncidentStatus

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ALICE = Actor(kind="user", id="u-alice", display="Alice")
BOB = Actor(kind="user", id="u-bob", display="Bob")
SOURCE = Actor(kind="source", id="int-1", display="alertmanager")


def make_incident(**kw: object) -> Incident:
    base: dict[str, object] = {
        "id": "inc-1",
        "number": 7,
        "title": "CPU high",
        "team_id": "t1",
        "service_id": "s1",
        "created_at": T0,
        "updated_at": T0,
    }
    base.update(kw)
    return Incident.model_validate(base)


def act(kind: str, actor: Actor = ALICE, **kw: object) -> Action:
    return Action.model_validate({"kind": kind, "actor": actor, **kw})


@pytest.mark.parametrize(
    ("start", "kind", "extra", "status", "signal", "timeline_kind"),
    [
        (
            IncidentStatus.TRIGGERED,
            "acknowledge",
            {},
            IncidentStatus.ACKNOWLEDGED,
            "acknowledged",
            "acknowledged",
        ),
        (
            IncidentStatus.SNOOZED,
            "acknowledge",
            {},
            IncidentStatus.ACKNOWLEDGED,
            "acknowledged",
            "acknowledged",
        ),
        (
            IncidentStatus.ACKNOWLEDGED,
            "unacknowledge",
            {},
            IncidentStatus.TRIGGERED,
            "unacknowledged",
            "unacknowledged",
        ),
        (IncidentStatus.TRIGGERED, "resolve", {}, IncidentStatus.RESOLVED, "resolved", "resolved"),
        (
            IncidentStatus.ACKNOWLEDGED,
            "resolve",
            {},
            IncidentStatus.RESOLVED,
            "resolved",
            "resolved",
        ),
        (IncidentStatus.SNOOZED, "resolve", {}, IncidentStatus.RESOLVED, "resolved", "resolved"),
        (IncidentStatus.RESOLVED, "reopen", {}, IncidentStatus.TRIGGERED, None, "reopened"),
        (
            IncidentStatus.TRIGGERED,
            "snooze",
            {"snooze_for": timedelta(hours=1)},
            IncidentStatus.SNOOZED,
            "snoozed",
            "snoozed",
        ),
        (
            IncidentStatus.ACKNOWLEDGED,
            "snooze",
            {"snooze_for": timedelta(minutes=30)},
            IncidentStatus.SNOOZED,
            "snoozed",
            "snoozed",
        ),
        (
            IncidentStatus.SNOOZED,
            "wake",
            {},
            IncidentStatus.TRIGGERED,
            "unacknowledged",
            "unsnoozed",
        ),
        (
            IncidentStatus.TRIGGERED,
            "escalate",
            {},
            IncidentStatus.TRIGGERED,
            "escalate",
            "escalated",
        ),
        (
            IncidentStatus.ACKNOWLEDGED,
            "escalate",
            {},
            IncidentStatus.ACKNOWLEDGED,
            "escalate",
            "escalated",
        ),
        (
            IncidentStatus.TRIGGERED,
            "reassign",
            {"users": ("u-bob",)},
            IncidentStatus.TRIGGERED,
            None,
            "reassign",
        ),
        (
            IncidentStatus.TRIGGERED,
            "add_note",
            {"note": "looking"},
            IncidentStatus.TRIGGERED,
            None,
            "note",
        ),
    ],
)
def test_allowed_transitions(
    start: IncidentStatus,
    kind: str,
    extra: dict[str, object],
    status: IncidentStatus,
    signal: str | None,
    timeline_kind: str,
) -> None:
    out = decide(make_incident(status=start), act(kind, **extra), now=T0 + timedelta(minutes=1))
    assert out.changed
    assert out.incident.status == status
    assert out.signal == signal
    assert [e.kind for e in out.timeline] == [timeline_kind]
    assert out.incident.updated_at == T0 + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (IncidentStatus.ACKNOWLEDGED, "acknowledge"),
        (IncidentStatus.RESOLVED, "resolve"),
        (IncidentStatus.TRIGGERED, "unacknowledge"),
        (IncidentStatus.RESOLVED, "unacknowledge"),
        (IncidentStatus.TRIGGERED, "reopen"),
        (IncidentStatus.TRIGGERED, "wake"),
    ],
)
def test_repeated_or_pointless_actions_are_silent_no_ops(start: IncidentStatus, kind: str) -> None:
    incident = make_incident(status=start, acknowledgers=("u-alice",))
    out = decide(incident, act(kind), now=T0)
    assert not out.changed
    assert out.incident == incident
    assert out.timeline == ()
    assert out.signal is None


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("acknowledge", {}),
        ("snooze", {"snooze_for": timedelta(hours=1)}),
        ("escalate", {}),
        ("reassign", {"users": ("u-bob",)}),
    ],
)
def test_actions_on_a_resolved_incident_conflict(kind: str, extra: dict[str, object]) -> None:
    with pytest.raises(Conflict):
        decide(make_incident(status=IncidentStatus.RESOLVED), act(kind, **extra), now=T0)


def test_acknowledge_records_who_and_when_and_clears_snooze() -> None:
    snoozed = make_incident(status=IncidentStatus.SNOOZED, snoozed_until=T0 + timedelta(hours=1))
    out = decide(snoozed, act("acknowledge"), now=T0)
    assert out.incident.acknowledged_by == ALICE
    assert out.incident.acknowledged_at == T0
    assert out.incident.snoozed_until is None
    assert out.timeline[0].message == "Acknowledged by Alice"


def test_second_acknowledger_is_recorded_without_a_signal() -> None:
    first = decide(make_incident(), act("acknowledge"), now=T0).incident
    out = decide(first, act("acknowledge", BOB), now=T0 + timedelta(seconds=5))
    assert out.changed
    assert out.incident.acknowledgers == ("u-alice", "u-bob")
    assert out.incident.acknowledged_by == ALICE
    assert out.signal is None
    assert out.timeline[0].message == "Also acknowledged by Bob"


def test_source_acknowledgement_does_not_count_as_a_person() -> None:
    out = decide(make_incident(), act("acknowledge", SOURCE, via="source:pagerduty"), now=T0)
    assert out.incident.status == IncidentStatus.ACKNOWLEDGED
    assert out.incident.acknowledgers == ()
    assert out.timeline[0].via == "source:pagerduty"


def test_reopen_clears_acknowledgement_and_counts() -> None:
    resolved = make_incident(
        status=IncidentStatus.RESOLVED,
        resolved_at=T0,
        resolved_by=ALICE,
        acknowledgers=("u-alice",),
    )
    out = decide(resolved, act("reopen", SOURCE), now=T0 + timedelta(hours=2))
    assert out.incident.reopen_count == 1
    assert out.incident.resolved_at is None and out.incident.acknowledgers == ()


def test_snooze_sets_until_and_needs_a_duration() -> None:
    out = decide(make_incident(), act("snooze", snooze_for=timedelta(hours=4)), now=T0)
    assert out.incident.snoozed_until == T0 + timedelta(hours=4)
    with pytest.raises(InvalidInput):
        decide(make_incident(), act("snooze"), now=T0)


def test_snooze_is_bounded() -> None:
    with pytest.raises(ValueError):
        act("snooze", snooze_for=timedelta(days=30))


def test_add_responder_appends_without_duplicates_and_reassign_replaces() -> None:
    inc = make_incident(assignees=("u-alice",))
    added = decide(inc, act("add_responder", users=("u-bob", "u-alice")), now=T0).incident
    assert added.assignees == ("u-alice", "u-bob")
    again = decide(added, act("add_responder", users=("u-bob",)), now=T0)
    assert not again.changed
    replaced = decide(added, act("reassign", users=("u-carol",)), now=T0).incident
    assert replaced.assignees == ("u-carol",)


def test_empty_note_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        decide(make_incident(), act("add_note", note="   "), now=T0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError):
        make_incident(created_at=datetime(2026, 1, 1))


_ACTIONS = st.sampled_from(
    [
        act("acknowledge"),
        act("acknowledge", BOB),
        act("acknowledge", SOURCE),
        act("unacknowledge"),
        act("resolve", SOURCE),
        act("reopen", SOURCE),
        act("snooze", snooze_for=timedelta(minutes=30)),
        act("wake"),
        act("escalate"),
        act("reassign", users=("u-bob",)),
        act("add_responder", users=("u-carol",)),
        act("add_note", note="n"),
    ]
)


@given(st.lists(_ACTIONS, max_size=30))
def test_any_action_sequence_keeps_the_invariants(actions: list[Action]) -> None:
    incident = make_incident()
    now = T0
    for action in actions:
        now += timedelta(seconds=1)
        try:
            out = decide(incident, action, now=now)
        except OpenAlertError as exc:
            assert exc.status in (400, 409)
            continue
        new = out.incident
        # A change is visible exactly when something is recorded or the incident moved.
        assert out.changed == (bool(out.timeline) or new != incident)
        assert (new.status == IncidentStatus.RESOLVED) == (new.resolved_at is not None)
        assert (new.status == IncidentStatus.SNOOZED) == (new.snoozed_until is not None)
        if new.status == IncidentStatus.ACKNOWLEDGED:
            assert new.acknowledged_at is not None
        # Replaying the same action right away never records a second entry for state changes.
        if action.kind in ("acknowledge", "resolve", "unacknowledge", "reopen", "wake"):
            repeat = decide(new, action, now=now)
            assert not repeat.changed
        incident = new
