"""After a run: who is on call each hour of the next weeks, by Opsgenie's own ``timeline``
answer and by OpenAlert's final schedule. A difference names the hour and both answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from openalert_cli.api import OpenAlert
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.account import timeline_periods
from openalert_cli.opsgenie.client import Opsgenie


def first_hour(start: datetime) -> datetime:
    """``start`` rounded up to a whole hour (UTC)."""
    floor = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return floor if floor == start else floor + timedelta(hours=1)


def hours(start: datetime, weeks: int) -> list[datetime]:
    first = first_hour(start)
    return [first + timedelta(hours=h) for h in range(weeks * 7 * 24)]


def opsgenie_at(periods: Sequence[og.Period], at: datetime, users: Mapping[str, str]) -> set[str]:
    """OpenAlert ids of the people Opsgenie has on call at ``at`` (every rotation counts)."""
    return {
        users.get(p.recipient.id or "", f"opsgenie:{p.recipient.name or p.recipient.id}")
        for p in periods
        if p.start <= at < p.end and p.recipient.type == "user"
    }


def openalert_at(shifts: Sequence[Mapping[str, Any]], at: datetime) -> set[str]:
    for s in shifts:
        start = datetime.fromisoformat(str(s["start"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(s["end"]).replace("Z", "+00:00"))
        if start <= at < end:
            return set(str(s["user"]).split(",")) if s.get("user") else set()
    return set()


def compare(
    opsgenie: Opsgenie,
    api: OpenAlert,
    *,
    og_schedule: og.Schedule,
    schedule_id: str,
    users: Mapping[str, str],
    start: datetime,
    weeks: int,
) -> dict[str, Any]:
    periods = timeline_periods(opsgenie, og_schedule.id, first_hour(start), weeks)
    grid = hours(start, weeks)
    shifts = list(
        api.items(
            f"/schedules/{schedule_id}/final",
            start=grid[0].isoformat().replace("+00:00", "Z"),
            end=(grid[-1] + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        )
    )
    differences = []
    for at in grid:
        want, got = opsgenie_at(periods, at, users), openalert_at(shifts, at)
        if want != got:
            differences.append(
                {"at": at.isoformat(), "opsgenie": sorted(want), "openalert": sorted(got)}
            )
    return {"schedule": og_schedule.name, "hours": len(grid), "differences": differences}
