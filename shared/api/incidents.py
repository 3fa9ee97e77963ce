"""API: incidents, their timeline and alerts, and the lifecycle actions (acknowledge, resolve, ...).
Each action is one row per URL verb; ``incidents.act`` holds the rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, ports_of
from shared.api.router import Operation, QueryParam, Reply, Request, ok, page
from shared.auth.models import PrincipalKind
from shared.errors import InvalidInput
from shared.incidents import service as incidents
from shared.incidents.models import (
    Action,
    ActionKind,
    Incident,
    IncidentFilter,
    IncidentStatus,
    TimelineEntry,
)

#: Longest ``q`` accepted (a title is at most 1,024 characters).
MAX_SEARCH = 200


class ActionBody(BaseModel):
    """Optional details of an incident action (all fields optional; most actions need none)."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=10_000)
    #: snooze: minutes (1 minute to 7 days).
    minutes: float | None = Field(default=None, gt=0, le=7 * 24 * 60)
    #: reassign / responders: user ids.
    users: tuple[str, ...] = Field(default=(), max_length=50)


# What each action needs, required in its own body so the document says so.
class SnoozeBody(ActionBody):
    minutes: float = Field(ge=1, le=7 * 24 * 60)


class UsersBody(ActionBody):
    users: tuple[str, ...] = Field(min_length=1, max_length=50)


class NoteBody(ActionBody):
    note: str = Field(min_length=1, max_length=10_000, pattern=r"\S")


ACTION_BODIES: dict[str, type[ActionBody]] = {
    "snooze": SnoozeBody,
    "reassign": UsersBody,
    "responders": UsersBody,
    "notes": NoteBody,
}


#: URL verb -> lifecycle action.
ACTIONS: dict[str, ActionKind] = {
    "acknowledge": "acknowledge",
    "unacknowledge": "unacknowledge",
    "resolve": "resolve",
    "reopen": "reopen",
    "snooze": "snooze",
    "escalate": "escalate",
    "reassign": "reassign",
    "responders": "add_responder",
    "notes": "add_note",
}


async def _optional_body(req: Request) -> ActionBody:
    body = req.body
    return body if isinstance(body, ActionBody) else ActionBody()


def _filters(req: Request, *, dates: bool = True) -> IncidentFilter:
    """The incident list's filters; ``counts`` takes the same ones but the dates (and ignores
    the status)."""
    try:
        statuses = frozenset(IncidentStatus(s) for s in req.many("status"))
    except ValueError:
        raise InvalidInput(
            "status must be triggered, acknowledged, snoozed or resolved.", field="status"
        ) from None
    severities = req.many("severity")
    if any(s not in ("P1", "P2", "P3", "P4", "P5") for s in severities):
        raise InvalidInput("severity must be P1..P5.", field="severity")
    text = (req.query.get("q") or "").strip() or None
    if text is not None and len(text) > MAX_SEARCH:
        raise InvalidInput(f"q must be at most {MAX_SEARCH} characters.", field="q")
    return IncidentFilter(
        status=statuses,
        severity=frozenset(severities),
        team_id=req.query.get("team_id") or None,
        service_id=req.query.get("service_id") or None,
        created_after=req.time("created_after") if dates else None,
        created_before=req.time("created_before") if dates else None,
        assignee=_assignee(req),
        text=text,
    )


def _assignee(req: Request) -> str | None:
    raw = (req.query.get("assignee") or "").strip()
    if raw != "me":
        return raw or None
    if req.caller.kind is not PrincipalKind.USER:
        raise InvalidInput("assignee=me needs a signed-in person.", field="assignee")
    return req.caller.id


async def list_incidents(req: Request) -> Reply:
    items, token = await incidents.list_incidents(
        store=ports_of(req).store,
        principal=req.caller,
        filters=_filters(req),
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def get_incident(req: Request) -> Reply:
    incident = await incidents.get_incident(
        store=ports_of(req).store, principal=req.caller, incident_id=req.params["incident_id"]
    )
    return ok(incident)


class IncidentCounts(BaseModel):
    """Incidents per status for the list's filters. Each is counted up to ``cap``: a count
    equal to ``cap`` means at least that many."""

    triggered: int
    acknowledged: int
    snoozed: int
    resolved: int
    cap: int


async def count_incidents(req: Request) -> Reply:
    counts = await incidents.count_by_status(
        store=ports_of(req).store, principal=req.caller, filters=_filters(req, dates=False)
    )
    return ok(
        IncidentCounts(
            triggered=counts[IncidentStatus.TRIGGERED],
            acknowledged=counts[IncidentStatus.ACKNOWLEDGED],
            snoozed=counts[IncidentStatus.SNOOZED],
            resolved=counts[IncidentStatus.RESOLVED],
            cap=incidents.COUNT_CAP,
        )
    )


def incident_action(verb: str) -> Callable[[Request], Any]:
    kind = ACTIONS[verb]

    async def handler(req: Request) -> Reply:
        ports = ports_of(req)
        body = await _optional_body(req)
        if kind == "snooze" and body.minutes is None:
            raise InvalidInput("snooze needs minutes.", field="minutes", expected="1..10080")
        if kind in ("reassign", "add_responder") and not body.users:
            raise InvalidInput(f"{verb} needs users.", field="users")
        if kind == "add_note" and not (body.note or "").strip():
            raise InvalidInput("A note needs text.", field="note")
        action = Action(
            kind=kind,
            actor=incidents.actor_for(req.caller),
            snooze_for=timedelta(minutes=body.minutes) if body.minutes else None,
            users=body.users,
            note=body.note,
            via="api",
        )
        incident = await incidents.act(
            store=ports.store,
            escalation=ports.escalation,
            principal=req.caller,
            incident_id=req.params["incident_id"],
            action=action,
            now=ports.clock(),
        )
        return ok(incident)

    return handler


get_timeline = crud.paged(incidents.get_timeline, "incident_id")
get_alerts = crud.paged(incidents.get_alerts, "incident_id")


_STATUS = "(triggered|acknowledged|snoozed|resolved)"
#: Empty is allowed: no filter, as the handler reads it.
_STATUSES = f"^({_STATUS}(,{_STATUS})*)?$"

#: The list's filters besides status, shared with ``/incidents/counts``.
SEARCH_FILTERS = (
    QueryParam("severity", "Comma-separated P1..P5.", many=True, pattern=r"^(P[1-5](,P[1-5])*)?$"),
    QueryParam("service_id", "Only this service."),
    QueryParam("assignee", "Only incidents assigned to this user id; `me` for the caller."),
    QueryParam(
        "q",
        "Words of the title (case-insensitive, all must occur) or the number (42 or #42).",
        max_length=MAX_SEARCH,
    ),
)

OPERATIONS = [
    Operation(
        method="GET",
        path="/incidents",
        name="listIncidents",
        summary="Incidents, newest first",
        tag="incidents",
        handler=list_incidents,
        response=Incident,
        is_list=True,
        query=(
            *PAGING,
            *TEAM_FILTER,
            QueryParam("status", "Comma-separated statuses.", many=True, pattern=_STATUSES),
            *SEARCH_FILTERS,
            QueryParam("created_after", "Created at or after.", "date-time"),
            QueryParam("created_before", "Created before.", "date-time"),
        ),
    ),
    Operation(
        method="GET",
        path="/incidents/counts",
        name="countIncidents",
        summary="How many incidents of each status match the list's filters",
        tag="incidents",
        handler=count_incidents,
        response=IncidentCounts,
        query=(*TEAM_FILTER, *SEARCH_FILTERS),
    ),
    Operation(
        method="GET",
        path="/incidents/{incident_id}",
        name="getIncident",
        summary="An incident",
        tag="incidents",
        handler=get_incident,
        response=Incident,
    ),
    Operation(
        method="GET",
        path="/incidents/{incident_id}/timeline",
        name="getTimeline",
        summary="Its timeline",
        tag="incidents",
        handler=get_timeline,
        response=TimelineEntry,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="GET",
        path="/incidents/{incident_id}/alerts",
        name="getAlerts",
        summary="Its alerts",
        tag="incidents",
        handler=get_alerts,
        is_list=True,
        query=PAGING,
    ),
    *(
        Operation(
            method="POST",
            path=f"/incidents/{{incident_id}}/{verb}",
            name=f"incident_{verb}",
            summary=f"Incident action: {verb}",
            tag="incidents",
            handler=incident_action(verb),
            body=ACTION_BODIES.get(verb),
            response=Incident,
        )
        for verb in ACTIONS
    ),
]
