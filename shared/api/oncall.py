"""API: who is on call now and next across schedules, and my upcoming shifts
(``shared.schedules.oncall_now``), for the console's "On call now" and "My shifts" pages."""

from __future__ import annotations

from shared.api.ports import person_id, ports_of, signed_in_user
from shared.api.router import Operation, QueryParam, Reply, Request, ok
from shared.errors import InvalidInput
from shared.schedules.oncall_now import (
    HORIZON_DAYS,
    MAX_DAYS,
    MyShifts,
    OnCallNow,
    my_shifts,
    on_call_now,
)


async def oncall_now(req: Request) -> Reply:
    ports = ports_of(req)
    answer = await on_call_now(
        store=ports.store,
        principal=req.caller,
        team_id=req.query.get("team_id") or None,
        at=ports.clock(),
    )
    return ok(answer)


def _days(req: Request) -> int:
    raw = req.query.get("days")
    if raw is None:
        return HORIZON_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be an integer 1..{MAX_DAYS}.", field="days")
    return days


async def mine(req: Request) -> Reply:
    person_id(req)  # people only: an API key has no shifts
    days = _days(req)
    user = await signed_in_user(req)
    ports = ports_of(req)
    answer = await my_shifts(
        store=ports.store,
        user_id=user.id,
        team_ids=sorted(user.teams),
        start=ports.clock(),
        days=days,
    )
    return ok(answer)


OPERATIONS = [
    Operation(
        method="GET",
        path="/oncall",
        name="onCallNow",
        summary="Who is on call now and next (with hand-off times) in each schedule of my teams",
        tag="schedules",
        handler=oncall_now,
        response=OnCallNow,
        query=(
            QueryParam(
                "team_id", "Only this team's schedules (default: my teams; all if I have none)."
            ),
        ),
    ),
    Operation(
        method="GET",
        path="/me/shifts",
        name="myShifts",
        summary="My upcoming shifts in my teams' schedules",
        tag="schedules",
        handler=mine,
        response=MyShifts,
        query=(
            QueryParam(
                "days",
                f"How far ahead, 1..{MAX_DAYS} days (default {HORIZON_DAYS}).",
                "integer",
                minimum=1,
                maximum=MAX_DAYS,
            ),
        ),
    ),
]
