"""API: schedules (CRUD), who is on call and the final shifts, overrides as their own resource,
and shift swaps. Calendars (iCal export, import, secret links) are ``shared.api.calendars``."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, ports_of, signed_in_user
from shared.api.router import Operation, QueryParam, Reply, Request, ok, page
from shared.auth import pending
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.errors import InvalidInput
from shared.schedules import limits
from shared.schedules import overrides as ovr
from shared.schedules import service as schedules
from shared.schedules.layer_rows import LayerRows, compute_layer_rows
from shared.schedules.models import OnCall, Override, Schedule, ScheduleBody, Shift, ShiftSwap
from shared.schedules.stored import ListedSchedule

log = logging.getLogger(__name__)

RANGE = (
    QueryParam("start", "Range start (default now).", "date-time"),
    QueryParam("end", "Range end (default start + 7 days, at most 93 days).", "date-time"),
)


def _store(req: Request) -> Any:
    return req.ports.store


def _now(req: Request) -> datetime:
    now: datetime = req.ports.clock()
    return now


def requested_range(req: Request) -> tuple[datetime, datetime]:
    start = req.time("start") or _now(req)
    end = req.time("end") or start + timedelta(days=7)
    if end <= start:
        raise InvalidInput("end must be after start.", field="end")
    if end - start > limits.WINDOW:
        raise InvalidInput(f"The range may span at most {limits.WINDOW.days} days.", field="end")
    return start, end


async def configurable_schedule(req: Request) -> Schedule:
    schedule, _ = await schedules.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    require(req.caller, Right.CONFIGURE, [schedule.team_id])
    return schedule


# --- overrides -------------------------------------------------------------------------------
class OverrideBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=200, description="The user id on call.")
    start: datetime
    end: datetime


async def create_override(req: Request) -> Reply:
    assert isinstance(req.body, OverrideBody)
    schedule = await configurable_schedule(req)
    for name in ("start", "end"):
        if getattr(req.body, name).utcoffset() is None:
            raise InvalidInput(f"{name} needs a UTC offset (e.g. Z).", field=name)
    if req.body.end <= req.body.start:
        raise InvalidInput("end must be after start.", field="end")
    made = await ovr.create_override(
        store=_store(req),
        schedule_id=schedule.id,
        user=req.body.user,
        start=req.body.start,
        end=req.body.end,
    )
    return ok(made, status=201)


async def list_overrides(req: Request) -> Reply:
    schedule, _ = await schedules.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    start, end = requested_range(req)
    return page(ovr.in_range(schedule, start, end), None)


async def delete_override(req: Request) -> Reply:
    schedule = await configurable_schedule(req)
    await ovr.delete_override(
        store=_store(req), schedule_id=schedule.id, override_id=req.params["override_id"]
    )
    return Reply(204, None)


# --- swaps ---------------------------------------------------------------------------------------
async def list_swaps(req: Request) -> Reply:
    """A schedule's swaps overlapping a range, by start (requests and decisions alike)."""
    schedule, _ = await schedules.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    start, end = requested_range(req)
    found = sorted(
        (s for s in schedule.swaps if s.start < end and s.end > start),
        key=lambda s: (s.start, s.id),
    )
    return page(found, None)


# --- people --------------------------------------------------------------------------------------
class PendingUserBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(default="", max_length=200)
    team_id: str = Field(min_length=1, max_length=100, description="The team they join.")


class PersonView(BaseModel):
    id: str
    name: str
    email: str | None
    #: True until their first sign-in.
    pending: bool


async def add_pending_user(req: Request) -> Reply:
    assert isinstance(req.body, PendingUserBody)
    require(req.caller, Right.CONFIGURE, [req.body.team_id])
    user = await pending.add_pending_user(
        store=_store(req),
        email=req.body.email,
        name=req.body.name,
        team_id=req.body.team_id,
        now=_now(req),
    )
    view = PersonView(id=user.id, name=user.name, email=user.email, pending=user.pending)
    return ok(view, status=201 if user.pending else 200)


# --- calendars -------------------------------------------------------------------------------


async def oncall(req: Request) -> Reply:
    at = req.time("at") or ports_of(req).clock()
    result = await schedules.who_is_on_call(
        store=ports_of(req).store,
        principal=req.caller,
        schedule_id=req.params["schedule_id"],
        at=at,
    )
    return ok(result)


def _final_range(req: Request) -> tuple[datetime, datetime]:
    now = ports_of(req).clock()
    start = req.time("start") or now
    end = req.time("end") or start + timedelta(days=7)
    return start, end


async def final(req: Request) -> Reply:
    start, end = _final_range(req)
    shifts = await schedules.final(
        store=ports_of(req).store,
        principal=req.caller,
        schedule_id=req.params["schedule_id"],
        start=start,
        end=end,
    )
    return page(shifts, None)


async def layers(req: Request) -> Reply:
    """Each layer's own shifts over a range (the timeline's layer rows)."""
    start, end = requested_range(req)
    schedule, _ = await schedules.get_schedule(
        store=ports_of(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    return ok(await compute_layer_rows(schedule, start, end))


class SwapBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    taker_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Who is asked; omitted or null: offered to anyone in the team.",
    )


class SwapDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "decline", "cancel"]


async def request_swap(req: Request) -> Reply:
    assert isinstance(req.body, SwapBody)
    await schedules.get_schedule(
        store=ports_of(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    swap = await schedules.request_swap(
        store=ports_of(req).store,
        schedule_id=req.params["schedule_id"],
        requester=await signed_in_user(req),
        start=req.body.start,
        end=req.body.end,
        taker_id=req.body.taker_id,
        now=ports_of(req).clock(),
    )
    return ok(swap, status=201)


async def decide_swap(req: Request) -> Reply:
    assert isinstance(req.body, SwapDecision)
    await schedules.get_schedule(
        store=ports_of(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    swap = await schedules.decide_swap(
        store=ports_of(req).store,
        schedule_id=req.params["schedule_id"],
        swap_id=req.params["swap_id"],
        user=await signed_in_user(req),
        decision=req.body.decision,
        now=ports_of(req).clock(),
    )
    return ok(swap)


list_schedules = crud.list_owned(schedules.list_schedules)
create_schedule = crud.create(schedules.create_schedule, now=False)
get_schedule = crud.read(schedules.get_schedule, "schedule_id")
update_schedule = crud.update(schedules.update_schedule, "schedule_id")
delete_schedule = crud.delete(schedules.delete_schedule, "schedule_id")


OPERATIONS = [
    Operation(
        method="POST",
        path="/users/pending",
        name="addPendingUser",
        summary="Add someone by e-mail before their first sign-in (schedules may name them)",
        tag="users",
        handler=add_pending_user,
        body=PendingUserBody,
        response=PersonView,
        status=201,
        also=(200,),  # someone already known (signed in, or already pending)
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/overrides",
        name="createOverride",
        summary="Put someone on call instead of the layers for a while",
        tag="schedules",
        handler=create_override,
        body=OverrideBody,
        response=Override,
        status=201,
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}/overrides",
        name="listOverrides",
        summary="Overrides overlapping a range",
        tag="schedules",
        handler=list_overrides,
        response=Override,
        is_list=True,
        query=RANGE,
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}/swaps",
        name="listSwaps",
        summary="Swaps overlapping a range",
        tag="schedules",
        handler=list_swaps,
        response=ShiftSwap,
        is_list=True,
        query=RANGE,
    ),
    Operation(
        method="DELETE",
        path="/schedules/{schedule_id}/overrides/{override_id}",
        name="deleteOverride",
        summary="Delete an override",
        tag="schedules",
        handler=delete_override,
        status=204,
    ),
    Operation(
        method="GET",
        path="/schedules",
        name="listSchedules",
        summary="Schedules",
        tag="schedules",
        handler=list_schedules,
        response=ListedSchedule,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/schedules",
        name="createSchedule",
        summary="Create a schedule",
        tag="schedules",
        handler=create_schedule,
        body=ScheduleBody,
        response=Schedule,
        status=201,
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}",
        name="getSchedule",
        summary="A schedule",
        tag="schedules",
        handler=get_schedule,
        response=Schedule,
    ),
    Operation(
        method="PUT",
        path="/schedules/{schedule_id}",
        name="updateSchedule",
        summary="Change a schedule",
        tag="schedules",
        handler=update_schedule,
        body=ScheduleBody,
        response=Schedule,
    ),
    Operation(
        method="DELETE",
        path="/schedules/{schedule_id}",
        name="deleteSchedule",
        summary="Delete a schedule",
        tag="schedules",
        handler=delete_schedule,
        status=204,
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}/oncall",
        name="whoIsOnCall",
        summary="Who is on call",
        tag="schedules",
        handler=oncall,
        response=OnCall,
        query=(QueryParam("at", "When (default now).", "date-time"),),
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}/final",
        name="finalSchedule",
        summary="Merged shifts with gaps",
        tag="schedules",
        handler=final,
        response=Shift,
        is_list=True,
        query=RANGE,
    ),
    Operation(
        method="GET",
        path="/schedules/{schedule_id}/layer-shifts",
        name="layerShifts",
        summary="Each layer's own shifts over a range, without overrides (timeline rows)",
        tag="schedules",
        handler=layers,
        response=LayerRows,
        query=RANGE,
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/swaps",
        name="requestSwap",
        summary="Ask someone to take part of my shift",
        tag="schedules",
        handler=request_swap,
        body=SwapBody,
        response=ShiftSwap,
        status=201,
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/swaps/{swap_id}",
        name="decideSwap",
        summary="Accept, decline or cancel a swap (accepted: an override)",
        tag="schedules",
        handler=decide_swap,
        body=SwapDecision,
        response=ShiftSwap,
    ),
]
