"""Schedule operations beyond plain CRUD: overrides as their own resource, calendar import and
export, and a person's calendar. ``shared.api.v1`` adds :data:`OPERATIONS` to its table."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.api.router import Operation, QueryParam, Reply, Request, ok, page
from shared.auth import pending
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.auth.models import User
from shared.errors import InvalidInput
from shared.schedules import limits, stored
from shared.schedules import overrides as ovr
from shared.schedules import service as schedules_service
from shared.schedules.ical import export_calendar, export_shifts
from shared.schedules.models import Override, Schedule, Shift, ShiftSwap
from shared.schedules.people import names
from shared.schedules.resolve import final_schedule

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
    schedule, _ = await schedules_service.get_schedule(
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
    schedule, _ = await schedules_service.get_schedule(
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
    schedule, _ = await schedules_service.get_schedule(
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
    schedule, _ = await schedules_service.get_schedule(
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
        result = await stored.query_schedules(
            _store(req), team_ids=teams, limit=200, continuation=continuation
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


def _op(
    method: Any, path: str, name: str, summary: str, handler: Callable[..., Any], **kw: Any
) -> Operation:
    return Operation(method, path, name, summary, "schedules", handler, **kw)


OPERATIONS = [
    Operation(
        "POST",
        "/users/pending",
        "addPendingUser",
        "Add someone by e-mail before their first sign-in (schedules may name them)",
        "users",
        add_pending_user,
        body=PendingUserBody,
        response=PersonView,
        status=201,
        also=(200,),  # someone already known (signed in, or already pending)
    ),
    _op(
        "POST",
        "/schedules/{schedule_id}/overrides",
        "createOverride",
        "Put someone on call instead of the layers for a while",
        create_override,
        body=OverrideBody,
        response=Override,
        status=201,
    ),
    _op(
        "GET",
        "/schedules/{schedule_id}/overrides",
        "listOverrides",
        "Overrides overlapping a range",
        list_overrides,
        response=Override,
        is_list=True,
        query=RANGE,
    ),
    _op(
        "GET",
        "/schedules/{schedule_id}/swaps",
        "listSwaps",
        "Swaps overlapping a range",
        list_swaps,
        response=ShiftSwap,
        is_list=True,
        query=RANGE,
    ),
    _op(
        "DELETE",
        "/schedules/{schedule_id}/overrides/{override_id}",
        "deleteOverride",
        "Delete an override",
        delete_override,
        status=204,
    ),
]
