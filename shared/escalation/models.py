"""Escalation policy models and the frozen snapshot an orchestration runs on.

A policy is an ordered list of steps. When an incident opens, the service's policy is copied into
a :class:`PolicySnapshot` and passed as the orchestration input, so editing the policy later never
changes an escalation that is already running (and replay stays deterministic).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.zones import IanaZone

Importance = Literal["default", "important"]


def _type_is_required(schema: dict[str, Any]) -> None:
    # ``type`` has a default for Python callers, but in a policy body it is the discriminator
    # and must be sent: the document says so.
    required = schema.setdefault("required", [])
    if "type" not in required:
        required.insert(0, "type")


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_type_is_required)


class NotifyUsers(_Step):
    type: Literal["notify_users"] = "notify_users"
    user_ids: tuple[str, ...] = Field(min_length=1)
    importance: Importance = "default"
    #: Keep paging each target until that person acknowledges (their own rule sequence keeps
    #: running after someone else acknowledged).
    multi_ack: bool = False


class NotifySchedule(_Step):
    type: Literal["notify_schedule"] = "notify_schedule"
    schedule_id: str
    #: Whose shift: on call now, or the next / previous shift (for "page the next person early").
    which: Literal["current", "next", "previous"] = "current"
    importance: Importance = "default"
    multi_ack: bool = False


class NotifyTeam(_Step):
    type: Literal["notify_team"] = "notify_team"
    team_id: str
    importance: Importance = "default"
    multi_ack: bool = False


class NotifyRoundRobin(_Step):
    """One member of the team per incident, taking turns (the counter lives in the store)."""

    type: Literal["notify_round_robin"] = "notify_round_robin"
    team_id: str
    importance: Importance = "default"


class PostToChannel(_Step):
    type: Literal["post_to_channel"] = "post_to_channel"
    channel_id: str = Field(description="A linked Microsoft Teams channel.")


class CallWebhook(_Step):
    type: Literal["call_webhook"] = "call_webhook"
    webhook_id: str


class Wait(_Step):
    type: Literal["wait"] = "wait"
    #: Minutes; fractional values are allowed so tests and drills can use seconds.
    minutes: float = Field(gt=0, le=24 * 60)


class TimeRange(BaseModel):
    """Weekdays (0 = Monday) and a local time range; ``end <= start`` wraps past midnight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekdays: frozenset[int] = Field(default=frozenset(range(7)))
    start: time
    end: time

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: frozenset[int]) -> frozenset[int]:
        if not value or not value <= frozenset(range(7)):
            raise ValueError("weekdays must be a non-empty subset of 0 (Mon) .. 6 (Sun)")
        return value


class TimeWindow(_Step):
    """Continue only inside the windows, e.g. weekdays 09:00-17:00 Europe/Berlin.

    ``outside="stop"`` ends the escalation outside the windows (Grafana OnCall's behaviour);
    ``"wait"`` holds it until the next window opens (business-hours paging for low severities).
    """

    type: Literal["time_window"] = "time_window"
    timezone: IanaZone
    ranges: tuple[TimeRange, ...] = Field(min_length=1)
    outside: Literal["stop", "wait"] = "stop"


class AlertCountCondition(_Step):
    """Continue only if more than ``threshold`` alerts arrived in the last ``window_minutes``."""

    type: Literal["alert_count"] = "alert_count"
    threshold: int = Field(ge=0)
    window_minutes: float = Field(gt=0, le=7 * 24 * 60)


class Repeat(_Step):
    """Go back to the first step, at most ``times`` times per escalation."""

    type: Literal["repeat"] = "repeat"
    times: int = Field(ge=1, le=10)


class ResolveIncident(_Step):
    type: Literal["resolve"] = "resolve"


Step = Annotated[
    NotifyUsers
    | NotifySchedule
    | NotifyTeam
    | NotifyRoundRobin
    | PostToChannel
    | CallWebhook
    | Wait
    | TimeWindow
    | AlertCountCondition
    | Repeat
    | ResolveIncident,
    Field(discriminator="type"),
]

NOTIFY_STEP_TYPES = frozenset(
    {
        "notify_users",
        "notify_schedule",
        "notify_team",
        "notify_round_robin",
        "post_to_channel",
        "call_webhook",
    }
)


class PolicyBody(BaseModel):
    """What an admin edits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    team_id: str
    steps: tuple[Step, ...] = Field(min_length=1, max_length=50)
    #: An acknowledged but unresolved incident is unacknowledged and re-escalated after this
    #: many minutes. None: acknowledgements never time out.
    ack_timeout_minutes: float | None = Field(default=None, gt=0, le=7 * 24 * 60)
    #: Whether an acknowledgement sent by the monitoring source (PagerDuty/Opsgenie senders)
    #: stops paging. Off by default: a tool acknowledging is not a person looking.
    source_acks_count: bool = False

    @model_validator(mode="after")
    def _has_someone_to_page(self) -> PolicyBody:
        if not any(step.type in NOTIFY_STEP_TYPES for step in self.steps):
            raise ValueError("a policy needs at least one notify step")
        for index, step in enumerate(self.steps):
            if step.type == "repeat" and not any(s.type == "wait" for s in self.steps[:index]):
                # Without a wait, every repeat would page the same people again in the same
                # second: N pages at once instead of N escalation rounds.
                raise ValueError(f"step {index + 1}: repeat needs a wait step before it")
        return self


class Policy(PolicyBody):
    id: str
    version: int = Field(default=1, ge=1)
    updated_at: datetime | None = None


class PolicySnapshot(BaseModel):
    """The frozen copy an orchestration runs on; never re-read from the store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str
    policy_version: int
    incident_id: str
    incident_number: int
    team_id: str
    severity: str
    steps: tuple[Step, ...]
    ack_timeout_minutes: float | None = None
    source_acks_count: bool = False
    #: When the snapshot was taken (the incident's creation), aware UTC.
    frozen_at: datetime


class Cursor(BaseModel):
    """Where an escalation is: the next step to evaluate and how many repeats are used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    position: int = Field(default=0, ge=0)
    repeats_done: int = Field(default=0, ge=0)
    #: Bumps each time the escalation restarts (ack timeout, unacknowledge); it makes the
    #: notification idempotency keys of a restarted pass differ from the first pass.
    cycle: int = Field(default=0, ge=0)


#: The one external event an escalation orchestration listens for. The kind of signal travels in
#: the payload: with the Python SDK, one long-lived wait on a single name can never lose an
#: event that arrives while the orchestrator is busy in an activity, and signals keep their
#: order; separate names per kind would race inside ``task_any``.
SIGNAL_EVENT = "signal"

SignalKind = Literal["acknowledged", "unacknowledged", "resolved", "escalate", "snoozed"]


class SignalPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    signal: SignalKind
    from_source: bool = False
    #: snoozed: when the snooze ends (aware UTC); paging resumes then.
    until: datetime | None = None


class EscalationInput(BaseModel):
    """The orchestration input (and its ``continue_as_new`` state).

    ``mode``: ``run`` walks the policy from ``cursor``; ``hold`` pages nobody and waits for a
    signal (after an acknowledgement or snooze), until ``hold_until`` when an acknowledgement
    timeout applies; ``done`` means the policy ran out of steps: only signals matter now.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    snapshot: PolicySnapshot
    cursor: Cursor = Field(default_factory=Cursor)
    mode: Literal["run", "hold", "done"] = "run"
    hold_until: datetime | None = None
    #: The multi-ack notify step whose targets must each acknowledge (its effect key), if any.
    multi_ack_key: str | None = None


class EscalationStatus(BaseModel):
    """The orchestration's custom status: where it is, for operators and the auditor."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    mode: Literal["run", "hold", "done", "multi_ack"]
    cursor: Cursor
    #: When the orchestration next wakes up by itself (a wait or a timeout); None: only signals.
    next_due: datetime | None = None
