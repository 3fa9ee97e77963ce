"""Configuration use cases: teams, services, integrations, routes, policies, schedules.

Every write checks ``Action.CONFIGURE`` on the owning team(s) — moving a service to another team
needs the right on both — and reads check ``Action.READ``. Updates are guarded by the document's
ETag when the caller sends ``If-Match`` (412 on a stale one). Ids are generated here
(``<kind>-<random>``), never taken from the caller.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.auth.access import require, team_scope
from shared.auth.keys import INTEGRATION_KEY
from shared.auth.models import Action, Principal, TeamRole, User
from shared.auth.service import list_team_members, set_team_role
from shared.catalog.models import (
    MAX_ROUTES,
    Integration,
    IntegrationSettings,
    Name,
    Route,
    RouteCondition,
    Service,
    SourceFormat,
    Team,
)
from shared.catalog.references import (
    check_references,
    policy_ref,
    policy_refs,
    schedule_refs,
)
from shared.catalog.setup import KEY_PLACEHOLDER, SenderSetup, sender_setup
from shared.errors import Conflict, InvalidInput, NotFound
from shared.escalation.models import Policy, PolicyBody
from shared.redact import restore_secrets
from shared.schedules import limits, stored
from shared.schedules.models import Layer, OnCall, Schedule, Shift, check_density
from shared.schedules.people import layer_people, require_people
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import from_doc, to_doc
from shared.store.port import Condition, Doc, DocumentStore, eq, in_

M = TypeVar("M", bound=BaseModel)

#: Longest range ``/schedules/{id}/final`` computes (a quarter): bounded work per request.
MAX_FINAL_RANGE = timedelta(days=93)


def new_id(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(8)}"


# --- request bodies --------------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TeamBody(_Body):
    name: Name
    description: str = Field(default="", max_length=2000)


class MembershipBody(_Body):
    role: TeamRole


class ServiceBody(_Body):
    name: Name
    team_id: str = Field(min_length=1, max_length=100)
    escalation_policy_id: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", max_length=2000)


class IntegrationBody(_Body):
    name: Name
    service_id: str = Field(min_length=1, max_length=100)
    format: SourceFormat
    settings: IntegrationSettings = Field(default_factory=IntegrationSettings)
    on_refire: Literal["reopen", "new_incident"] = "new_incident"
    rate_limit_per_minute: int = Field(default=300, ge=1, le=100_000)
    rate_limit_burst: int = Field(default=100, ge=1, le=100_000)
    enabled: bool = True


class IntegrationRead(BaseModel):
    """An integration as the API shows it: never the key or its hash."""

    id: str
    name: str
    service_id: str
    team_id: str
    format: SourceFormat
    key_prefix: str
    settings: IntegrationSettings
    on_refire: Literal["reopen", "new_incident"]
    rate_limit_per_minute: int
    rate_limit_burst: int
    enabled: bool
    created_at: datetime | None
    setup: SenderSetup | None = Field(
        default=None,
        description="What to paste into each sender, with the key as the placeholder "
        f"{KEY_PLACEHOLDER} (the key itself is shown only at creation and rotation).",
    )


class IntegrationCreated(BaseModel):
    """The only time the integration key is shown; store it in the sender's configuration."""

    integration: IntegrationRead
    key: str
    ingest_url: str
    #: What to paste into each sender (URLs, the key's place, config snippets).
    setup: SenderSetup


class RouteBody(_Body):
    name: str = Field(default="", max_length=200)
    position: int = Field(ge=0, le=1000)
    conditions: tuple[RouteCondition, ...] = Field(min_length=1, max_length=50)
    match: Literal["all", "any"] = "all"
    service_id: str | None = None
    escalation_policy_id: str | None = None
    page: bool = True
    severity: Literal["P1", "P2", "P3", "P4", "P5"] | None = None


#: Fields of a schedule as read that a PUT or POST ignores.
SCHEDULE_READ_ONLY = frozenset(
    {"id", "version", "overrides", "swaps", "ical_token_hash", "problems"}
)


class ScheduleBody(_Body):
    name: Name
    team_id: str = Field(min_length=1, max_length=100)
    time_zone: str
    #: Overrides are not part of the body: they are their own resource
    #: (``/schedules/{id}/overrides``), so an edit of the layers never replaces them.
    layers: tuple[Layer, ...] = Field(default=(), max_length=20)
    #: A schedule read with GET can be saved back as it is: the parts that have their own
    #: endpoints (or are the server's) are ignored rather than refused (see ``parse_body``).
    read_only: ClassVar[frozenset[str]] = SCHEDULE_READ_ONLY

    @model_validator(mode="after")
    def _density(self) -> ScheduleBody:
        check_density(self.layers)
        return self


def _integration_read(integration: Integration, base_url: str = "") -> IntegrationRead:
    read = IntegrationRead.model_validate(integration.model_dump(exclude={"key_hash"}))
    if not base_url:
        return read
    return read.model_copy(update={"setup": sender_setup(base_url, integration, KEY_PLACEHOLDER)})


# --- generic document helpers --------------------------------------------------------------
async def _get(store: DocumentStore, container: str, doc_id: str, what: str) -> Doc:
    doc = await store.get(container, doc_id, doc_id)
    if doc is None:
        raise NotFound(f"{what} {doc_id!r} does not exist.")
    return doc


def _model(model: type[M], doc: Doc) -> M:
    return from_doc(model, {k: v for k, v in doc.items() if k != "pk"})


async def _list(
    store: DocumentStore,
    container: str,
    model: type[M],
    principal: Principal,
    *,
    team_id: str | None,
    where: Sequence[Condition] = (),
    limit: int,
    continuation: str | None,
    read: Callable[[Doc], M] | None = None,
) -> tuple[list[M], str | None]:
    scope = team_scope(principal, Action.READ)
    conditions = list(where)
    if team_id is not None:
        require(principal, Action.READ, [team_id])
        conditions.append(eq("team_id", team_id))
    elif not scope.all_teams:
        if not scope.team_ids:
            return [], None
        conditions.append(in_("team_id", sorted(scope.team_ids)))
    page = await store.query(container, where=conditions, limit=limit, continuation=continuation)
    if read is None:
        return [_model(model, d) for d in page.items], page.continuation
    return [read(d) for d in page.items], page.continuation


async def list_documents(
    *,
    store: DocumentStore,
    principal: Principal,
    container: str,
    model: type[M],
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[M], str | None]:
    """Team-owned documents the caller may read (webhooks and the like)."""
    return await _list(
        store, container, model, principal, team_id=team_id, limit=limit, continuation=continuation
    )


# --- teams and memberships -------------------------------------------------------------------
async def create_team(
    *, store: DocumentStore, principal: Principal, body: TeamBody, now: datetime
) -> Team:
    require(principal, Action.CONFIGURE)
    team = Team(id=new_id("team"), name=body.name, description=body.description, created_at=now)
    await store.create("teams", to_doc(team))
    return team


async def get_team(*, store: DocumentStore, principal: Principal, team_id: str) -> tuple[Team, str]:
    doc = await _get(store, "teams", team_id, "Team")
    require(principal, Action.READ, [team_id])
    return _model(Team, doc), str(doc["_etag"])


async def list_teams(
    *, store: DocumentStore, principal: Principal, limit: int, continuation: str | None
) -> tuple[list[Team], str | None]:
    scope = team_scope(principal, Action.READ)
    if scope.is_empty:
        return [], None
    where: list[Condition] = [] if scope.all_teams else [in_("id", sorted(scope.team_ids))]
    page = await store.query("teams", where=where, limit=limit, continuation=continuation)
    return [_model(Team, d) for d in page.items], page.continuation


async def update_team(
    *, store: DocumentStore, principal: Principal, team_id: str, body: TeamBody, etag: str | None
) -> Team:
    doc = await _get(store, "teams", team_id, "Team")
    require(principal, Action.CONFIGURE, [team_id])
    team = _model(Team, doc).model_copy(update={"name": body.name, "description": body.description})
    await store.replace("teams", to_doc(team), if_match=etag or doc["_etag"])
    return team


async def delete_team(*, store: DocumentStore, principal: Principal, team_id: str) -> None:
    await _get(store, "teams", team_id, "Team")
    require(principal, Action.CONFIGURE)
    services = await store.query("services", where=[eq("team_id", team_id)], limit=1)
    if services.items:
        raise Conflict("The team still owns services; move or delete them first.")
    await store.delete("teams", team_id, team_id)


async def list_members(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str,
    limit: int,
    continuation: str | None,
) -> tuple[list[User], str | None]:
    await get_team(store=store, principal=principal, team_id=team_id)
    return await list_team_members(
        store=store, team_id=team_id, limit=limit, continuation=continuation
    )


async def set_member(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str,
    user_id: str,
    role: TeamRole | None,
    now: datetime,
) -> User:
    await _get(store, "teams", team_id, "Team")
    require(principal, Action.CONFIGURE, [team_id])
    return await set_team_role(store=store, user_id=user_id, team_id=team_id, role=role, now=now)


async def service_name(store: DocumentStore, service_id: str) -> str:
    """A service's display name for messages and cards (its id when it is gone)."""
    doc = await store.get("services", service_id, service_id)
    return str(doc.get("name", service_id)) if doc else service_id


# --- services --------------------------------------------------------------------------------
async def create_service(
    *, store: DocumentStore, principal: Principal, body: ServiceBody, now: datetime
) -> Service:
    require(principal, Action.CONFIGURE, [body.team_id])
    await _get(store, "teams", body.team_id, "Team")
    await check_references(store, team_id=body.team_id, refs=policy_ref(body.escalation_policy_id))
    service = Service(id=new_id("svc"), created_at=now, **body.model_dump())
    await store.create("services", to_doc(service))
    return service


async def get_service(
    *, store: DocumentStore, principal: Principal, service_id: str
) -> tuple[Service, str]:
    doc = await _get(store, "services", service_id, "Service")
    service = _model(Service, doc)
    require(principal, Action.READ, [service.team_id])
    return service, str(doc["_etag"])


async def list_services(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[Service], str | None]:
    return await _list(
        store,
        "services",
        Service,
        principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
    )


async def update_service(
    *,
    store: DocumentStore,
    principal: Principal,
    service_id: str,
    body: ServiceBody,
    etag: str | None,
) -> Service:
    doc = await _get(store, "services", service_id, "Service")
    old = _model(Service, doc)
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await check_references(store, team_id=body.team_id, refs=policy_ref(body.escalation_policy_id))
    service = old.model_copy(update=body.model_dump())
    await store.replace("services", to_doc(service), if_match=etag or doc["_etag"])
    return service


async def delete_service(*, store: DocumentStore, principal: Principal, service_id: str) -> None:
    service, _ = await get_service(store=store, principal=principal, service_id=service_id)
    require(principal, Action.CONFIGURE, [service.team_id])
    integrations = await store.query("integrations", where=[eq("service_id", service_id)], limit=1)
    if integrations.items:
        raise Conflict("The service still has integrations; delete them first.")
    await store.delete("services", service_id, service_id)


# --- integrations ----------------------------------------------------------------------------
def ingest_url(base_url: str, integration: Integration, key: str) -> str:
    if integration.format == "pagerduty":
        return f"{base_url}/api/pagerduty/v2/enqueue"
    if integration.format == "opsgenie":
        return f"{base_url}/api/opsgenie/v2/alerts"
    if integration.format == "heartbeat":
        return f"{base_url}/api/integrations/{key}/heartbeat"
    return f"{base_url}/api/integrations/{key}"


async def create_integration(
    *,
    store: DocumentStore,
    principal: Principal,
    body: IntegrationBody,
    now: datetime,
    base_url: str,
) -> IntegrationCreated:
    service_doc = await _get(store, "services", body.service_id, "Service")
    service = _model(Service, service_doc)
    require(principal, Action.CONFIGURE, [service.team_id])
    issued = INTEGRATION_KEY.issue()
    integration = Integration(
        id=new_id("int"),
        team_id=service.team_id,
        key_prefix=issued.key_id,
        key_hash=issued.key_hash,
        created_at=now,
        **body.model_dump(),
    )
    await store.create("integrations", to_doc(integration))
    return IntegrationCreated(
        integration=_integration_read(integration),
        key=issued.secret,
        ingest_url=ingest_url(base_url, integration, issued.secret),
        setup=sender_setup(base_url, integration, issued.secret),
    )


async def _integration(
    store: DocumentStore, principal: Principal, integration_id: str, right: Action
) -> tuple[Integration, Doc]:
    doc = await _get(store, "integrations", integration_id, "Integration")
    integration = _model(Integration, doc)
    require(principal, right, [integration.team_id])
    return integration, doc


async def get_integration(
    *, store: DocumentStore, principal: Principal, integration_id: str, base_url: str = ""
) -> tuple[IntegrationRead, str]:
    integration, doc = await _integration(store, principal, integration_id, Action.READ)
    return _integration_read(integration, base_url), str(doc["_etag"])


async def list_integrations(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
    base_url: str = "",
) -> tuple[list[IntegrationRead], str | None]:
    items, token = await _list(
        store,
        "integrations",
        Integration,
        principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
    )
    return [_integration_read(i, base_url) for i in items], token


async def update_integration(
    *,
    store: DocumentStore,
    principal: Principal,
    integration_id: str,
    body: IntegrationBody,
    etag: str | None,
    base_url: str = "",
) -> IntegrationRead:
    old, doc = await _integration(store, principal, integration_id, Action.CONFIGURE)
    service = _model(Service, await _get(store, "services", body.service_id, "Service"))
    require(principal, Action.CONFIGURE, {old.team_id, service.team_id})
    if body.format != old.format:
        raise InvalidInput(
            "An integration's format cannot change; create a new one.", field="format"
        )
    # A client that sends back what it read sends hints for the secrets: keep those.
    body = restore_secrets(body, old)
    # Validated, not model_copy: the nested settings must stay a model, whose write-only
    # fields the API answers redact.
    updated = Integration.model_validate(
        {**old.model_dump(), **body.model_dump(), "team_id": service.team_id}
    )
    await store.replace("integrations", to_doc(updated), if_match=etag or doc["_etag"])
    return _integration_read(updated, base_url)


async def rotate_integration_key(
    *, store: DocumentStore, principal: Principal, integration_id: str, base_url: str
) -> IntegrationCreated:
    """A new key; the old one stops working at once (and within the lookup cache TTL on other
    instances)."""
    old, doc = await _integration(store, principal, integration_id, Action.CONFIGURE)
    issued = INTEGRATION_KEY.issue()
    updated = old.model_copy(update={"key_prefix": issued.key_id, "key_hash": issued.key_hash})
    await store.replace("integrations", to_doc(updated), if_match=doc["_etag"])
    return IntegrationCreated(
        integration=_integration_read(updated),
        key=issued.secret,
        ingest_url=ingest_url(base_url, updated, issued.secret),
        setup=sender_setup(base_url, updated, issued.secret),
    )


async def delete_integration(
    *, store: DocumentStore, principal: Principal, integration_id: str
) -> None:
    await _integration(store, principal, integration_id, Action.CONFIGURE)
    await store.delete("integrations", integration_id, integration_id)


# --- routes ----------------------------------------------------------------------------------
async def list_routes(
    *, store: DocumentStore, principal: Principal, integration_id: str
) -> list[Route]:
    await _integration(store, principal, integration_id, Action.READ)
    return await routes_of(store, integration_id)


async def routes_of(store: DocumentStore, integration_id: str) -> list[Route]:
    """An integration's routes in evaluation order (at most MAX_ROUTES: one query)."""
    page = await store.query(
        "routes", where=[eq("integration_id", integration_id)], limit=MAX_ROUTES
    )
    return sorted((_model(Route, d) for d in page.items), key=lambda r: r.position)


async def create_route(
    *, store: DocumentStore, principal: Principal, integration_id: str, body: RouteBody
) -> Route:
    integration, _ = await _integration(store, principal, integration_id, Action.CONFIGURE)
    # The route's incidents belong to the team of the service it routes to.
    incident_team = integration.team_id
    if body.service_id:
        incident_team = _model(
            Service, await _get(store, "services", body.service_id, "Service")
        ).team_id
    require(principal, Action.CONFIGURE, {integration.team_id, incident_team})
    await check_references(store, team_id=incident_team, refs=policy_ref(body.escalation_policy_id))
    if len(await routes_of(store, integration_id)) >= MAX_ROUTES:
        raise Conflict(f"An integration has at most {MAX_ROUTES} routes; delete one first.")
    route = Route(id=new_id("route"), integration_id=integration_id, **body.model_dump())
    await store.create("routes", to_doc(route))
    return route


async def delete_route(
    *, store: DocumentStore, principal: Principal, integration_id: str, route_id: str
) -> None:
    await _integration(store, principal, integration_id, Action.CONFIGURE)
    doc = await _get(store, "routes", route_id, "Route")
    if doc.get("integration_id") != integration_id:
        raise NotFound(f"Route {route_id!r} does not belong to this integration.")
    await store.delete("routes", route_id, route_id)


# --- escalation policies ---------------------------------------------------------------------
async def create_policy(
    *, store: DocumentStore, principal: Principal, body: PolicyBody, now: datetime
) -> Policy:
    require(principal, Action.CONFIGURE, [body.team_id])
    await check_references(store, team_id=body.team_id, refs=policy_refs(body))
    policy = Policy(id=new_id("pol"), version=1, updated_at=now, **body.model_dump())
    await store.create("escalation_policies", to_doc(policy))
    return policy


async def get_policy(
    *, store: DocumentStore, principal: Principal, policy_id: str
) -> tuple[Policy, str]:
    doc = await _get(store, "escalation_policies", policy_id, "Escalation policy")
    policy = _model(Policy, doc)
    require(principal, Action.READ, [policy.team_id])
    return policy, str(doc["_etag"])


async def list_policies(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[Policy], str | None]:
    return await _list(
        store,
        "escalation_policies",
        Policy,
        principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
    )


async def update_policy(
    *,
    store: DocumentStore,
    principal: Principal,
    policy_id: str,
    body: PolicyBody,
    etag: str | None,
    now: datetime,
) -> Policy:
    """A new version. Running escalations keep the snapshot they froze when they started."""
    doc = await _get(store, "escalation_policies", policy_id, "Escalation policy")
    old = _model(Policy, doc)
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await check_references(store, team_id=body.team_id, refs=policy_refs(body))
    policy = Policy(id=old.id, version=old.version + 1, updated_at=now, **body.model_dump())
    await store.replace("escalation_policies", to_doc(policy), if_match=etag or doc["_etag"])
    return policy


async def delete_policy(*, store: DocumentStore, principal: Principal, policy_id: str) -> None:
    policy, _ = await get_policy(store=store, principal=principal, policy_id=policy_id)
    require(principal, Action.CONFIGURE, [policy.team_id])
    await store.delete("escalation_policies", policy_id, policy_id)


# --- schedules -------------------------------------------------------------------------------
def _schedule_doc(schedule: Schedule) -> Doc:
    # Layer starts are local wall-clock (naive) times, which the UTC codec refuses by design;
    # the schedule is stored in its own JSON form.
    return {**schedule.model_dump(mode="json"), "pk": schedule.id}


def _stored_schedule(doc: Doc, *, layers_too: bool = True) -> Schedule:
    """A stored schedule. One saved before a rule it now breaks (a FREQ=SECONDLY layer, say)
    answers 409 naming the rule; a PUT (``layers_too=False``) replaces its layers and keeps
    the rest, so it can be fixed without deleting it."""
    if not layers_too:
        try:
            return stored.load(doc)
        except stored.NeedsRepair:
            return stored.load({**doc, "layers": []})
    return stored.load(doc)


async def create_schedule(
    *, store: DocumentStore, principal: Principal, body: ScheduleBody
) -> Schedule:
    require(principal, Action.CONFIGURE, [body.team_id])
    await require_people(store, layer_people(body.layers))
    await check_references(store, team_id=body.team_id, refs=schedule_refs(body.layers, ()))
    schedule = Schedule(id=new_id("sched"), version=1, **body.model_dump())
    await store.create("schedules", _schedule_doc(schedule))
    return schedule


async def get_schedule(
    *, store: DocumentStore, principal: Principal, schedule_id: str
) -> tuple[Schedule, str]:
    doc = await _get(store, "schedules", schedule_id, "Schedule")
    schedule = _stored_schedule(doc)
    require(principal, Action.READ, [schedule.team_id])
    return schedule, str(doc["_etag"])


async def list_schedules(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[stored.ListedSchedule], str | None]:
    """Every schedule answers, one that breaks a newer rule with its ``problems``."""
    return await _list(
        store,
        "schedules",
        stored.ListedSchedule,
        principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
        read=stored.listed,
    )


async def update_schedule(
    *,
    store: DocumentStore,
    principal: Principal,
    schedule_id: str,
    body: ScheduleBody,
    etag: str | None,
) -> Schedule:
    doc = await _get(store, "schedules", schedule_id, "Schedule")
    old = _stored_schedule(doc, layers_too=False)
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await require_people(store, layer_people(body.layers))
    await check_references(store, team_id=body.team_id, refs=schedule_refs(body.layers, ()))
    # Overrides and swaps have their own endpoints and survive edits of the rotation.
    schedule = Schedule(
        id=old.id,
        version=old.version + 1,
        overrides=old.overrides,
        swaps=old.swaps,
        ical_token_hash=old.ical_token_hash,
        **body.model_dump(),
    )
    await store.replace("schedules", _schedule_doc(schedule), if_match=etag or doc["_etag"])
    return schedule


async def delete_schedule(*, store: DocumentStore, principal: Principal, schedule_id: str) -> None:
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    require(principal, Action.CONFIGURE, [schedule.team_id])
    await store.delete("schedules", schedule_id, schedule_id)


async def who_is_on_call(
    *, store: DocumentStore, principal: Principal, schedule_id: str, at: datetime
) -> OnCall:
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    return await limits.compute(on_call, schedule, at)


async def final(
    *, store: DocumentStore, principal: Principal, schedule_id: str, start: datetime, end: datetime
) -> list[Shift]:
    if end <= start:
        raise InvalidInput("end must be after start.", field="end")
    if end - start > MAX_FINAL_RANGE:
        raise InvalidInput(f"The range may span at most {MAX_FINAL_RANGE.days} days.", field="end")
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    return await limits.compute(final_schedule, schedule, start, end)
