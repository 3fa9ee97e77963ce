"""When a route applies: local time windows in a zone (Opsgenie's time-restricted routing rules,
"P1s go to the night schedule from 22:00 to 06:00"). Outside its windows a route is skipped and
the next one is tried, as Opsgenie does. Pure.

Windows are judged at the moment the alert was received (the envelope's ``received_at``), so a
redelivery of the same message picks the same route whenever it is processed.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.escalation.models import TimeRange
from shared.escalation.plan import in_range


class RouteWindow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    ranges: tuple[TimeRange, ...] = Field(min_length=1, max_length=50)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


def window_open(window: RouteWindow | None, at: datetime) -> bool:
    """Whether a route with this window applies at ``at`` (aware); no window: always."""
    if window is None:
        return True
    local = at.astimezone(ZoneInfo(window.timezone))
    return any(in_range(local, r) for r in window.ranges)
