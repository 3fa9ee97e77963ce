"""API: teams and their members, services, integrations and their routes. After every write the
catalog cache is cleared, so this instance's next alert sees the change."""

from __future__ import annotations

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, config_changed, ports_of
from shared.api.router import Operation, Reply, Request, ok, page
from shared.api.users import UserView, user_view
from shared.auth.models import TeamRole, User
from shared.catalog import route_trial
from shared.catalog import service as catalog
from shared.catalog.models import (
    IntegrationBody,
    MembershipBody,
    Route,
    RouteBody,
    RouteOrderBody,
    Service,
    ServiceBody,
    Team,
    TeamBody,
)
from shared.catalog.setup import SenderSetup
from shared.pipeline import trial


async def list_members(req: Request) -> Reply:
    users, token = await catalog.list_members(
        store=ports_of(req).store,
        principal=req.caller,
        team_id=req.params["team_id"],
        limit=req.limit(),
        continuation=req.continuation(),
    )
    return page([user_view(u) for u in users], token)


async def _set_member(req: Request, role: TeamRole | None) -> User:
    user = await catalog.set_member(
        store=ports_of(req).store,
        principal=req.caller,
        team_id=req.params["team_id"],
        user_id=req.params["user_id"],
        role=role,
        now=ports_of(req).clock(),
    )
    # Keys this person minted are bounded by their rights: re-read them on the next request.
    ports_of(req).auth.api_keys.rights.clear()
    return user


async def put_member(req: Request) -> Reply:
    assert isinstance(req.body, MembershipBody)
    return ok(user_view(await _set_member(req, req.body.role)))


async def delete_member(req: Request) -> Reply:
    await _set_member(req, None)
    return Reply(204)


async def create_integration(req: Request) -> Reply:
    assert isinstance(req.body, IntegrationBody)
    created = await catalog.create_integration(
        store=ports_of(req).store,
        principal=req.caller,
        body=req.body,
        now=ports_of(req).clock(),
        base_url=req.base_url,
    )
    config_changed(req)
    return ok(created, status=201)


async def rotate_integration(req: Request) -> Reply:
    created = await catalog.rotate_integration_key(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        base_url=req.base_url,
    )
    config_changed(req)
    return ok(created)


async def integration_setup(req: Request) -> Reply:
    read, _ = await catalog.get_integration(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        base_url=req.base_url,
    )
    return ok(read.setup)


async def send_test_alert(req: Request) -> Reply:
    sent = await trial.send_test_alert(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        now=ports_of(req).clock(),
        ingest=ports_of(req).ingest,
        send=ports_of(req).send_alert,
    )
    return ok(sent, status=202)


async def test_routes(req: Request) -> Reply:
    assert isinstance(req.body, route_trial.RouteTestBody)
    result = await route_trial.try_routes(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        body=req.body,
        now=ports_of(req).clock(),
    )
    return ok(result)


async def list_routes(req: Request) -> Reply:
    routes = await catalog.list_routes(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
    )
    return page(routes, None)


async def create_route(req: Request) -> Reply:
    assert isinstance(req.body, RouteBody)
    route = await catalog.create_route(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        body=req.body,
    )
    config_changed(req)
    return ok(route, status=201)


async def update_route(req: Request) -> Reply:
    assert isinstance(req.body, RouteBody)
    route = await catalog.update_route(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        route_id=req.params["route_id"],
        body=req.body,
        etag=req.if_match(),
    )
    config_changed(req)
    return ok(route)


async def reorder_routes(req: Request) -> Reply:
    assert isinstance(req.body, RouteOrderBody)
    routes = await catalog.reorder_routes(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        route_ids=req.body.route_ids,
    )
    config_changed(req)
    return page(routes, None)


async def delete_route(req: Request) -> Reply:
    await catalog.delete_route(
        store=ports_of(req).store,
        principal=req.caller,
        integration_id=req.params["integration_id"],
        route_id=req.params["route_id"],
    )
    config_changed(req)
    return Reply(204)


list_teams = crud.paged(catalog.list_teams)
create_team = crud.create(catalog.create_team)
get_team = crud.read(catalog.get_team, "team_id")
update_team = crud.update(catalog.update_team, "team_id")
delete_team = crud.delete(catalog.delete_team, "team_id")
list_services = crud.list_owned(catalog.list_services)
create_service = crud.create(catalog.create_service)
get_service = crud.read(catalog.get_service, "service_id")
update_service = crud.update(catalog.update_service, "service_id")
delete_service = crud.delete(catalog.delete_service, "service_id")
list_integrations = crud.list_owned(catalog.list_integrations, base=True)
get_integration = crud.read(catalog.get_integration, "integration_id", base=True)
update_integration = crud.update(catalog.update_integration, "integration_id", base=True)
delete_integration = crud.delete(catalog.delete_integration, "integration_id")


OPERATIONS = [
    Operation(
        method="GET",
        path="/teams",
        name="listTeams",
        summary="Teams",
        tag="teams",
        handler=list_teams,
        response=Team,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="POST",
        path="/teams",
        name="createTeam",
        summary="Create a team",
        tag="teams",
        handler=create_team,
        body=TeamBody,
        response=Team,
        status=201,
    ),
    Operation(
        method="GET",
        path="/teams/{team_id}",
        name="getTeam",
        summary="A team",
        tag="teams",
        handler=get_team,
        response=Team,
    ),
    Operation(
        method="PUT",
        path="/teams/{team_id}",
        name="updateTeam",
        summary="Change a team",
        tag="teams",
        handler=update_team,
        body=TeamBody,
        response=Team,
    ),
    Operation(
        method="DELETE",
        path="/teams/{team_id}",
        name="deleteTeam",
        summary="Delete a team",
        tag="teams",
        handler=delete_team,
        status=204,
    ),
    Operation(
        method="GET",
        path="/teams/{team_id}/members",
        name="listMembers",
        summary="Members",
        tag="teams",
        handler=list_members,
        response=UserView,
        is_list=True,
        query=PAGING,
    ),
    Operation(
        method="PUT",
        path="/teams/{team_id}/members/{user_id}",
        name="putMember",
        summary="Add or change a member",
        tag="teams",
        handler=put_member,
        body=MembershipBody,
        response=UserView,
    ),
    Operation(
        method="DELETE",
        path="/teams/{team_id}/members/{user_id}",
        name="deleteMember",
        summary="Remove a member",
        tag="teams",
        handler=delete_member,
        status=204,
    ),
    Operation(
        method="GET",
        path="/services",
        name="listServices",
        summary="Services",
        tag="services",
        handler=list_services,
        response=Service,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/services",
        name="createService",
        summary="Create a service",
        tag="services",
        handler=create_service,
        body=ServiceBody,
        response=Service,
        status=201,
    ),
    Operation(
        method="GET",
        path="/services/{service_id}",
        name="getService",
        summary="A service",
        tag="services",
        handler=get_service,
        response=Service,
    ),
    Operation(
        method="PUT",
        path="/services/{service_id}",
        name="updateService",
        summary="Change a service",
        tag="services",
        handler=update_service,
        body=ServiceBody,
        response=Service,
    ),
    Operation(
        method="DELETE",
        path="/services/{service_id}",
        name="deleteService",
        summary="Delete a service",
        tag="services",
        handler=delete_service,
        status=204,
    ),
    Operation(
        method="GET",
        path="/integrations",
        name="listIntegrations",
        summary="Integrations",
        tag="integrations",
        handler=list_integrations,
        response=catalog.IntegrationRead,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/integrations",
        name="createIntegration",
        summary="Create an integration (key shown once)",
        tag="integrations",
        handler=create_integration,
        body=IntegrationBody,
        response=catalog.IntegrationCreated,
        status=201,
    ),
    Operation(
        method="GET",
        path="/integrations/{integration_id}",
        name="getIntegration",
        summary="An integration",
        tag="integrations",
        handler=get_integration,
        response=catalog.IntegrationRead,
    ),
    Operation(
        method="PUT",
        path="/integrations/{integration_id}",
        name="updateIntegration",
        summary="Change an integration",
        tag="integrations",
        handler=update_integration,
        body=IntegrationBody,
        response=catalog.IntegrationRead,
    ),
    Operation(
        method="POST",
        path="/integrations/{integration_id}/rotate",
        name="rotateIntegrationKey",
        summary="Issue a new key (the old one stops working)",
        tag="integrations",
        handler=rotate_integration,
        response=catalog.IntegrationCreated,
    ),
    Operation(
        method="DELETE",
        path="/integrations/{integration_id}",
        name="deleteIntegration",
        summary="Delete an integration",
        tag="integrations",
        handler=delete_integration,
        status=204,
    ),
    Operation(
        method="GET",
        path="/integrations/{integration_id}/setup",
        name="getIntegrationSetup",
        summary="What to paste into each sender (the key as a placeholder)",
        tag="integrations",
        handler=integration_setup,
        response=SenderSetup,
    ),
    Operation(
        method="POST",
        path="/integrations/{integration_id}/test-alert",
        name="sendTestAlert",
        summary="Send a sample alert of the integration's source through ingest (it pages)",
        tag="integrations",
        handler=send_test_alert,
        response=trial.TestAlertSent,
        status=202,
    ),
    Operation(
        method="POST",
        path="/integrations/{integration_id}/routes/test",
        name="testRoutes",
        summary="Which route a sample alert takes, and why (nothing stored or paged)",
        tag="integrations",
        handler=test_routes,
        body=route_trial.RouteTestBody,
        response=route_trial.RouteTestResult,
    ),
    Operation(
        method="GET",
        path="/integrations/{integration_id}/routes",
        name="listRoutes",
        summary="Routes, in order",
        tag="integrations",
        handler=list_routes,
        response=Route,
        is_list=True,
    ),
    Operation(
        method="POST",
        path="/integrations/{integration_id}/routes",
        name="createRoute",
        summary="Add a route",
        tag="integrations",
        handler=create_route,
        body=RouteBody,
        response=Route,
        status=201,
    ),
    Operation(
        method="PUT",
        path="/integrations/{integration_id}/routes",
        name="reorderRoutes",
        summary="Put the routes in a new order (each route once)",
        tag="integrations",
        handler=reorder_routes,
        body=RouteOrderBody,
        response=Route,
        is_list=True,
    ),
    Operation(
        method="PUT",
        path="/integrations/{integration_id}/routes/{route_id}",
        name="updateRoute",
        summary="Change a route",
        tag="integrations",
        handler=update_route,
        body=RouteBody,
        response=Route,
    ),
    Operation(
        method="DELETE",
        path="/integrations/{integration_id}/routes/{route_id}",
        name="deleteRoute",
        summary="Delete a route",
        tag="integrations",
        handler=delete_route,
        status=204,
    ),
]
