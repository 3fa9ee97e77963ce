"""Configuration use cases: teams, services, integrations, routes.

Every write checks ``Action.CONFIGURE`` on the owning team(s) — moving a service to another team
needs the right on both — and reads check ``Action.READ``. Updates are guarded by the document's
ETag when the caller sends ``If-Match`` (412 on a stale one). Ids are generated here
(``<kind>-<random>``), never taken from the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.auth.access import require, team_scope
from shared.auth.keys import INTEGRATION_KEY
from shared.auth.membership import set_team_role
from shared.auth.models import Action, Principal, TeamRole, User
from shared.auth.owned import get_doc, list_owned, model_of, new_id
from shared.auth.service import list_team_members
from shared.catalog.models import (
    MAX_ROUTES,
    Integration,
    IntegrationBody,
    IntegrationSettings,
    Route,
    RouteBody,
    Service,
    ServiceBody,
    SourceFormat,
    Team,
    TeamBody,
)
from shared.catalog.references import check_references, policy_ref
from shared.catalog.setup import KEY_PLACEHOLDER, SenderSetup, sender_setup
from shared.catalog.stored import INTEGRATIONS, ROUTES, SERVICES, TEAMS
from shared.errors import Conflict, InvalidInput, NotFound
from shared.redact import restore_secrets
from shared.store.codec import to_doc
from shared.store.port import Condition, Doc, DocumentStore, eq, in_


# --- answers ---------------------------------------------------------------------------------
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
    external_id: str | None = None
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


def _integration_read(integration: Integration, base_url: str = "") -> IntegrationRead:
    read = IntegrationRead.model_validate(integration.model_dump(exclude={"key_hash"}))
    if not base_url:
        return read
    return read.model_copy(update={"setup": sender_setup(base_url, integration, KEY_PLACEHOLDER)})


# --- teams and memberships -------------------------------------------------------------------
async def create_team(
    *, store: DocumentStore, principal: Principal, body: TeamBody, now: datetime
) -> Team:
    require(principal, Action.CONFIGURE)
    team = Team(id=new_id("team"), created_at=now, **body.model_dump())
    await store.create(TEAMS, to_doc(team))
    return team


async def get_team(*, store: DocumentStore, principal: Principal, team_id: str) -> tuple[Team, str]:
    doc = await get_doc(store, TEAMS, team_id, "Team")
    require(principal, Action.READ, [team_id])
    return model_of(Team, doc), str(doc["_etag"])


async def list_teams(
    *, store: DocumentStore, principal: Principal, limit: int, continuation: str | None
) -> tuple[list[Team], str | None]:
    scope = team_scope(principal, Action.READ)
    if scope.is_empty:
        return [], None
    where: list[Condition] = [] if scope.all_teams else [in_("id", sorted(scope.team_ids))]
    page = await store.query(TEAMS, where=where, limit=limit, continuation=continuation)
    return [model_of(Team, d) for d in page.items], page.continuation


async def update_team(
    *, store: DocumentStore, principal: Principal, team_id: str, body: TeamBody, etag: str | None
) -> Team:
    doc = await get_doc(store, TEAMS, team_id, "Team")
    require(principal, Action.CONFIGURE, [team_id])
    team = model_of(Team, doc).model_copy(
        update={
            "name": body.name,
            "description": body.description,
            "external_id": body.external_id,
        }
    )
    await store.replace(TEAMS, to_doc(team), if_match=etag or doc["_etag"])
    return team


async def delete_team(*, store: DocumentStore, principal: Principal, team_id: str) -> None:
    await get_doc(store, TEAMS, team_id, "Team")
    require(principal, Action.CONFIGURE)
    services = await store.query(SERVICES, where=[eq("team_id", team_id)], limit=1)
    if services.items:
        raise Conflict("The team still owns services; move or delete them first.")
    await store.delete(TEAMS, team_id, team_id)


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
    await get_doc(store, TEAMS, team_id, "Team")
    require(principal, Action.CONFIGURE, [team_id])
    return await set_team_role(store=store, user_id=user_id, team_id=team_id, role=role, now=now)


async def service_name(store: DocumentStore, service_id: str) -> str:
    """A service's display name for messages and cards (its id when it is gone)."""
    doc = await store.get(SERVICES, service_id, service_id)
    return str(doc.get("name", service_id)) if doc else service_id


# --- services --------------------------------------------------------------------------------
async def create_service(
    *, store: DocumentStore, principal: Principal, body: ServiceBody, now: datetime
) -> Service:
    require(principal, Action.CONFIGURE, [body.team_id])
    await get_doc(store, TEAMS, body.team_id, "Team")
    await check_references(store, team_id=body.team_id, refs=policy_ref(body.escalation_policy_id))
    service = Service(id=new_id("svc"), created_at=now, **body.model_dump())
    await store.create(SERVICES, to_doc(service))
    return service


async def get_service(
    *, store: DocumentStore, principal: Principal, service_id: str
) -> tuple[Service, str]:
    doc = await get_doc(store, SERVICES, service_id, "Service")
    service = model_of(Service, doc)
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
    return await list_owned(
        store,
        SERVICES,
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
    doc = await get_doc(store, SERVICES, service_id, "Service")
    old = model_of(Service, doc)
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await check_references(store, team_id=body.team_id, refs=policy_ref(body.escalation_policy_id))
    service = old.model_copy(update=body.model_dump())
    await store.replace(SERVICES, to_doc(service), if_match=etag or doc["_etag"])
    return service


async def delete_service(*, store: DocumentStore, principal: Principal, service_id: str) -> None:
    service, _ = await get_service(store=store, principal=principal, service_id=service_id)
    require(principal, Action.CONFIGURE, [service.team_id])
    integrations = await store.query(INTEGRATIONS, where=[eq("service_id", service_id)], limit=1)
    if integrations.items:
        raise Conflict("The service still has integrations; delete them first.")
    await store.delete(SERVICES, service_id, service_id)


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
    service_doc = await get_doc(store, SERVICES, body.service_id, "Service")
    service = model_of(Service, service_doc)
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
    await store.create(INTEGRATIONS, to_doc(integration))
    return IntegrationCreated(
        integration=_integration_read(integration),
        key=issued.secret,
        ingest_url=ingest_url(base_url, integration, issued.secret),
        setup=sender_setup(base_url, integration, issued.secret),
    )


async def _integration(
    store: DocumentStore, principal: Principal, integration_id: str, right: Action
) -> tuple[Integration, Doc]:
    doc = await get_doc(store, INTEGRATIONS, integration_id, "Integration")
    integration = model_of(Integration, doc)
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
    fmt: SourceFormat | None = None,
) -> tuple[list[IntegrationRead], str | None]:
    """``fmt``: only integrations of that format (the heartbeats page)."""
    items, token = await list_owned(
        store,
        INTEGRATIONS,
        Integration,
        principal,
        team_id=team_id,
        where=[eq("format", fmt)] if fmt else [],
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
    service = model_of(Service, await get_doc(store, SERVICES, body.service_id, "Service"))
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
    await store.replace(INTEGRATIONS, to_doc(updated), if_match=etag or doc["_etag"])
    return _integration_read(updated, base_url)


async def rotate_integration_key(
    *, store: DocumentStore, principal: Principal, integration_id: str, base_url: str
) -> IntegrationCreated:
    """A new key; the old one stops working at once (and within the lookup cache TTL on other
    instances)."""
    old, doc = await _integration(store, principal, integration_id, Action.CONFIGURE)
    issued = INTEGRATION_KEY.issue()
    updated = old.model_copy(update={"key_prefix": issued.key_id, "key_hash": issued.key_hash})
    await store.replace(INTEGRATIONS, to_doc(updated), if_match=doc["_etag"])
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
    await store.delete(INTEGRATIONS, integration_id, integration_id)


# --- routes ----------------------------------------------------------------------------------
async def list_routes(
    *, store: DocumentStore, principal: Principal, integration_id: str
) -> list[Route]:
    await _integration(store, principal, integration_id, Action.READ)
    return await routes_of(store, integration_id)


async def routes_of(store: DocumentStore, integration_id: str) -> list[Route]:
    """An integration's routes in evaluation order (at most MAX_ROUTES: one query)."""
    page = await store.query(ROUTES, where=[eq("integration_id", integration_id)], limit=MAX_ROUTES)
    return sorted((model_of(Route, d) for d in page.items), key=lambda r: r.position)


async def _incident_team(
    store: DocumentStore, integration: Integration, service_id: str | None
) -> str:
    """The team a route's incidents belong to: that of the service it routes to."""
    if not service_id:
        return integration.team_id
    return model_of(Service, await get_doc(store, SERVICES, service_id, "Service")).team_id


async def create_route(
    *, store: DocumentStore, principal: Principal, integration_id: str, body: RouteBody
) -> Route:
    integration, _ = await _integration(store, principal, integration_id, Action.CONFIGURE)
    incident_team = await _incident_team(store, integration, body.service_id)
    require(principal, Action.CONFIGURE, {integration.team_id, incident_team})
    await check_references(store, team_id=incident_team, refs=policy_ref(body.escalation_policy_id))
    if len(await routes_of(store, integration_id)) >= MAX_ROUTES:
        raise Conflict(f"An integration has at most {MAX_ROUTES} routes; delete one first.")
    route = Route(id=new_id("route"), integration_id=integration_id, **body.model_dump())
    await store.create(ROUTES, to_doc(route))
    return route


async def delete_route(
    *, store: DocumentStore, principal: Principal, integration_id: str, route_id: str
) -> None:
    await _integration(store, principal, integration_id, Action.CONFIGURE)
    await _route(store, integration_id, route_id)
    await store.delete(ROUTES, route_id, route_id)


async def _route(store: DocumentStore, integration_id: str, route_id: str) -> tuple[Route, Doc]:
    doc = await get_doc(store, ROUTES, route_id, "Route")
    if doc.get("integration_id") != integration_id:
        raise NotFound(f"Route {route_id!r} does not belong to this integration.")
    return model_of(Route, doc), doc


async def update_route(
    *,
    store: DocumentStore,
    principal: Principal,
    integration_id: str,
    route_id: str,
    body: RouteBody,
    etag: str | None,
) -> Route:
    """Replace a route (conditions, target, position...). Moving a route's incidents from one
    team to another needs the configure right on both, as moving a service does."""
    integration, _ = await _integration(store, principal, integration_id, Action.CONFIGURE)
    old, doc = await _route(store, integration_id, route_id)
    old_team = await _incident_team(store, integration, old.service_id)
    new_team = await _incident_team(store, integration, body.service_id)
    require(principal, Action.CONFIGURE, {integration.team_id, old_team, new_team})
    await check_references(store, team_id=new_team, refs=policy_ref(body.escalation_policy_id))
    # The order is changed only by reorder_routes, which keeps positions distinct.
    route = Route(
        id=old.id, integration_id=integration_id, **{**body.model_dump(), "position": old.position}
    )
    await store.replace(ROUTES, to_doc(route), if_match=etag or doc["_etag"])
    return route


async def reorder_routes(
    *, store: DocumentStore, principal: Principal, integration_id: str, route_ids: list[str]
) -> list[Route]:
    """Give the routes the positions 0, 1, 2... in the order of ``route_ids``, which must name
    each of the integration's routes once (so a reorder never drops or duplicates one, and two
    routes never share a position and leave their order to their ids)."""
    await _integration(store, principal, integration_id, Action.CONFIGURE)
    page = await store.query(ROUTES, where=[eq("integration_id", integration_id)], limit=MAX_ROUTES)
    docs = {str(d["id"]): d for d in page.items}
    routes = [model_of(Route, d) for d in docs.values()]
    if sorted(route_ids) != sorted(r.id for r in routes):
        raise InvalidInput(
            "route_ids must list each of the integration's routes exactly once.",
            field="route_ids",
        )
    by_id = {r.id: r for r in routes}
    ordered = []
    for position, rid in enumerate(route_ids):
        route = by_id[rid]
        if route.position != position:
            route = route.model_copy(update={"position": position})
            # With the ETag read: an edit saved meanwhile is a 412, never silently undone.
            await store.replace(ROUTES, to_doc(route), if_match=str(docs[rid]["_etag"]))
        ordered.append(route)
    return ordered
