"""Incident, actor, action and timeline models.

An incident is what responders act on: one or more alerts grouped by dedup key. Times are aware
UTC datetimes; the store serialises them as sortable ISO-8601 strings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["P1", "P2", "P3", "P4", "P5"]


class IncidentStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


#: Statuses in which an incident still needs a human; escalation runs only in these.
OPEN_STATUSES = frozenset(
    {IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED, IncidentStatus.SNOOZED}
)


class Actor(BaseModel):
    """Who or what caused a change: a person, an API key, the monitoring source, or OpenAlert."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["user", "api_key", "source", "system"]
    id: str
    display: str = ""

    def label(self) -> str:
        return self.display or self.id


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (UTC)")
    return value


class Incident(BaseModel):
    """The incident document. ``id`` doubles as the escalation orchestration's instance id."""

    model_config = ConfigDict(frozen=True)

    id: str
    number: int = Field(ge=1, description="Human-facing sequence number (#42).")
    title: str = Field(min_length=1, max_length=1024)
    severity: Severity = "P3"
    status: IncidentStatus = IncidentStatus.TRIGGERED
    team_id: str
    service_id: str
    integration_id: str | None = None
    dedup_key: str | None = None
    escalation_policy_id: str | None = None
    #: False when a route marked the alert "don't page": recorded, never escalated.
    page: bool = True
    alert_count: int = Field(default=1, ge=0)
    created_at: datetime
    updated_at: datetime
    last_alert_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: Actor | None = None
    resolved_at: datetime | None = None
    resolved_by: Actor | None = None
    snoozed_until: datetime | None = None
    #: Users currently responsible (reassign replaces, add_responder appends).
    assignees: tuple[str, ...] = ()
    #: Users who acknowledged; with multi-ack steps each target's own acknowledgement matters.
    acknowledgers: tuple[str, ...] = ()
    labels: dict[str, str] = Field(default_factory=dict)
    #: The newest non-empty description its alerts carried (``alertlog.bounded_description``).
    description: str = Field(
        default="",
        description="The newest description the source sent (clipped, ending with"
        " '… [clipped]', beyond 4,000 characters).",
    )
    #: Times the incident was reopened (a resolved key fired again with reopen configured).
    reopen_count: int = Field(default=0, ge=0)
    #: Bookkeeping, not shown by the API as such: the newest alert records (oldest first, at
    #: most ``alertlog.RECENT_ALERTS_KEPT``), written in the same etag-guarded write that counts
    #: them, so a redelivery finds its alert here (or in the incident's alert chunks) and never
    #: counts it twice. ``GET .../alerts`` lists them after the chunks.
    recent_alerts: tuple[dict[str, Any], ...] = ()
    #: The "created" timeline line, written with the incident (one write, not two);
    #: ``GET .../timeline`` shows it first.
    opened: TimelineEntry | None = None

    #: Fields the management API leaves out of its answers and its schema.
    API_HIDDEN: ClassVar[frozenset[str]] = frozenset({"recent_alerts", "opened"})

    _check_created = field_validator("created_at", "updated_at")(_aware)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


ActionKind = Literal[
    "acknowledge",
    "unacknowledge",
    "resolve",
    "reopen",
    "snooze",
    "wake",
    "escalate",
    "reassign",
    "add_responder",
    "add_note",
]


class Action(BaseModel):
    """A request to change an incident; whether it is allowed is decided by lifecycle."""

    model_config = ConfigDict(frozen=True)

    kind: ActionKind
    actor: Actor
    #: snooze: how long. Bounded so a mistaken snooze cannot silence an incident for months.
    snooze_for: timedelta | None = Field(default=None, gt=timedelta(0), le=timedelta(days=7))
    #: reassign / add_responder: user ids.
    users: tuple[str, ...] = ()
    note: str | None = Field(default=None, max_length=10_000)
    #: Where the action came from ("api", "teams", "source:alertmanager", "escalation", ...).
    via: str = "api"


#: What the escalation orchestration is told (external event names). Stable: orchestrations
#: running across deployments match on these strings.
Signal = Literal["acknowledged", "unacknowledged", "resolved", "escalate", "snoozed"]


class EscalationPort(Protocol):
    """How processing and incident actions start and signal escalation (the durable
    implementation: ``shared.escalation.durable.DurableEscalation``)."""

    async def start(self, incident: Incident) -> None: ...

    async def signal(self, incident_id: str, signal: Signal, *, from_source: bool) -> None: ...


class TimelineEntry(BaseModel):
    """One line of an incident's history; written for every state change, never edited."""

    model_config = ConfigDict(frozen=True)

    incident_id: str
    at: datetime
    kind: str
    actor: Actor
    message: str
    via: str = "api"
    data: dict[str, Any] = Field(default_factory=dict)


class IncidentFilter(BaseModel):
    """Filters of the incident list (all optional; combined with AND)."""

    model_config = ConfigDict(frozen=True)

    status: frozenset[IncidentStatus] = frozenset()
    severity: frozenset[Severity] = frozenset()
    team_id: str | None = None
    service_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    #: Only incidents this user is assigned to.
    assignee: str | None = None
    #: Case-insensitive words of the title (or the incident's number).
    text: str | None = Field(default=None, max_length=200)


# TimelineEntry is declared after Incident, which refers to it.
Incident.model_rebuild()
