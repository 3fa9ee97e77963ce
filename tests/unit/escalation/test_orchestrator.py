"""The orchestrator generator driven by hand: each yield answered at a chosen orchestration time.

A stand-in for the Durable context records what the orchestrator asks for; the test decides
what each task returns and what ``current_utc_datetime`` says when the generator resumes, as a
replay would.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.escalation.models import EscalationInput, NotifyUsers, PolicySnapshot, Wait
from shared.escalation.orchestrator import orchestrate

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@dataclass(eq=False)
class Task:
    kind: str
    detail: Any = None
    result: Any = None
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class Context:
    input: dict[str, Any]
    current_utc_datetime: datetime = T0
    continued_with: dict[str, Any] | None = None
    statuses: list[Any] = field(default_factory=list)

    def get_input(self) -> dict[str, Any]:
        return self.input

    def wait_for_external_event(self, name: str) -> Task:
        return Task("event", name)

    def call_activity(self, name: str, payload: Any) -> Task:
        return Task("activity", name)

    def create_timer(self, due: datetime) -> Task:
        return Task("timer", due)

    def task_any(self, tasks: list[Task]) -> Task:
        return Task("any", tasks)

    def set_custom_status(self, status: Any) -> None:
        self.statuses.append(status)

    def continue_as_new(self, state: dict[str, Any]) -> None:
        self.continued_with = state


def _policy(ack_timeout_minutes: float) -> dict[str, Any]:
    snapshot = PolicySnapshot(
        policy_id="p",
        policy_version=1,
        incident_id="inc",
        incident_number=1,
        team_id="t",
        severity="critical",
        steps=(NotifyUsers(user_ids=("alice",)), Wait(minutes=30), NotifyUsers(user_ids=("bob",))),
        ack_timeout_minutes=ack_timeout_minutes,
        frozen_at=T0,
    )
    return EscalationInput(snapshot=snapshot).model_dump(mode="json")


def _until_wait(gen: Generator[Any, Any, Any], sent: Any = None) -> Task:
    """Answer activities with None until the orchestrator waits on task_any."""
    task: Task = gen.send(sent)
    while task.kind == "activity":
        task = gen.send(None)
    return task


def test_an_acknowledgement_timeout_runs_from_the_acknowledgement() -> None:
    ctx = Context(_policy(ack_timeout_minutes=15))
    gen = orchestrate(ctx)
    waiting = _until_wait(gen)  # alice paged, then the 30 min wait
    signal = next(t for t in waiting.detail if t.kind == "event")
    # Alice acknowledges 20 minutes into the wait.
    ctx.current_utc_datetime = T0 + timedelta(minutes=20)
    signal.result = {"signal": "acknowledged"}
    with pytest.raises(StopIteration):  # held: continued as new
        _until_wait(gen, signal)
    assert ctx.continued_with is not None
    held = EscalationInput.model_validate(ctx.continued_with)
    assert held.mode == "hold"
    assert held.hold_until == T0 + timedelta(minutes=35), "15 minutes after the acknowledgement"
