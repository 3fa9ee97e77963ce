"""API: status pages, their groups and components, a component's manual status, and the public
posts (status incidents, scheduled maintenance, updates). ``shared.statuspages.service`` holds
the rules (rights on the page's team, references of the same team); the public pages themselves
are served by ``functions/statuspages.py``, not here."""

from __future__ import annotations

from datetime import timedelta

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, ports_of
from shared.api.router import Operation, QueryParam, Reply, Request, ok
from shared.config import get_settings
from shared.errors import InvalidInput
from shared.statuspages import service as statuspages
from shared.statuspages.models import (
    Component,
    ComponentBody,
    Group,
    GroupBody,
    MaintenanceBody,
    ManualStatusBody,
    PageBody,
    Post,
    PostBody,
    StatusPage,
    UpdateBody,
)

TAG = "status-pages"


def _bundle() -> timedelta:
    return timedelta(seconds=get_settings().STATUS_NOTIFY_BUNDLE_SECONDS)


async def add_group(req: Request) -> Reply:
    assert isinstance(req.body, GroupBody)
    group = await statuspages.add_group(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        body=req.body,
        now=ports_of(req).clock(),
    )
    return ok(group, status=201)


async def delete_group(req: Request) -> Reply:
    await statuspages.delete_group(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        group_id=req.params["group_id"],
        now=ports_of(req).clock(),
    )
    return Reply(204)


async def add_component(req: Request) -> Reply:
    assert isinstance(req.body, ComponentBody)
    component = await statuspages.add_component(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        body=req.body,
        now=ports_of(req).clock(),
    )
    return ok(component, status=201)


async def update_component(req: Request) -> Reply:
    assert isinstance(req.body, ComponentBody)
    component = await statuspages.update_component(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        component_id=req.params["component_id"],
        body=req.body,
        now=ports_of(req).clock(),
    )
    return ok(component)


async def delete_component(req: Request) -> Reply:
    await statuspages.delete_component(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        component_id=req.params["component_id"],
        now=ports_of(req).clock(),
    )
    return Reply(204)


async def manual_status(req: Request) -> Reply:
    assert isinstance(req.body, ManualStatusBody)
    component = await statuspages.set_manual_status(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        component_id=req.params["component_id"],
        status=req.body.status,
        now=ports_of(req).clock(),
    )
    return ok(component)


def _flag(req: Request, name: str) -> bool:
    raw = req.query.get(name)
    if raw not in (None, "true", "false"):
        raise InvalidInput(f"{name} must be true or false.", field=name)
    return raw == "true"


async def list_posts(req: Request) -> Reply:
    posts = await statuspages.list_posts(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        open_only=_flag(req, "open"),
    )
    return ok({"items": [p.model_dump(mode="json") for p in posts], "continuation": None})


async def post_incident(req: Request) -> Reply:
    assert isinstance(req.body, PostBody)
    post = await statuspages.post_incident(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        body=req.body,
        now=ports_of(req).clock(),
        bundle=_bundle(),
    )
    return ok(post, status=201)


async def schedule_maintenance(req: Request) -> Reply:
    assert isinstance(req.body, MaintenanceBody)
    post = await statuspages.schedule_maintenance(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        body=req.body,
        now=ports_of(req).clock(),
        bundle=_bundle(),
    )
    return ok(post, status=201)


async def add_update(req: Request) -> Reply:
    assert isinstance(req.body, UpdateBody)
    post = await statuspages.add_update(
        store=ports_of(req).store,
        principal=req.caller,
        page_id=req.params["page_id"],
        post_id=req.params["post_id"],
        body=req.body,
        now=ports_of(req).clock(),
        bundle=_bundle(),
    )
    return ok(post, status=201)


PAGE = "/status-pages/{page_id}"
COMPONENT = PAGE + "/components/{component_id}"

OPERATIONS = [
    Operation(
        method="GET",
        path="/status-pages",
        name="listStatusPages",
        summary="Status pages of the teams the caller may read",
        tag=TAG,
        handler=crud.list_owned(statuspages.list_pages),
        response=StatusPage,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/status-pages",
        name="createStatusPage",
        summary="Create a status page (slug unique)",
        tag=TAG,
        handler=crud.create(statuspages.create_page),
        body=PageBody,
        response=StatusPage,
        status=201,
    ),
    Operation(
        method="GET",
        path=PAGE,
        name="getStatusPage",
        summary="A status page with its groups and components",
        tag=TAG,
        handler=crud.read(statuspages.get_page, "page_id"),
        response=StatusPage,
    ),
    Operation(
        method="PUT",
        path=PAGE,
        name="updateStatusPage",
        summary="Change a status page (If-Match honoured)",
        tag=TAG,
        handler=crud.update(statuspages.update_page, "page_id", now=True),
        body=PageBody,
        response=StatusPage,
    ),
    Operation(
        method="DELETE",
        path=PAGE,
        name="deleteStatusPage",
        summary="Delete a status page",
        tag=TAG,
        handler=crud.delete(statuspages.delete_page, "page_id"),
        status=204,
    ),
    Operation(
        method="POST",
        path=PAGE + "/groups",
        name="addStatusGroup",
        summary="Add a component group",
        tag=TAG,
        handler=add_group,
        body=GroupBody,
        response=Group,
        status=201,
    ),
    Operation(
        method="DELETE",
        path=PAGE + "/groups/{group_id}",
        name="deleteStatusGroup",
        summary="Delete a group (its components stay, ungrouped)",
        tag=TAG,
        handler=delete_group,
        status=204,
    ),
    Operation(
        method="POST",
        path=PAGE + "/components",
        name="addStatusComponent",
        summary="Add a component (linked services must be the page team's)",
        tag=TAG,
        handler=add_component,
        body=ComponentBody,
        response=Component,
        status=201,
    ),
    Operation(
        method="PUT",
        path=COMPONENT,
        name="updateStatusComponent",
        summary="Change a component",
        tag=TAG,
        handler=update_component,
        body=ComponentBody,
        response=Component,
    ),
    Operation(
        method="DELETE",
        path=COMPONENT,
        name="deleteStatusComponent",
        summary="Delete a component",
        tag=TAG,
        handler=delete_component,
        status=204,
    ),
    Operation(
        method="PUT",
        path=COMPONENT + "/manual-status",
        name="setStatusComponentManual",
        summary="Set (or clear, with null) the status shown whatever the incidents say",
        tag=TAG,
        handler=manual_status,
        body=ManualStatusBody,
        response=Component,
    ),
    Operation(
        method="GET",
        path=PAGE + "/posts",
        name="listStatusPosts",
        summary="The page's status incidents and maintenances, newest first",
        tag=TAG,
        handler=list_posts,
        response=Post,
        is_list=True,
        query=(QueryParam("open", "Only open posts.", "boolean"),),
    ),
    Operation(
        method="POST",
        path=PAGE + "/incidents",
        name="postStatusIncident",
        summary="Publish a status incident (optionally about an OpenAlert incident)",
        tag=TAG,
        handler=post_incident,
        body=PostBody,
        response=Post,
        status=201,
    ),
    Operation(
        method="POST",
        path=PAGE + "/maintenances",
        name="scheduleStatusMaintenance",
        summary="Schedule maintenance (components show under_maintenance in the window)",
        tag=TAG,
        handler=schedule_maintenance,
        body=MaintenanceBody,
        response=Post,
        status=201,
    ),
    Operation(
        method="POST",
        path=PAGE + "/posts/{post_id}/updates",
        name="postStatusUpdate",
        summary="Post an update (investigating, identified, monitoring, resolved, ...)",
        tag=TAG,
        handler=add_update,
        body=UpdateBody,
        response=Post,
        status=201,
    ),
]
