"""Calendars: a schedule's and a person's shifts as iCalendar, the secret subscription links
(issued and checked in ``shared.schedules.links``), and importing a calendar as overrides."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.api.ports import ports_of, signed_in_user
from shared.api.router import Operation, Reply, Request, ok
from shared.api.schedules import RANGE, configurable_schedule, requested_range
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.auth.models import User
from shared.schedules import ical_source, limits, links, stored
from shared.schedules import overrides as ovr
from shared.schedules import service as schedules
from shared.schedules.ical import export_calendar, export_shifts
from shared.schedules.models import Schedule, Shift
from shared.schedules.overrides import ImportResult
from shared.schedules.people import names
from shared.schedules.resolve import final_schedule

log = logging.getLogger(__name__)


class IcalImportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ics: str | None = Field(
        default=None,
        min_length=10,
        max_length=ical_source.MAX_BYTES,
        description="The iCalendar text (or give url).",
    )
    url: str | None = Field(
        default=None,
        min_length=8,
        max_length=2000,
        description="Where to read the iCalendar text (https; the server fetches it once).",
    )
    days: int = Field(default=90, ge=1, le=366)
    #: "import": an all-day event is whole local days in the calendar's zone; "skip": it is
    #: left out and reported.
    all_day: Literal["import", "skip"] = "import"
    #: True: answer what the import would create, and change nothing (the editor's preview).
    dry_run: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> IcalImportBody:
        if (self.ics is None) == (self.url is None):
            raise ValueError("give either ics (the calendar's text) or url, not both")
        return self


async def import_ical(req: Request) -> Reply:
    assert isinstance(req.body, IcalImportBody)
    schedule = await configurable_schedule(req)
    if req.body.url is not None:
        ics = await ical_source.fetch_calendar(ports_of(req).notify.http, req.body.url)
    else:
        ics = (req.body.ics or "").encode()
    result = await ovr.import_calendar(
        store=ports_of(req).store,
        schedule_id=schedule.id,
        ics=ics,
        now=ports_of(req).clock(),
        days=req.body.days,
        all_day=req.body.all_day,
        dry_run=req.body.dry_run,
    )
    return ok(result)


def _users(shifts: list[Shift]) -> set[str]:
    return {u for s in shifts if s.user for u in s.user.split(",")}


async def ical(req: Request) -> Reply:
    start, end = requested_range(req)
    schedule, _ = await schedules.get_schedule(
        store=ports_of(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    shifts = await limits.compute(final_schedule, schedule, start, end)
    people = await names(ports_of(req).store, _users(shifts))
    text = export_shifts(schedule, shifts, now=ports_of(req).clock(), people=people)
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
    now = ports_of(req).clock()
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    end = now + timedelta(days=PERSON_DAYS)
    parts: list[tuple[Schedule, list[Shift]]] = []
    teams = sorted(user.teams)
    continuation: str | None = None
    while teams:
        # One query for all the person's teams: a poll's cost is the store round trips.
        result = await stored.query_schedules(
            ports_of(req).store, team_ids=teams, limit=200, continuation=continuation
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
    people = await names(ports_of(req).store, [user.id])
    text = export_calendar(f"{user.name or user.id} on call", parts, now=now, people=people)
    return Reply(200, text.decode("utf-8"), content_type="text/calendar")


async def my_calendar(req: Request) -> Reply:
    return await person_calendar(req, await signed_in_user(req))


async def my_calendar_link(req: Request) -> Reply:
    """Issue (or replace) the secret URL of my shifts for calendar apps."""
    user = await signed_in_user(req)
    token = await links.issue_user_link(store=ports_of(req).store, user_id=user.id)
    url = f"{req.base_url}/api/v1/calendars/users/{user.id}/{token}.ics"
    return ok(IcalLink(url=url), status=201)


async def subscribed_user_calendar(req: Request) -> Reply:
    token = req.params["token"].removesuffix(".ics")
    user = await links.user_for_link(
        store=ports_of(req).store, user_id=req.params["user_id"], token=token
    )
    return await person_calendar(req, user)


class IcalLink(BaseModel):
    """The calendar subscription URL; anyone with it can read the schedule's shifts."""

    url: str


async def ical_link(req: Request) -> Reply:
    schedule, _ = await schedules.get_schedule(
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


OPERATIONS = [
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
        path="/schedules/{schedule_id}/ical-import",
        name="importIcal",
        summary="Import an external calendar's shifts (its text, or a URL read once) as overrides "
        "(dry_run: preview only)",
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
