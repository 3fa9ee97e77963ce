"""Schedule models: layers of rotations, overrides, and the resolved results."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from shared.catalog.external import ExternalId
from shared.catalog.models import Name
from shared.errors import InvalidInput
from shared.schedules import limits, rrules


class InvalidSchedule(InvalidInput):
    type_slug = "invalid-schedule"
    title = "Invalid schedule"


class Frequency(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    #: Same day-of-month each time, clamped to the month's last day (Jan 31 -> Feb 28/29).
    MONTHLY = "monthly"
    #: Shift boundaries from an RFC 5545 RRULE (``Layer.rrule``) anchored at ``start``.
    RRULE = "rrule"


class Restriction(BaseModel):
    """A local wall-clock window in which the layer may page; weekdays 0=Mon..6=Sun.

    ``end`` <= ``start`` means the window runs past midnight into the next day.
    """

    model_config = ConfigDict(frozen=True)
    weekdays: frozenset[int] = frozenset(range(7))
    start: time
    end: time

    @field_validator("weekdays")
    @classmethod
    def _days(cls, v: frozenset[int]) -> frozenset[int]:
        if not v or any(d < 0 or d > 6 for d in v):
            raise ValueError("weekdays must be a non-empty set of 0 (Mon) .. 6 (Sun)")
        return v

    @model_validator(mode="after")
    def _long_enough(self) -> Restriction:
        day = 24 * 60
        minutes = (self.end.hour * 60 + self.end.minute) - (
            self.start.hour * 60 + self.start.minute
        )
        if 0 < minutes % day < limits.MIN_SHIFT.total_seconds() // 60:
            raise ValueError(f"a restriction window is at least {_minutes(limits.MIN_SHIFT)}")
        return self


def _minutes(d: timedelta) -> str:
    return f"{int(d.total_seconds() // 60)} minutes"


#: How the document describes a naive local date-time: RFC 3339's ``date-time`` format needs
#: a UTC offset, which these must not have.
LOCAL_DATE_TIME: dict[str, Any] = {
    "type": "string",
    "pattern": (
        r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
        r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
    ),
    "description": "A local wall-clock date-time in the schedule's zone, without a UTC offset.",
}


#: A participant slot that is nobody: its shifts are gaps (Opsgenie's "none" participant, and
#: "every third week nobody" rotations).
GAP = ""


class Layer(BaseModel):
    """One rotation. ``start`` is a naive local date-time in the schedule's zone."""

    model_config = ConfigDict(frozen=True)
    name: str
    #: User ids in turn; :data:`GAP` ("") is an empty slot.
    participants: tuple[str, ...] = Field(min_length=1)
    start: Annotated[datetime, WithJsonSchema(LOCAL_DATE_TIME)]
    frequency: Frequency = Frequency.WEEKLY
    interval: int = Field(default=1, ge=1, le=1000)
    restrictions: tuple[Restriction, ...] = Field(default=(), max_length=20)
    #: With frequency "rrule": shift boundaries are the rule's occurrences from ``start``
    #: (RFC 5545; e.g. "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9" for Monday/Thursday handoffs). A
    #: finite rule (COUNT/UNTIL) ends the rotation at its last occurrence. Shifts are at least
    #: 15 minutes; the accepted forms are listed in ``shared.schedules.rrules``.
    rrule: str | None = Field(default=None, max_length=500)
    #: Hourly rotations only. "wall": hand off at the same local times every day (12 h from
    #: 08:00 is always 08:00 and 20:00, so a DST day has one 11 h or 13 h shift); "elapsed":
    #: every shift is exactly ``interval`` real hours (handoff times drift by the DST change).
    #: Unset: "wall" when the interval divides 24 or is a multiple of it, else "elapsed".
    hourly_clock: Literal["wall", "elapsed"] | None = None
    #: Shortest shift in seconds, found while validating (drives the density check).
    _gap: float = PrivateAttr(default=0.0)
    #: UTC bounds; a participant change is modelled as a new layer effective from the change.
    effective_from: datetime | None = None
    effective_until: datetime | None = None

    @field_validator("start")
    @classmethod
    def _naive(cls, v: datetime) -> datetime:
        if v.tzinfo is not None:
            raise ValueError("start is a local wall-clock time: give it without a UTC offset")
        return v

    @field_validator("effective_from", "effective_until")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.utcoffset() is None:
            raise ValueError("effective bounds must carry a UTC offset")
        return v

    @model_validator(mode="after")
    def _someone(self) -> Layer:
        if all(p == GAP for p in self.participants):
            raise ValueError("participants must name at least one person, not only gaps")
        return self

    @model_validator(mode="after")
    def _rule(self) -> Layer:
        if (self.frequency is Frequency.RRULE) != (self.rrule is not None):
            raise ValueError("frequency 'rrule' and an rrule go together")
        if self.hourly_clock is not None and self.frequency is not Frequency.HOURLY:
            raise ValueError("hourly_clock applies to frequency 'hourly' only")
        if self.rrule is not None:
            try:
                rule = rrules.parse(self.rrule, self.start)
            except ValueError as exc:
                raise ValueError(f"rrule: {exc}") from exc
            first = next(iter(rule), None)
            gap = rrules.shortest_gap(rule)
            if gap is None:
                raise ValueError("rrule must produce at least two shift boundaries")
            if first != self.start:
                raise ValueError("rrule's first occurrence must be the layer start")
            if gap < limits.MIN_SHIFT.total_seconds():
                raise ValueError(f"rrule shifts must be at least {_minutes(limits.MIN_SHIFT)}")
            self._gap = gap
        else:
            self._gap = self._period_seconds()
        return self

    def _period_seconds(self) -> float:
        hours = {
            Frequency.HOURLY: 1,
            Frequency.DAILY: 23,  # a spring-forward day
            Frequency.WEEKLY: 7 * 24 - 1,
            Frequency.MONTHLY: 28 * 24 - 1,
        }
        return float(hours.get(self.frequency, 1) * self.interval * 3600)

    def wall_clock(self) -> bool:
        """Whether shift boundaries step in local wall-clock time (see ``hourly_clock``)."""
        if self.frequency is not Frequency.HOURLY:
            return True
        if self.hourly_clock is not None:
            return self.hourly_clock == "wall"
        return 24 % self.interval == 0 or self.interval % 24 == 0

    def changes_per_window(self) -> int:
        """Most shift boundaries (handoffs and restriction edges) in one computed window."""
        window = limits.WINDOW.total_seconds()
        # A wall-clock hourly layer can have one extra boundary on a fall-back day.
        handoffs = int(window // max(self._gap, limits.MIN_SHIFT.total_seconds())) + 2
        days = int(window // 86400) + 2
        return handoffs + 2 * days * len(self.restrictions)


def check_density(layers: tuple[Layer, ...]) -> None:
    """At save: the layers together stay under the shifts-per-window cap."""
    total = sum(layer.changes_per_window() for layer in layers)
    if total > limits.MAX_SHIFTS_PER_WINDOW:
        raise ValueError(
            f"these layers change hands up to {total} times in {limits.WINDOW.days} days; "
            f"the most a schedule may is {limits.MAX_SHIFTS_PER_WINDOW}"
        )


class Override(BaseModel):
    """Someone on call instead of the layers over [start, end); its own resource
    (``/schedules/{id}/overrides``), never replaced by an edit of the layers."""

    model_config = ConfigDict(frozen=True)
    #: Stable: given at creation, or derived from the content for overrides stored before ids.
    id: str = ""
    user: str
    start: datetime
    end: datetime
    #: "manual", "swap", or "ical" (imported; a re-import replaces the imported ones).
    source: str = Field(default="manual", max_length=20)
    #: The accepted swap that made it (cancelling the swap removes it).
    swap_id: str | None = None

    @model_validator(mode="after")
    def _id(self) -> Override:
        if not self.id:
            key = f"{self.user}|{self.start.isoformat()}|{self.end.isoformat()}|{self.source}"
            object.__setattr__(self, "id", "ovr-" + hashlib.sha256(key.encode()).hexdigest()[:12])
        return self

    @model_validator(mode="after")
    def _range(self) -> Override:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("override start/end must carry a UTC offset")
        if self.end <= self.start:
            raise ValueError("override end must be after start")
        return self


class ShiftSwap(BaseModel):
    """A asks B (or anyone in the team) to take [start, end); accepted, it becomes an override
    for the taker (kept here for the record: who asked, who took, when)."""

    model_config = ConfigDict(frozen=True)
    id: str
    requester_id: str
    #: None: offered to anyone in the team; whoever accepts first becomes the taker.
    taker_id: str | None = None
    start: datetime
    end: datetime
    #: "cancelled" also after "accepted": either party may take an accepted swap back until
    #: it starts, which removes its override.
    status: Literal["requested", "accepted", "declined", "cancelled", "expired"] = "requested"
    created_at: datetime
    decided_at: datetime | None = None


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    team_id: str
    time_zone: str
    #: Lowest priority first; a later layer wins wherever it has someone on call.
    layers: tuple[Layer, ...] = ()
    overrides: tuple[Override, ...] = ()
    swaps: tuple[ShiftSwap, ...] = ()
    #: sha256 of the secret in the calendar subscription URL (None: no link issued).
    ical_token_hash: str | None = None
    version: int = 1
    external_id: ExternalId | None = None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"time_zone must be an IANA zone name, got {v!r}") from exc
        return v


#: Fields of a schedule as read that a PUT or POST ignores.
SCHEDULE_READ_ONLY = frozenset(
    {"id", "version", "overrides", "swaps", "ical_token_hash", "problems"}
)


class ScheduleBody(BaseModel):
    """A schedule as created or replaced through the API."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    team_id: str = Field(min_length=1, max_length=100)
    time_zone: str
    #: Overrides are not part of the body: they are their own resource
    #: (``/schedules/{id}/overrides``), so an edit of the layers never replaces them.
    layers: tuple[Layer, ...] = Field(default=(), max_length=20)
    external_id: ExternalId | None = None
    #: A schedule read with GET can be saved back as it is: the parts that have their own
    #: endpoints (or are the server's) are ignored rather than refused (see ``parse_body``).
    read_only: ClassVar[frozenset[str]] = SCHEDULE_READ_ONLY

    @model_validator(mode="after")
    def _density(self) -> ScheduleBody:
        check_density(self.layers)
        return self


class OnCall(BaseModel):
    users: tuple[str, ...]
    #: "override" or the deciding layer's name; None when nobody is on call.
    source: str | None


class Shift(BaseModel):
    """A half-open UTC interval [start, end); ``user`` None marks a gap."""

    user: str | None
    start: datetime
    end: datetime
    source: str | None
