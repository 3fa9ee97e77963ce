"""API: the schedule editor's server-side help: the final shifts of an unsaved body (a new
schedule or an edit of one) and "take over now". The rules are ``shared.schedules.preview``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.api.ports import ports_of
from shared.api.router import Operation, QueryParam, Reply, Request, ok
from shared.errors import InvalidInput
from shared.schedules import preview as rules
from shared.schedules.models import Override, ScheduleBody

DEFAULT_WEEKS = 2

PREVIEW_QUERY = (
    QueryParam("start", "Range start (default now).", "date-time"),
    QueryParam(
        "weeks",
        f"Weeks to show, 1..{rules.MAX_WEEKS} (default {DEFAULT_WEEKS}).",
        "integer",
        minimum=1,
        maximum=rules.MAX_WEEKS,
    ),
)


def _weeks(req: Request) -> int:
    raw = req.query.get("weeks")
    if raw is None:
        return DEFAULT_WEEKS
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            "weeks must be an integer.", field="weeks", expected=f"1..{rules.MAX_WEEKS}"
        ) from None


async def _preview(req: Request, schedule_id: str | None) -> Reply:
    assert isinstance(req.body, ScheduleBody)
    result = await rules.preview(
        store=ports_of(req).store,
        principal=req.caller,
        body=req.body,
        start=req.time("start") or ports_of(req).clock(),
        weeks=_weeks(req),
        schedule_id=schedule_id,
    )
    return ok(result)


async def preview_new(req: Request) -> Reply:
    return await _preview(req, None)


async def preview_edit(req: Request) -> Reply:
    return await _preview(req, req.params["schedule_id"])


class TakeOverBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    until: datetime | None = Field(
        default=None, description="When to hand back (default: the running shift's end)."
    )


async def take_over(req: Request) -> Reply:
    assert isinstance(req.body, TakeOverBody)
    made = await rules.take_over(
        store=ports_of(req).store,
        principal=req.caller,
        schedule_id=req.params["schedule_id"],
        now=ports_of(req).clock(),
        until=req.body.until,
    )
    return ok(made, status=201)


OPERATIONS = [
    Operation(
        method="POST",
        path="/schedules/preview",
        name="previewSchedule",
        summary="The final shifts a new schedule body would produce, with gaps (nothing saved)",
        tag="schedules",
        handler=preview_new,
        body=ScheduleBody,
        response=rules.SchedulePreview,
        query=PREVIEW_QUERY,
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/preview",
        name="previewScheduleEdit",
        summary="The final shifts an edit would produce, with the schedule's overrides and gaps "
        "(nothing saved)",
        tag="schedules",
        handler=preview_edit,
        body=ScheduleBody,
        response=rules.SchedulePreview,
        query=PREVIEW_QUERY,
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/take-over",
        name="takeOverShift",
        summary="Take the running shift from now (an override for me until its end or until)",
        tag="schedules",
        handler=take_over,
        body=TakeOverBody,
        response=Override,
        status=201,
    ),
]
