"""Schedule operations beyond plain CRUD: overrides as their own resource, calendar import and
export, and a person's calendar. ``shared.api.v1`` adds :data:`OPERATIONS` to its table."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.api import crud
from shared.api.ports import (
    PAGING,
    TEAM_FILTER,
    ports_of,
    signed_in_user,
)
from shared.api.router import (
    Operation,
    QueryParam,
    Reply,
    Request,
    ok,
    page,
)
from shared.auth import pending
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.auth.models import User
from shared.catalog import service as catalog
from shared.errors import InvalidInput, NotFound
from shared.schedules import limits, stored
from shared.schedules import overrides as ovr
from shared.schedules import service as schedules
from shared.schedules.ical import export_calendar, export_shifts
from shared.schedules.models import OnCall, Override, Schedule, Shift, ShiftSwap
from shared.schedules.overrides import ImportResult
from shared.schedules.people import names
from shared.schedules.resolve import final_schedule
from shared.schedules.stored import ListedSchedule
from shared.store.port import in_

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


def _range(req: Request) -> tuple[datetime, datetime]:
    start = req.time("start") or _now(req)
    end = req.time("end") or start + timedelta(days=7)
    if end <= start:
        raise InvalidInput("end must be after start.", field="end")
    if end - start > limits.WINDOW:
        raise InvalidInput(f"The range may span at most {limits.WINDOW.days} days.", field="end")
    return start, end


async def _configurable(req: Request) -> Schedule:
    schedule, _ = await catalog.get_schedule(
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
    schedule = await _configurable(req)
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
    schedule, _ = await catalog.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    start, end = _range(req)
    return page(ovr.in_range(schedule, start, end), None)


async def delete_override(req: Request) -> Reply:
    schedule = await _configurable(req)
    await ovr.delete_override(
        store=_store(req), schedule_id=schedule.id, override_id=req.params["override_id"]
    )
    return Reply(204, None)


# --- swaps ---------------------------------------------------------------------------------------
async def list_swaps(req: Request) -> Reply:
    """A schedule's swaps overlapping a range, by start (requests and decisions alike)."""
    schedule, _ = await catalog.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    start, end = _range(req)
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
class IcalImportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ics: str = Field(min_length=10, max_length=512 * 1024, description="The iCalendar text.")
    days: int = Field(default=90, ge=1, le=366)
    #: "import": an all-day event is whole local days in the calendar's zone; "skip": it is
    #: left out and reported.
    all_day: Literal["import", "skip"] = "import"


async def import_ical(req: Request) -> Reply:
    assert isinstance(req.body, IcalImportBody)
    schedule = await _configurable(req)
    result = await ovr.import_calendar(
        store=_store(req),
        schedule_id=schedule.id,
        ics=req.body.ics.encode(),
        now=_now(req),
        days=req.body.days,
        all_day=req.body.all_day,
    )
    return ok(result)


def _users(shifts: list[Shift]) -> set[str]:
    return {u for s in shifts if s.user for u in s.user.split(",")}


async def ical(req: Request) -> Reply:
    start, end = _range(req)
    schedule, _ = await catalog.get_schedule(
        store=_store(req), principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    shifts = await limits.compute(final_schedule, schedule, start, end)
    people = await names(_store(req), _users(shifts))
    text = export_shifts(schedule, shifts, now=_now(req), people=people)
    return Reply(200, text.decode("utf-8"), content_type="text/calendar")


#: A person's calendar is polled by calendar apps. Each schedule's shifts are computed once per
#: stored version and UTC day (key: schedule id, document ETag, day) and reused by every person
#: and poll that day; an edit changes the ETag, so only that schedule is computed again.
#: 2,048 entries bound the memory.
_FINAL_CACHE: OrderedDict[tuple[str, str, datetime], tuple[Schedule, list[Shift]]] = OrderedDict()
_CACHE_SIZE = 2048
#: How far ahead a person's calendar reaches.
PERSON_DAYS = 60


def _mentions(doc: dict[str, Any], user_id: str) -> bool:
    """Whether a stored schedule can put this person on call (read without validating it)."""
    layers = doc.get("layers") or []
    return any(user_id in (layer.get("participants") or []) for layer in layers) or any(
        o.get("user") == user_id for o in doc.get("overrides") or []
    )


async def _shifts(doc: dict[str, Any], day: datetime) -> tuple[Schedule, list[Shift]]:
    key = (str(doc["id"]), str(doc.get("_etag", "")), day)
    cached = _FINAL_CACHE.get(key)
    if cached is None:
        schedule = stored.load(doc)
        window = day + timedelta(days=PERSON_DAYS + 1)
        cached = schedule, await limits.compute(final_schedule, schedule, day, window)
        _FINAL_CACHE[key] = cached
        while len(_FINAL_CACHE) > _CACHE_SIZE:
            _FINAL_CACHE.popitem(last=False)
    else:
        _FINAL_CACHE.move_to_end(key)
    return cached


async def person_calendar(req: Request, user: User) -> Reply:
    """A person's shifts across every schedule of their teams, as iCalendar (60 days)."""
    now = _now(req)
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = now + timedelta(days=PERSON_DAYS)
    parts: list[tuple[Schedule, list[Shift]]] = []
    teams = sorted(user.teams)
    continuation: str | None = None
    while teams:
        # One query for all the person's teams: a poll's cost is the store round trips.
        result = await _store(req).query(
            "schedules", where=[in_("team_id", teams)], limit=200, continuation=continuation
        )
        for doc in result.items:
            if not _mentions(doc, user.id):
                continue
            try:
                schedule, shifts = await _shifts(doc, day)
            except (stored.NeedsRepair, limits.ScheduleTooComplex) as exc:
                # The rest of the person's calendar still answers; this schedule's shifts
                # return once it is repaired.
                log.warning("Schedule %s left out of a calendar: %s", doc.get("id"), exc.detail)
                continue
            # Shifts keep their real start (the day's start at the earliest), so an event's
            # UID stays the same from poll to poll.
            mine = [
                s.model_copy(update={"user": user.id})
                for s in shifts
                if s.user and user.id in s.user.split(",") and s.end > now and s.start < end
            ]
            parts.append((schedule, mine))
        continuation = result.continuation
        if continuation is None:
            break
    people = await names(_store(req), [user.id])
    text = export_calendar(f"{user.name or user.id} on call", parts, now=now, people=people)
    return Reply(200, text.decode("utf-8"), content_type="text/calendar")


async def my_calendar(req: Request) -> Reply:
    return await person_calendar(req, await signed_in_user(req))


async def my_calendar_link(req: Request) -> Reply:
    """Issue (or replace) the secret URL of my shifts for calendar apps."""
    user = await signed_in_user(req)
    token = secrets.token_urlsafe(24)
    store = ports_of(req).store
    doc = await store.get("users", user.id, user.id)
    assert doc is not None
    await store.replace(
        "users",
        {**doc, "ical_token_hash": hashlib.sha256(token.encode()).hexdigest()},
        if_match=doc["_etag"],
    )
    url = f"{req.base_url}/api/v1/calendars/users/{user.id}/{token}.ics"
    return ok(IcalLink(url=url), status=201)


async def subscribed_user_calendar(req: Request) -> Reply:
    token = req.params["token"].removesuffix(".ics")
    user_id = req.params["user_id"]
    doc = await ports_of(req).store.get("users", user_id, user_id)
    expected = str(doc.get("ical_token_hash") or "") if doc else ""
    given = hashlib.sha256(token.encode()).hexdigest()
    if doc is None or not expected or not hmac.compare_digest(expected, given):
        raise NotFound("No such calendar.")
    hidden = ("pk", "_etag", "teams_list")
    user = User.model_validate({k: v for k, v in doc.items() if k not in hidden})
    return await person_calendar(req, user)


async def oncall(req: Request) -> Reply:
    at = req.time("at") or ports_of(req).clock()
    result = await catalog.who_is_on_call(
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
    shifts = await catalog.final(
        store=ports_of(req).store,
        principal=req.caller,
        schedule_id=req.params["schedule_id"],
        start=start,
        end=end,
    )
    return page(shifts, None)


class SwapBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    taker_id: str = Field(min_length=1, max_length=100)


class SwapDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "decline", "cancel"]


async def request_swap(req: Request) -> Reply:
    assert isinstance(req.body, SwapBody)
    await catalog.get_schedule(
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
    await catalog.get_schedule(
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


class IcalLink(BaseModel):
    """The calendar subscription URL; anyone with it can read the schedule's shifts."""

    url: str


async def ical_link(req: Request) -> Reply:
    schedule, _ = await catalog.get_schedule(
        store=ports_of(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    require(req.caller, Right.CONFIGURE, [schedule.team_id])
    token = await schedules.issue_ical_link(store=ports_of(req).store, schedule_id=schedule.id)
    return ok(
        IcalLink(url=f"{req.base_url}/api/v1/calendars/{schedule.id}/{token}.ics"), status=201
    )


async def subscribed_ical(req: Request) -> Reply:
    token = req.params["token"].removesuffix(".ics")
    text = await schedules.subscribed_calendar(
        store=ports_of(req).store,
        schedule_id=req.params["schedule_id"],
        token=token,
        now=ports_of(req).clock(),
    )
    return Reply(200, text.decode("utf-8"), content_type="text/calendar")


list_schedules = crud.list_owned(catalog.list_schedules)


create_schedule = crud.create(catalog.create_schedule, now=False)


get_schedule = crud.read(catalog.get_schedule, "schedule_id")


update_schedule = crud.update(catalog.update_schedule, "schedule_id")


delete_schedule = crud.delete(catalog.delete_schedule, "schedule_id")


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
        method="POST",
        path="/me/calendar-link",
        name="myCalendarLink",
        summary="Issue (or replace) the secret subscription URL of my shifts",
        tag="schedules",
        handler=my_calendar_link,
        response=IcalLink,
        status=201,
    ),
    Operation(
        method="GET",
        path="/calendars/users/{user_id}/{token}",
        name="subscribedUserCalendar",
        summary="A person's shifts for calendar apps (secret URL, no sign-in)",
        tag="schedules",
        handler=subscribed_user_calendar,
        public=True,
        content_type="text/calendar",
    ),
    Operation(
        method="GET",
        path="/me/calendar",
        name="myCalendar",
        summary="My shifts across my teams' schedules (iCal)",
        tag="schedules",
        handler=my_calendar,
        content_type="text/calendar",
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
        body=catalog.ScheduleBody,
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
        body=catalog.ScheduleBody,
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
        path="/schedules/{schedule_id}/ical",
        name="scheduleIcal",
        summary="The shifts as iCalendar",
        tag="schedules",
        handler=ical,
        query=RANGE,
        content_type="text/calendar",
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
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/ical-import",
        name="importIcal",
        summary="Import an external calendar's shifts as overrides",
        tag="schedules",
        handler=import_ical,
        body=IcalImportBody,
        response=ImportResult,
    ),
    Operation(
        method="POST",
        path="/schedules/{schedule_id}/ical-link",
        name="issueIcalLink",
        summary="Issue (or replace) the calendar subscription URL",
        tag="schedules",
        handler=ical_link,
        response=IcalLink,
        status=201,
    ),
    Operation(
        method="GET",
        path="/calendars/{schedule_id}/{token}",
        name="subscribedCalendar",
        summary="A schedule's shifts for calendar apps (secret URL, no sign-in)",
        tag="schedules",
        handler=subscribed_ical,
        public=True,
        content_type="text/calendar",
    ),
]
