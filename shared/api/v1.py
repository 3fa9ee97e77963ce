"""``/api/v1``: the operation table. Each handler shapes one service call; no rules live here."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.api import changes as changes_api
from shared.api import schedules as schedule_api
from shared.api.router import (
    MAX_LIMIT,
    Api,
    Operation,
    QueryParam,
    Reply,
    Request,
    ok,
    page,
)
from shared.api.schedules import IcalImportBody, ical, import_ical, person_calendar
from shared.auth import service as auth
from shared.auth.access import require
from shared.auth.models import Action as Right
from shared.auth.models import ApiKeyCreate, ApiKeyRead, CreatedApiKey, User
from shared.auth.service import AuthPorts
from shared.catalog import service as catalog
from shared.catalog.cache import CatalogCache
from shared.catalog.models import Route, Service, Team
from shared.errors import InvalidInput, NotFound
from shared.escalation.models import Policy, PolicyBody
from shared.incidents import service as incidents
from shared.incidents.models import (
    Action,
    ActionKind,
    EscalationPort,
    Incident,
    IncidentFilter,
    IncidentStatus,
    TimelineEntry,
)
from shared.notifications import contacts as notifications
from shared.notifications.delivery import NotifyPorts, list_deliveries
from shared.notifications.models import (
    ContactKind,
    ContactMethod,
    DeliveryAttempt,
    NotificationRules,
    Webhook,
)
from shared.outbound.targets import check_saved_target
from shared.redact import WriteOnly, WriteOnlyUrl, redact_url
from shared.schedules import service as schedules
from shared.schedules.models import OnCall, Schedule, Shift, ShiftSwap
from shared.schedules.overrides import ImportResult
from shared.schedules.stored import ListedSchedule


@dataclass(frozen=True)
class ApiPorts:
    store: Any
    auth: AuthPorts
    escalation: EscalationPort
    notify: NotifyPorts
    #: Cleared after every configuration change, so this instance processes the next alert
    #: with the new integration, routes and services (other instances within its TTL).
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def _ports(req: Request) -> ApiPorts:
    ports: ApiPorts = req.ports
    return ports


def _changed(req: Request) -> None:
    """After a configuration write: this instance's next alert sees it."""
    _ports(req).catalog_cache.clear()


# --- bodies and views ------------------------------------------------------------------------
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


class UserView(BaseModel):
    id: str
    name: str
    email: str | None
    teams: dict[str, str]
    #: Added by e-mail and not signed in yet (POST /users/pending).
    pending: bool = False


class MeView(BaseModel):
    id: str
    kind: str
    display_name: str
    roles: list[str]
    teams: dict[str, str]


def _user(user: User) -> UserView:
    return UserView(
        id=user.id,
        name=user.name,
        email=user.email,
        teams={k: v.value for k, v in user.teams.items()},
        pending=user.pending,
    )


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


# --- handlers --------------------------------------------------------------------------------
async def me(req: Request) -> Reply:
    p = req.caller
    return ok(
        MeView(
            id=p.id,
            kind=p.kind.value,
            display_name=p.display_name,
            roles=sorted(r.value for r in p.roles),
            teams={k: v.value for k, v in p.teams.items()},
        )
    )


async def list_users(req: Request) -> Reply:
    require(req.caller, Right.READ)
    result = await _ports(req).store.query(
        "users", limit=req.limit(), continuation=req.continuation()
    )
    users = [
        User.model_validate({k: v for k, v in d.items() if k not in ("pk", "_etag", "teams_list")})
        for d in result.items
    ]
    return page([_user(u) for u in users], result.continuation)


async def my_calendar(req: Request) -> Reply:
    return await person_calendar(req, await _me(req))


async def my_calendar_link(req: Request) -> Reply:
    """Issue (or replace) the secret URL of my shifts for calendar apps."""
    user = await _me(req)
    token = secrets.token_urlsafe(24)
    store = _ports(req).store
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
    doc = await _ports(req).store.get("users", user_id, user_id)
    expected = str(doc.get("ical_token_hash") or "") if doc else ""
    given = hashlib.sha256(token.encode()).hexdigest()
    if doc is None or not expected or not hmac.compare_digest(expected, given):
        raise NotFound("No such calendar.")
    hidden = ("pk", "_etag", "teams_list")
    user = User.model_validate({k: v for k, v in doc.items() if k not in hidden})
    return await person_calendar(req, user)


async def get_user(req: Request) -> Reply:
    require(req.caller, Right.READ)
    return ok(_user(await auth.get_user(store=_ports(req).store, user_id=req.params["user_id"])))


async def list_incidents(req: Request) -> Reply:
    try:
        statuses = frozenset(IncidentStatus(s) for s in req.many("status"))
    except ValueError:
        raise InvalidInput(
            "status must be triggered, acknowledged, snoozed or resolved.", field="status"
        ) from None
    severities = req.many("severity")
    if any(s not in ("P1", "P2", "P3", "P4", "P5") for s in severities):
        raise InvalidInput("severity must be P1..P5.", field="severity")
    filters = IncidentFilter(
        status=statuses,
        severity=frozenset(severities),
        team_id=req.query.get("team_id") or None,
        service_id=req.query.get("service_id") or None,
        created_after=req.time("created_after"),
        created_before=req.time("created_before"),
    )
    items, token = await incidents.list_incidents(
        store=_ports(req).store,
        principal=req.caller,
        filters=filters,
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def get_incident(req: Request) -> Reply:
    incident = await incidents.get_incident(
        store=_ports(req).store, principal=req.caller, incident_id=req.params["incident_id"]
    )
    return ok(incident)


def incident_action(verb: str) -> Callable[[Request], Any]:
    kind = ACTIONS[verb]

    async def handler(req: Request) -> Reply:
        ports = _ports(req)
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


# teams


async def list_members(req: Request) -> Reply:
    users, token = await catalog.list_members(
        store=_ports(req).store,
        principal=req.caller,
        team_id=req.params["team_id"],
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page([_user(u) for u in users], token)


async def put_member(req: Request) -> Reply:
    assert isinstance(req.body, catalog.MembershipBody)
    user = await catalog.set_member(
        store=_ports(req).store,
        principal=req.caller,
        team_id=req.params["team_id"],
        user_id=req.params["user_id"],
        role=req.body.role,
        now=_ports(req).clock(),
    )
    # Keys this person minted are bounded by their rights: re-read them on the next request.
    _ports(req).auth.api_keys.rights.clear()
    return ok(_user(user))


async def delete_member(req: Request) -> Reply:
    await catalog.set_member(
        store=_ports(req).store,
        principal=req.caller,
        team_id=req.params["team_id"],
        user_id=req.params["user_id"],
        role=None,
        now=_ports(req).clock(),
    )
    _ports(req).auth.api_keys.rights.clear()
    return Reply(204)


# services


# integrations and routes


async def create_integration(req: Request) -> Reply:
    assert isinstance(req.body, catalog.IntegrationBody)
    created = await catalog.create_integration(
        store=_ports(req).store,
        principal=req.caller,
        body=req.body,
        now=_ports(req).clock(),
        base_url=req.base_url,
    )
    _changed(req)
    return ok(created, status=201)


async def rotate_integration(req: Request) -> Reply:
    created = await catalog.rotate_integration_key(
        store=_ports(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        base_url=req.base_url,
    )
    _changed(req)
    return ok(created)


async def list_routes(req: Request) -> Reply:
    routes = await catalog.list_routes(
        store=_ports(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
    )
    return page(routes, None)


async def create_route(req: Request) -> Reply:
    assert isinstance(req.body, catalog.RouteBody)
    route = await catalog.create_route(
        store=_ports(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        body=req.body,
    )
    _changed(req)
    return ok(route, status=201)


async def delete_route(req: Request) -> Reply:
    await catalog.delete_route(
        store=_ports(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        route_id=req.params["route_id"],
    )
    _changed(req)
    return Reply(204)


# escalation policies


# schedules


async def oncall(req: Request) -> Reply:
    at = req.time("at") or _ports(req).clock()
    result = await catalog.who_is_on_call(
        store=_ports(req).store,
        principal=req.caller,
        schedule_id=req.params["schedule_id"],
        at=at,
    )
    return ok(result)


def _range(req: Request) -> tuple[datetime, datetime]:
    now = _ports(req).clock()
    start = req.time("start") or now
    end = req.time("end") or start + timedelta(days=7)
    return start, end


async def final(req: Request) -> Reply:
    start, end = _range(req)
    shifts = await catalog.final(
        store=_ports(req).store,
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


async def _me(req: Request) -> User:
    return await auth.get_user(store=_ports(req).store, user_id=_person(req))


async def request_swap(req: Request) -> Reply:
    assert isinstance(req.body, SwapBody)
    await catalog.get_schedule(
        store=_ports(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    swap = await schedules.request_swap(
        store=_ports(req).store,
        schedule_id=req.params["schedule_id"],
        requester=await _me(req),
        start=req.body.start,
        end=req.body.end,
        taker_id=req.body.taker_id,
        now=_ports(req).clock(),
    )
    return ok(swap, status=201)


async def decide_swap(req: Request) -> Reply:
    assert isinstance(req.body, SwapDecision)
    await catalog.get_schedule(
        store=_ports(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    swap = await schedules.decide_swap(
        store=_ports(req).store,
        schedule_id=req.params["schedule_id"],
        swap_id=req.params["swap_id"],
        user=await _me(req),
        decision=req.body.decision,
        now=_ports(req).clock(),
    )
    return ok(swap)


class IcalLink(BaseModel):
    """The calendar subscription URL; anyone with it can read the schedule's shifts."""

    url: str


async def ical_link(req: Request) -> Reply:
    schedule, _ = await catalog.get_schedule(
        store=_ports(req).store, principal=req.caller, schedule_id=req.params["schedule_id"]
    )
    require(req.caller, Right.CONFIGURE, [schedule.team_id])
    token = await schedules.issue_ical_link(store=_ports(req).store, schedule_id=schedule.id)
    return ok(
        IcalLink(url=f"{req.base_url}/api/v1/calendars/{schedule.id}/{token}.ics"), status=201
    )


async def subscribed_ical(req: Request) -> Reply:
    token = req.params["token"].removesuffix(".ics")
    text = await schedules.subscribed_calendar(
        store=_ports(req).store,
        schedule_id=req.params["schedule_id"],
        token=token,
        now=_ports(req).clock(),
    )
    return Reply(200, text.decode("utf-8"), content_type="text/calendar")


# API keys
async def list_api_keys(req: Request) -> Reply:
    items, token = await auth.list_api_keys(
        store=_ports(req).store,
        principal=req.caller,
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def create_api_key(req: Request) -> Reply:
    assert isinstance(req.body, ApiKeyCreate)
    created = await auth.create_api_key(
        store=_ports(req).store, creator=req.caller, request=req.body, now=_ports(req).clock()
    )
    return ok(created, status=201)


async def get_api_key(req: Request) -> Reply:
    key = await auth.get_api_key(
        store=_ports(req).store, principal=req.caller, key_id=req.params["key_id"]
    )
    return ok(key)


async def revoke_api_key(req: Request) -> Reply:
    key = await auth.revoke_api_key(
        store=_ports(req).store,
        cache=_ports(req).auth.api_keys,
        principal=req.caller,
        key_id=req.params["key_id"],
        now=_ports(req).clock(),
    )
    return ok(key)


# notifications: a person's own contact methods, rules and deliveries; team webhooks
class ContactMethodBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: ContactKind
    address: str = Field(default="", max_length=2048)
    label: str = Field(default="", max_length=100)


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=4, max_length=12)


class ContactMethodView(BaseModel):
    id: str
    kind: ContactKind
    address: str = Field(
        description=(
            "The address; a webhook's URL is a credential and shows only scheme, host and the "
            "last 4 characters."
        )
    )
    label: str
    verified: bool


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    url: WriteOnlyUrl = Field(pattern=r"^https?://\S+$", max_length=2048)
    events: frozenset[str] = frozenset(
        {"created", "acknowledged", "resolved", "escalated", "note_added"}
    )
    timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    format: Literal["openalert", "teams_workflows"] = "openalert"


class WebhookView(BaseModel):
    id: str
    team_id: str
    name: str
    url: WriteOnlyUrl
    #: The signing secret, as a hint (shown whole only once, at creation).
    secret: WriteOnly
    events: list[str]
    timeout_seconds: float
    format: str


class WebhookCreated(BaseModel):
    """The signing secret is shown once; verify ``X-OpenAlert-Signature`` with it."""

    webhook: WebhookView
    secret: str


def _person(req: Request) -> str:
    """The signed-in person behind a ``/me/...`` request (one without an OpenAlert role never
    gets here: the router answers 403, see ``Operation.roleless``)."""
    principal = req.caller
    if principal.kind.value != "user":
        raise InvalidInput("Only people have contact methods and rules.", field="principal")
    return principal.id


def _method_view(m: ContactMethod) -> ContactMethodView:
    # A webhook contact's URL is a credential even to its owner: hint only, like the log.
    address = redact_url(m.address) if m.kind == "webhook" else m.address
    return ContactMethodView(
        id=m.id, kind=m.kind, address=address, label=m.label, verified=m.verified
    )


def _webhook_view(w: Webhook) -> WebhookView:
    return WebhookView(
        id=w.id,
        team_id=w.team_id,
        name=w.name,
        url=w.url,
        secret=w.secret,
        events=sorted(w.events),
        timeout_seconds=w.timeout_seconds,
        format=w.format,
    )


async def list_contact_methods(req: Request) -> Reply:
    methods = await notifications.contact_methods(_ports(req).store, _person(req))
    return page([_method_view(m) for m in methods], None)


async def add_contact_method(req: Request) -> Reply:
    assert isinstance(req.body, ContactMethodBody)
    method = await notifications.add_contact_method(
        ports=_ports(req).notify,
        user_id=_person(req),
        kind=req.body.kind,
        address=req.body.address,
        label=req.body.label,
    )
    return ok(_method_view(method), status=201)


async def verify_contact_method(req: Request) -> Reply:
    assert isinstance(req.body, CodeBody)
    method = await notifications.verify_contact_method(
        ports=_ports(req).notify,
        user_id=_person(req),
        method_id=req.params["method_id"],
        code=req.body.code,
    )
    return ok(_method_view(method))


async def delete_contact_method(req: Request) -> Reply:
    await notifications.delete_contact_method(
        store=_ports(req).store, user_id=_person(req), method_id=req.params["method_id"]
    )
    _ports(req).notify.prefs.discard(_person(req))
    return Reply(204)


async def get_rules(req: Request) -> Reply:
    rules = await notifications.get_rules(_ports(req).store, _person(req))
    return ok(rules or NotificationRules())


async def put_rules(req: Request) -> Reply:
    assert isinstance(req.body, NotificationRules)
    user_id = _person(req)
    methods = await notifications.contact_methods(_ports(req).store, user_id)
    rules = await notifications.put_rules(
        store=_ports(req).store, user_id=user_id, rules=req.body, methods=methods
    )
    _ports(req).notify.prefs.discard(user_id)
    return ok(rules)


async def my_deliveries(req: Request) -> Reply:
    items, token = await list_deliveries(
        store=_ports(req).store,
        user_id=_person(req),
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def incident_deliveries(req: Request) -> Reply:
    await incidents.get_incident(
        store=_ports(req).store, principal=req.caller, incident_id=req.params["incident_id"]
    )
    items, token = await list_deliveries(
        store=_ports(req).store,
        incident_id=req.params["incident_id"],
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page(items, token)


async def list_webhooks(req: Request) -> Reply:
    items, token = await catalog.list_documents(
        store=_ports(req).store,
        principal=req.caller,
        container="webhooks",
        model=Webhook,
        team_id=req.query.get("team_id") or None,
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page([_webhook_view(w) for w in items], token)


async def create_webhook(req: Request) -> Reply:
    assert isinstance(req.body, WebhookBody)
    require(req.caller, Right.CONFIGURE, [req.body.team_id])
    check_saved_target(getattr(_ports(req).notify, "http", None), req.body.url, field="url")
    secret = secrets.token_urlsafe(32)
    hook = Webhook(id=catalog.new_id("wh"), secret=secret, **req.body.model_dump())
    await _ports(req).store.create("webhooks", {**hook.model_dump(mode="json"), "pk": hook.id})
    return ok(WebhookCreated(webhook=_webhook_view(hook), secret=secret), status=201)


async def delete_webhook(req: Request) -> Reply:
    store = _ports(req).store
    doc = await store.get("webhooks", req.params["webhook_id"], req.params["webhook_id"])
    if doc is None:
        raise NotFound(f"Webhook {req.params['webhook_id']!r} does not exist.")
    require(req.caller, Right.CONFIGURE, [doc["team_id"]])
    await store.delete("webhooks", doc["id"], doc["id"])
    return Reply(204)


# --- the CRUD shapes, once -------------------------------------------------------------------
# Every configuration resource has the same five operations; these build their handlers from
# the service function and the name of the id parameter, so the handlers cannot drift apart.
def _base(req: Request, wanted: bool) -> dict[str, Any]:
    """``base_url`` for answers that carry links (PUBLIC_BASE_URL, never the Host header)."""
    return {"base_url": req.base_url} if wanted else {}


def _list_owned(fn: Callable[..., Any], *, base: bool = False) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        items, token = await fn(
            store=_ports(req).store,
            principal=req.caller,
            team_id=req.query.get("team_id") or None,
            limit=req.limit(),
            continuation=req.continuation(),
            **_base(req, base),
        )
        return page(items, token)

    return handler


def _create(fn: Callable[..., Any], *, now: bool = True) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        extra: dict[str, Any] = {"now": _ports(req).clock()} if now else {}
        created = await fn(store=_ports(req).store, principal=req.caller, body=req.body, **extra)
        _changed(req)
        return ok(created, status=201)

    return handler


def _get(fn: Callable[..., Any], param: str, *, base: bool = False) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        item, etag = await fn(
            store=_ports(req).store,
            principal=req.caller,
            **{param: req.params[param]},
            **_base(req, base),
        )
        return ok(item, etag=etag)

    return handler


def _update(
    fn: Callable[..., Any], param: str, *, now: bool = False, base: bool = False
) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        extra: dict[str, Any] = {"now": _ports(req).clock()} if now else {}
        extra.update(_base(req, base))
        item = await fn(
            store=_ports(req).store,
            principal=req.caller,
            body=req.body,
            etag=req.if_match(),
            **{param: req.params[param]},
            **extra,
        )
        _changed(req)
        return ok(item)

    return handler


def _delete(fn: Callable[..., Any], param: str) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        await fn(store=_ports(req).store, principal=req.caller, **{param: req.params[param]})
        _changed(req)
        return Reply(204)

    return handler


def _paged(fn: Callable[..., Any], param: str | None = None) -> Callable[[Request], Any]:
    async def handler(req: Request) -> Reply:
        scope = {param: req.params[param]} if param else {}
        items, token = await fn(
            store=_ports(req).store,
            principal=req.caller,
            limit=req.limit(),
            continuation=req.continuation(),
            **scope,
        )
        return page(items, token)

    return handler


get_timeline = _paged(incidents.get_timeline, "incident_id")
get_alerts = _paged(incidents.get_alerts, "incident_id")
list_teams = _paged(catalog.list_teams)
create_team = _create(catalog.create_team)
get_team = _get(catalog.get_team, "team_id")
update_team = _update(catalog.update_team, "team_id")
delete_team = _delete(catalog.delete_team, "team_id")
list_services = _list_owned(catalog.list_services)
create_service = _create(catalog.create_service)
get_service = _get(catalog.get_service, "service_id")
update_service = _update(catalog.update_service, "service_id")
delete_service = _delete(catalog.delete_service, "service_id")
list_integrations = _list_owned(catalog.list_integrations, base=True)
get_integration = _get(catalog.get_integration, "integration_id", base=True)
update_integration = _update(catalog.update_integration, "integration_id", base=True)
delete_integration = _delete(catalog.delete_integration, "integration_id")
list_policies = _list_owned(catalog.list_policies)
create_policy = _create(catalog.create_policy)
get_policy = _get(catalog.get_policy, "policy_id")
update_policy = _update(catalog.update_policy, "policy_id", now=True)
delete_policy = _delete(catalog.delete_policy, "policy_id")
list_schedules = _list_owned(catalog.list_schedules)
create_schedule = _create(catalog.create_schedule, now=False)
get_schedule = _get(catalog.get_schedule, "schedule_id")
update_schedule = _update(catalog.update_schedule, "schedule_id")
delete_schedule = _delete(catalog.delete_schedule, "schedule_id")


async def openapi(req: Request) -> Reply:
    from shared.api.openapi import document

    return ok(document(API))


# --- the table -------------------------------------------------------------------------------
PAGING = (
    QueryParam(
        "limit", "Items per page, 1..200 (default 50).", "integer", minimum=1, maximum=MAX_LIMIT
    ),
    QueryParam("continuation", "The token from the previous page."),
)
TEAM_FILTER = (QueryParam("team_id", "Only this team's items."),)
RANGE = (
    QueryParam("start", "Range start (default now).", "date-time"),
    QueryParam("end", "Range end (default start + 7 days, at most 93 days).", "date-time"),
)


def _ops() -> list[Operation]:
    o = Operation
    ops = [
        o("GET", "/openapi.json", "openapi", "This document", "meta", openapi, public=True),
        o("GET", "/me", "me", "Who am I", "users", me, response=MeView, roleless=True),
        o(
            "GET",
            "/users",
            "listUsers",
            "Users",
            "users",
            list_users,
            response=UserView,
            is_list=True,
            query=PAGING,
        ),
        o("GET", "/users/{user_id}", "getUser", "A user", "users", get_user, response=UserView),
        o(
            "POST",
            "/me/calendar-link",
            "myCalendarLink",
            "Issue (or replace) the secret subscription URL of my shifts",
            "schedules",
            my_calendar_link,
            response=IcalLink,
            status=201,
        ),
        o(
            "GET",
            "/calendars/users/{user_id}/{token}",
            "subscribedUserCalendar",
            "A person's shifts for calendar apps (secret URL, no sign-in)",
            "schedules",
            subscribed_user_calendar,
            public=True,
            content_type="text/calendar",
        ),
        o(
            "GET",
            "/me/calendar",
            "myCalendar",
            "My shifts across my teams' schedules (iCal)",
            "schedules",
            my_calendar,
            content_type="text/calendar",
        ),
        o(
            "GET",
            "/incidents",
            "listIncidents",
            "Incidents, newest first",
            "incidents",
            list_incidents,
            response=Incident,
            is_list=True,
            query=(
                *PAGING,
                *TEAM_FILTER,
                QueryParam("status", "Comma-separated statuses.", many=True),
                QueryParam("severity", "Comma-separated P1..P5.", many=True),
                QueryParam("service_id", "Only this service."),
                QueryParam("created_after", "Created at or after.", "date-time"),
                QueryParam("created_before", "Created before.", "date-time"),
            ),
        ),
        o(
            "GET",
            "/incidents/{incident_id}",
            "getIncident",
            "An incident",
            "incidents",
            get_incident,
            response=Incident,
        ),
        o(
            "GET",
            "/incidents/{incident_id}/timeline",
            "getTimeline",
            "Its timeline",
            "incidents",
            get_timeline,
            response=TimelineEntry,
            is_list=True,
            query=PAGING,
        ),
        o(
            "GET",
            "/incidents/{incident_id}/alerts",
            "getAlerts",
            "Its alerts",
            "incidents",
            get_alerts,
            is_list=True,
            query=PAGING,
        ),
    ]
    for verb in ACTIONS:
        ops.append(
            o(
                "POST",
                f"/incidents/{{incident_id}}/{verb}",
                f"incident_{verb}",
                f"Incident action: {verb}",
                "incidents",
                incident_action(verb),
                body=ACTION_BODIES.get(verb),
                response=Incident,
            )
        )
    ops += [
        o(
            "GET",
            "/teams",
            "listTeams",
            "Teams",
            "teams",
            list_teams,
            response=Team,
            is_list=True,
            query=PAGING,
        ),
        o(
            "POST",
            "/teams",
            "createTeam",
            "Create a team",
            "teams",
            create_team,
            body=catalog.TeamBody,
            response=Team,
            status=201,
        ),
        o("GET", "/teams/{team_id}", "getTeam", "A team", "teams", get_team, response=Team),
        o(
            "PUT",
            "/teams/{team_id}",
            "updateTeam",
            "Change a team",
            "teams",
            update_team,
            body=catalog.TeamBody,
            response=Team,
        ),
        o(
            "DELETE",
            "/teams/{team_id}",
            "deleteTeam",
            "Delete a team",
            "teams",
            delete_team,
            status=204,
        ),
        o(
            "GET",
            "/teams/{team_id}/members",
            "listMembers",
            "Members",
            "teams",
            list_members,
            response=UserView,
            is_list=True,
            query=PAGING,
        ),
        o(
            "PUT",
            "/teams/{team_id}/members/{user_id}",
            "putMember",
            "Add or change a member",
            "teams",
            put_member,
            body=catalog.MembershipBody,
            response=UserView,
        ),
        o(
            "DELETE",
            "/teams/{team_id}/members/{user_id}",
            "deleteMember",
            "Remove a member",
            "teams",
            delete_member,
            status=204,
        ),
        o(
            "GET",
            "/services",
            "listServices",
            "Services",
            "services",
            list_services,
            response=Service,
            is_list=True,
            query=(*PAGING, *TEAM_FILTER),
        ),
        o(
            "POST",
            "/services",
            "createService",
            "Create a service",
            "services",
            create_service,
            body=catalog.ServiceBody,
            response=Service,
            status=201,
        ),
        o(
            "GET",
            "/services/{service_id}",
            "getService",
            "A service",
            "services",
            get_service,
            response=Service,
        ),
        o(
            "PUT",
            "/services/{service_id}",
            "updateService",
            "Change a service",
            "services",
            update_service,
            body=catalog.ServiceBody,
            response=Service,
        ),
        o(
            "DELETE",
            "/services/{service_id}",
            "deleteService",
            "Delete a service",
            "services",
            delete_service,
            status=204,
        ),
        o(
            "GET",
            "/integrations",
            "listIntegrations",
            "Integrations",
            "integrations",
            list_integrations,
            response=catalog.IntegrationRead,
            is_list=True,
            query=(*PAGING, *TEAM_FILTER),
        ),
        o(
            "POST",
            "/integrations",
            "createIntegration",
            "Create an integration (key shown once)",
            "integrations",
            create_integration,
            body=catalog.IntegrationBody,
            response=catalog.IntegrationCreated,
            status=201,
        ),
        o(
            "GET",
            "/integrations/{integration_id}",
            "getIntegration",
            "An integration",
            "integrations",
            get_integration,
            response=catalog.IntegrationRead,
        ),
        o(
            "PUT",
            "/integrations/{integration_id}",
            "updateIntegration",
            "Change an integration",
            "integrations",
            update_integration,
            body=catalog.IntegrationBody,
            response=catalog.IntegrationRead,
        ),
        o(
            "POST",
            "/integrations/{integration_id}/rotate",
            "rotateIntegrationKey",
            "Issue a new key (the old one stops working)",
            "integrations",
            rotate_integration,
            response=catalog.IntegrationCreated,
        ),
        o(
            "DELETE",
            "/integrations/{integration_id}",
            "deleteIntegration",
            "Delete an integration",
            "integrations",
            delete_integration,
            status=204,
        ),
        o(
            "GET",
            "/integrations/{integration_id}/routes",
            "listRoutes",
            "Routes, in order",
            "integrations",
            list_routes,
            response=Route,
            is_list=True,
        ),
        o(
            "POST",
            "/integrations/{integration_id}/routes",
            "createRoute",
            "Add a route",
            "integrations",
            create_route,
            body=catalog.RouteBody,
            response=Route,
            status=201,
        ),
        o(
            "DELETE",
            "/integrations/{integration_id}/routes/{route_id}",
            "deleteRoute",
            "Delete a route",
            "integrations",
            delete_route,
            status=204,
        ),
        o(
            "GET",
            "/escalation-policies",
            "listPolicies",
            "Escalation policies",
            "escalation",
            list_policies,
            response=Policy,
            is_list=True,
            query=(*PAGING, *TEAM_FILTER),
        ),
        o(
            "POST",
            "/escalation-policies",
            "createPolicy",
            "Create a policy",
            "escalation",
            create_policy,
            body=PolicyBody,
            response=Policy,
            status=201,
        ),
        o(
            "GET",
            "/escalation-policies/{policy_id}",
            "getPolicy",
            "A policy",
            "escalation",
            get_policy,
            response=Policy,
        ),
        o(
            "PUT",
            "/escalation-policies/{policy_id}",
            "updatePolicy",
            "Change a policy (a new version)",
            "escalation",
            update_policy,
            body=PolicyBody,
            response=Policy,
        ),
        o(
            "DELETE",
            "/escalation-policies/{policy_id}",
            "deletePolicy",
            "Delete a policy",
            "escalation",
            delete_policy,
            status=204,
        ),
        o(
            "GET",
            "/schedules",
            "listSchedules",
            "Schedules",
            "schedules",
            list_schedules,
            response=ListedSchedule,
            is_list=True,
            query=(*PAGING, *TEAM_FILTER),
        ),
        o(
            "POST",
            "/schedules",
            "createSchedule",
            "Create a schedule",
            "schedules",
            create_schedule,
            body=catalog.ScheduleBody,
            response=Schedule,
            status=201,
        ),
        o(
            "GET",
            "/schedules/{schedule_id}",
            "getSchedule",
            "A schedule",
            "schedules",
            get_schedule,
            response=Schedule,
        ),
        o(
            "PUT",
            "/schedules/{schedule_id}",
            "updateSchedule",
            "Change a schedule",
            "schedules",
            update_schedule,
            body=catalog.ScheduleBody,
            response=Schedule,
        ),
        o(
            "DELETE",
            "/schedules/{schedule_id}",
            "deleteSchedule",
            "Delete a schedule",
            "schedules",
            delete_schedule,
            status=204,
        ),
        o(
            "GET",
            "/schedules/{schedule_id}/oncall",
            "whoIsOnCall",
            "Who is on call",
            "schedules",
            oncall,
            response=OnCall,
            query=(QueryParam("at", "When (default now).", "date-time"),),
        ),
        o(
            "GET",
            "/schedules/{schedule_id}/final",
            "finalSchedule",
            "Merged shifts with gaps",
            "schedules",
            final,
            response=Shift,
            is_list=True,
            query=RANGE,
        ),
        o(
            "GET",
            "/schedules/{schedule_id}/ical",
            "scheduleIcal",
            "The shifts as iCalendar",
            "schedules",
            ical,
            query=RANGE,
            content_type="text/calendar",
        ),
        o(
            "GET",
            "/me/contact-methods",
            "listContactMethods",
            "My contact methods",
            "notifications",
            list_contact_methods,
            response=ContactMethodView,
            is_list=True,
        ),
        o(
            "POST",
            "/me/contact-methods",
            "addContactMethod",
            "Add a contact method (e-mail and SMS get a verification code)",
            "notifications",
            add_contact_method,
            body=ContactMethodBody,
            response=ContactMethodView,
            status=201,
        ),
        o(
            "POST",
            "/me/contact-methods/{method_id}/verify",
            "verifyContactMethod",
            "Confirm a contact method with its code",
            "notifications",
            verify_contact_method,
            body=CodeBody,
            response=ContactMethodView,
        ),
        o(
            "DELETE",
            "/me/contact-methods/{method_id}",
            "deleteContactMethod",
            "Remove a contact method",
            "notifications",
            delete_contact_method,
            status=204,
        ),
        o(
            "GET",
            "/me/notification-rules",
            "getNotificationRules",
            "My notification rules",
            "notifications",
            get_rules,
            response=NotificationRules,
        ),
        o(
            "PUT",
            "/me/notification-rules",
            "putNotificationRules",
            "Replace my notification rules",
            "notifications",
            put_rules,
            body=NotificationRules,
            response=NotificationRules,
        ),
        o(
            "GET",
            "/me/deliveries",
            "myDeliveries",
            "Notifications sent to me",
            "notifications",
            my_deliveries,
            response=DeliveryAttempt,
            is_list=True,
            query=PAGING,
        ),
        o(
            "GET",
            "/incidents/{incident_id}/deliveries",
            "incidentDeliveries",
            "Notifications sent for an incident",
            "incidents",
            incident_deliveries,
            response=DeliveryAttempt,
            is_list=True,
            query=PAGING,
        ),
        o(
            "GET",
            "/webhooks",
            "listWebhooks",
            "Outgoing webhooks",
            "notifications",
            list_webhooks,
            response=WebhookView,
            is_list=True,
            query=(*PAGING, *TEAM_FILTER),
        ),
        o(
            "POST",
            "/webhooks",
            "createWebhook",
            "Create an outgoing webhook (secret once)",
            "notifications",
            create_webhook,
            body=WebhookBody,
            response=WebhookCreated,
            status=201,
        ),
        o(
            "DELETE",
            "/webhooks/{webhook_id}",
            "deleteWebhook",
            "Delete an outgoing webhook",
            "notifications",
            delete_webhook,
            status=204,
        ),
        o(
            "POST",
            "/schedules/{schedule_id}/swaps",
            "requestSwap",
            "Ask someone to take part of my shift",
            "schedules",
            request_swap,
            body=SwapBody,
            response=ShiftSwap,
            status=201,
        ),
        o(
            "POST",
            "/schedules/{schedule_id}/swaps/{swap_id}",
            "decideSwap",
            "Accept, decline or cancel a swap (accepted: an override)",
            "schedules",
            decide_swap,
            body=SwapDecision,
            response=ShiftSwap,
        ),
        o(
            "POST",
            "/schedules/{schedule_id}/ical-import",
            "importIcal",
            "Import an external calendar's shifts as overrides",
            "schedules",
            import_ical,
            body=IcalImportBody,
            response=ImportResult,
        ),
        o(
            "POST",
            "/schedules/{schedule_id}/ical-link",
            "issueIcalLink",
            "Issue (or replace) the calendar subscription URL",
            "schedules",
            ical_link,
            response=IcalLink,
            status=201,
        ),
        o(
            "GET",
            "/calendars/{schedule_id}/{token}",
            "subscribedCalendar",
            "A schedule's shifts for calendar apps (secret URL, no sign-in)",
            "schedules",
            subscribed_ical,
            public=True,
            content_type="text/calendar",
        ),
        o(
            "GET",
            "/api-keys",
            "listApiKeys",
            "API keys",
            "api-keys",
            list_api_keys,
            response=ApiKeyRead,
            is_list=True,
            query=PAGING,
        ),
        o(
            "POST",
            "/api-keys",
            "createApiKey",
            "Create an API key (secret shown once)",
            "api-keys",
            create_api_key,
            body=ApiKeyCreate,
            response=CreatedApiKey,
            status=201,
        ),
        o(
            "GET",
            "/api-keys/{key_id}",
            "getApiKey",
            "An API key",
            "api-keys",
            get_api_key,
            response=ApiKeyRead,
        ),
        o(
            "POST",
            "/api-keys/{key_id}/revoke",
            "revokeApiKey",
            "Revoke an API key",
            "api-keys",
            revoke_api_key,
            response=ApiKeyRead,
        ),
        *schedule_api.OPERATIONS,
    ]
    return ops


API = Api([*_ops(), *changes_api.operations()])
