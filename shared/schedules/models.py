"""Schedule models: layers of rotations, overrides, and the resolved results."""

from __future__ import annotations

import itertools
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from shared.errors import InvalidInput


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


class Layer(BaseModel):
    """One rotation. ``start`` is a naive local date-time in the schedule's zone."""

    model_config = ConfigDict(frozen=True)
    name: str
    participants: tuple[str, ...] = Field(min_length=1)
    start: Annotated[datetime, WithJsonSchema(LOCAL_DATE_TIME)]
    frequency: Frequency = Frequency.WEEKLY
    interval: int = Field(default=1, ge=1, le=1000)
    restrictions: tuple[Restriction, ...] = ()
    #: With frequency "rrule": shift boundaries are the rule's occurrences from ``start``
    #: (RFC 5545; e.g. "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=9" for Monday/Thursday handoffs). A
    #: finite rule (COUNT/UNTIL) ends the rotation at its last occurrence.
    rrule: str | None = Field(default=None, max_length=500)
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
    def _rule(self) -> Layer:
        if (self.frequency is Frequency.RRULE) != (self.rrule is not None):
            raise ValueError("frequency 'rrule' and an rrule go together")
        if self.rrule is not None:
            from dateutil.rrule import rrulestr

            try:
                rule = rrulestr(self.rrule, dtstart=self.start)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"rrule is not an RFC 5545 RRULE: {exc}") from exc
            first_two = list(itertools.islice(iter(rule), 2))
            if len(first_two) < 2:
                raise ValueError("rrule must produce at least two shift boundaries")
            if first_two[0] != self.start:
                raise ValueError("rrule's first occurrence must be the layer start")
        return self


class Override(BaseModel):
    model_config = ConfigDict(frozen=True)
    user: str
    start: datetime
    end: datetime
    #: "manual", "swap", or "ical" (imported; a re-import replaces the imported ones).
    source: str = Field(default="manual", max_length=20)

    @model_validator(mode="after")
    def _range(self) -> Override:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("override start/end must carry a UTC offset")
        if self.end <= self.start:
            raise ValueError("override end must be after start")
        return self


class ShiftSwap(BaseModel):
    """A asks B to take [start, end); accepted, it becomes an override for B (kept here for the
    record: who asked, who took, when)."""

    model_config = ConfigDict(frozen=True)
    id: str
    requester_id: str
    taker_id: str
    start: datetime
    end: datetime
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

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"time_zone must be an IANA zone name, got {v!r}") from exc
        return v


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
