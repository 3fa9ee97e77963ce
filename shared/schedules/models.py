"""Schedule models: layers of rotations, overrides, and the resolved results."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class Layer(BaseModel):
    """One rotation. ``start`` is a naive local date-time in the schedule's zone."""

    model_config = ConfigDict(frozen=True)
    name: str
    participants: tuple[str, ...] = Field(min_length=1)
    start: datetime
    frequency: Frequency = Frequency.WEEKLY
    interval: int = Field(default=1, ge=1, le=1000)
    restrictions: tuple[Restriction, ...] = ()
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


class Override(BaseModel):
    model_config = ConfigDict(frozen=True)
    user: str
    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _range(self) -> Override:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("override start/end must carry a UTC offset")
        if self.end <= self.start:
            raise ValueError("override end must be after start")
        return self


class Schedule(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    team_id: str
    time_zone: str
    #: Lowest priority first; a later layer wins wherever it has someone on call.
    layers: tuple[Layer, ...] = ()
    overrides: tuple[Override, ...] = ()
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
