"""Status page use cases for the management API. Every function takes its ports as keyword
arguments and checks the caller's rights on the page's team first:

- reading a page needs READ in its team; changing the page, its groups and components needs
  CONFIGURE there; posting incidents, maintenances and updates, and setting a component's manual
  status, needs ACT (responders do these during an incident);
- everything a page references must be its own team's: the services a component follows
  (``shared.catalog.references``) and the OpenAlert incident a post is about. Moving a page to
  another team checks its services against the new team too.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from datetime import datetime, timedelta

from shared.auth.access import require, team_scope
from shared.auth.models import Action, Principal
from shared.catalog.references import Ref, check_references
from shared.errors import Conflict, InvalidInput, NotFound
from shared.incidents.queries import incident_team
from shared.statuspages import live
from shared.statuspages import store as pages
from shared.statuspages.models import (
    Component,
    ComponentBody,
    ComponentStatus,
    Group,
    GroupBody,
    Impact,
    MaintenanceBody,
    PageBody,
    Post,
    PostBody,
    PostUpdate,
    StatusPage,
    UpdateBody,
)
from shared.statuspages.rollup import impact_of
from shared.statuspages.subscribers import queue_notice
from shared.store.port import DocumentStore

_ALPHABET = string.ascii_lowercase + string.digits
INCIDENT_STATES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
MAINTENANCE_STATES = ("scheduled", "in_progress", "verifying", "completed")


def new_public_id() -> str:
    """12 lower-case alphanumerics, the id shape Statuspage consumers have seen."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


async def _services_are_the_teams(
    store: DocumentStore, team_id: str, service_ids: Sequence[str], field: str
) -> None:
    await check_references(
        store, team_id=team_id, refs=[Ref("service", s, field) for s in service_ids]
    )


# --- pages -----------------------------------------------------------------------------------
async def create_page(
    *, store: DocumentStore, principal: Principal, body: PageBody, now: datetime
) -> StatusPage:
    require(principal, Action.CONFIGURE, [body.team_id])
    await check_references(store, team_id=body.team_id, refs=[Ref("team", body.team_id, "team_id")])
    page = StatusPage(id=new_public_id(), created_at=now, updated_at=now, **body.model_dump())
    await pages.create_page(store, page)
    return page


async def get_page(
    *, store: DocumentStore, principal: Principal, page_id: str
) -> tuple[StatusPage, str]:
    page, etag = await pages.load_page(store, page_id)
    require(principal, Action.READ, [page.team_id])
    return page, etag


async def list_pages(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[StatusPage], str | None]:
    if team_id:
        require(principal, Action.READ, [team_id])
    scope = team_scope(principal, Action.READ)
    teams: list[str] | None = [team_id] if team_id else None
    if not scope.all_teams:
        teams = [t for t in (teams or sorted(scope.team_ids)) if t in scope.team_ids]
    return await pages.query_pages(store, team_ids=teams, limit=limit, continuation=continuation)


async def _configurable(
    store: DocumentStore, principal: Principal, page_id: str
) -> tuple[StatusPage, str]:
    page, etag = await pages.load_page(store, page_id)
    require(principal, Action.CONFIGURE, [page.team_id])
    return page, etag


async def update_page(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    body: PageBody,
    etag: str | None,
    now: datetime,
) -> StatusPage:
    page, stored_etag = await _configurable(store, principal, page_id)
    if body.team_id != page.team_id:
        require(principal, Action.CONFIGURE, [body.team_id])
        services = live.services_of(page)
        await _services_are_the_teams(store, body.team_id, services, "team_id")
    updated = StatusPage.model_validate(
        {**page.model_dump(), **body.model_dump(), "updated_at": now}
    )
    if body.slug != page.slug:
        await pages.claim_slug(store, body.slug, page.id)
    try:
        await pages.save_page(store, updated, etag=etag or stored_etag)
    except Exception:
        if body.slug != page.slug:
            await pages.release_slug(store, body.slug)
        raise
    if body.slug != page.slug:
        await pages.release_slug(store, page.slug)
    return updated


async def delete_page(*, store: DocumentStore, principal: Principal, page_id: str) -> None:
    page, _ = await _configurable(store, principal, page_id)
    await pages.delete_page(store, page)


# --- groups and components -------------------------------------------------------------------
async def _save(
    store: DocumentStore, page: StatusPage, etag: str, now: datetime, **changes: object
) -> StatusPage:
    updated = StatusPage.model_validate({**page.model_dump(), **changes, "updated_at": now})
    await pages.save_page(store, updated, etag=etag)
    return updated


async def add_group(
    *, store: DocumentStore, principal: Principal, page_id: str, body: GroupBody, now: datetime
) -> Group:
    page, etag = await _configurable(store, principal, page_id)
    group = Group(id=new_public_id(), **body.model_dump())
    await _save(store, page, etag, now, groups=(*page.groups, group))
    return group


async def delete_group(
    *, store: DocumentStore, principal: Principal, page_id: str, group_id: str, now: datetime
) -> None:
    """Its components stay, ungrouped."""
    page, etag = await _configurable(store, principal, page_id)
    if not any(g.id == group_id for g in page.groups):
        raise NotFound(f"Group {group_id!r} is not on this page.")
    components = tuple(
        c.model_copy(update={"group_id": None}) if c.group_id == group_id else c
        for c in page.components
    )
    groups = tuple(g for g in page.groups if g.id != group_id)
    await _save(store, page, etag, now, groups=groups, components=components)


async def _checked_component(store: DocumentStore, page: StatusPage, body: ComponentBody) -> None:
    if body.group_id is not None and not any(g.id == body.group_id for g in page.groups):
        raise InvalidInput(f"group_id: no group {body.group_id!r} on this page.", field="group_id")
    await _services_are_the_teams(store, page.team_id, body.service_ids, "service_ids")


async def add_component(
    *, store: DocumentStore, principal: Principal, page_id: str, body: ComponentBody, now: datetime
) -> Component:
    page, etag = await _configurable(store, principal, page_id)
    await _checked_component(store, page, body)
    component = Component(id=new_public_id(), created_at=now, updated_at=now, **body.model_dump())
    await _save(store, page, etag, now, components=(*page.components, component))
    return component


async def update_component(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    component_id: str,
    body: ComponentBody,
    now: datetime,
) -> Component:
    page, etag = await _configurable(store, principal, page_id)
    old = _component(page, component_id)
    await _checked_component(store, page, body)
    new = Component.model_validate({**old.model_dump(), **body.model_dump(), "updated_at": now})
    components = tuple(new if c.id == component_id else c for c in page.components)
    await _save(store, page, etag, now, components=components)
    return new


async def delete_component(
    *, store: DocumentStore, principal: Principal, page_id: str, component_id: str, now: datetime
) -> None:
    page, etag = await _configurable(store, principal, page_id)
    _component(page, component_id)
    components = tuple(c for c in page.components if c.id != component_id)
    await _save(store, page, etag, now, components=components)


def _component(page: StatusPage, component_id: str) -> Component:
    component = page.component(component_id)
    if component is None:
        raise NotFound(f"Component {component_id!r} is not on this page.")
    return component


async def set_manual_status(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    component_id: str,
    status: ComponentStatus | None,
    now: datetime,
) -> Component:
    """Set the status shown whatever the incidents say, or clear it (None) so the component
    follows its rule again."""
    page, etag = await pages.load_page(store, page_id)
    require(principal, Action.ACT, [page.team_id])
    new = _component(page, component_id).model_copy(
        update={"manual_status": status, "updated_at": now}
    )
    components = tuple(new if c.id == component_id else c for c in page.components)
    await _save(store, page, etag, now, components=components)
    return new


# --- posts -----------------------------------------------------------------------------------
async def _actable(store: DocumentStore, principal: Principal, page_id: str) -> StatusPage:
    page, _ = await pages.load_page(store, page_id)
    require(principal, Action.ACT, [page.team_id])
    return page


def _on_page(page: StatusPage, component_ids: Sequence[str]) -> None:
    for cid in component_ids:
        if page.component(cid) is None:
            raise InvalidInput(
                f"component_ids: {cid!r} is not on this page.", field="component_ids"
            )


async def post_incident(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    body: PostBody,
    now: datetime,
    bundle: timedelta = timedelta(0),
) -> Post:
    """Publish a status incident with its first update. Its impact is the author's, else the
    worst status its components show now."""
    page = await _actable(store, principal, page_id)
    _on_page(page, body.component_ids)
    if body.incident_id is not None:
        # A reference like any other: the page team's own incident, else 400 (whether the
        # caller could read the other team's incident or not).
        if await incident_team(store, body.incident_id) != page.team_id:
            raise InvalidInput(
                "incident_id: no incident of the page's team has this id.", field="incident_id"
            )
    impact: Impact | None = body.impact
    if impact is None:
        shown = await live.statuses(store, page, now=now, maintenances=[])
        impact = impact_of(shown[c].status for c in body.component_ids)
    update = PostUpdate(
        id=new_public_id(), status=body.status, body=body.body, created_at=now, author=principal.id
    )
    closed = body.status in ("resolved", "postmortem")
    post = Post(
        id=new_public_id(),
        page_id=page.id,
        team_id=page.team_id,
        kind="incident",
        name=body.name,
        status=body.status,
        impact=impact,
        component_ids=body.component_ids,
        incident_id=body.incident_id,
        created_at=now,
        updated_at=now,
        started_at=now,
        monitoring_at=now if body.status == "monitoring" else None,
        resolved_at=now if closed else None,
        open=not closed,
        updates=(update,),
    )
    await pages.save_post(store, post, etag=None)
    await queue_notice(store, post=post, update=update, now=now, bundle=bundle)
    return post


async def schedule_maintenance(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    body: MaintenanceBody,
    now: datetime,
    bundle: timedelta = timedelta(0),
) -> Post:
    page = await _actable(store, principal, page_id)
    _on_page(page, body.component_ids)
    update = PostUpdate(
        id=new_public_id(), status="scheduled", body=body.body, created_at=now, author=principal.id
    )
    post = Post(
        id=new_public_id(),
        page_id=page.id,
        team_id=page.team_id,
        kind="maintenance",
        name=body.name,
        status="scheduled",
        impact="maintenance",
        component_ids=body.component_ids,
        created_at=now,
        updated_at=now,
        started_at=body.scheduled_for,
        scheduled_for=body.scheduled_for,
        scheduled_until=body.scheduled_until,
        updates=(update,),
    )
    await pages.save_post(store, post, etag=None)
    await queue_notice(store, post=post, update=update, now=now, bundle=bundle)
    return post


async def add_update(
    *,
    store: DocumentStore,
    principal: Principal,
    page_id: str,
    post_id: str,
    body: UpdateBody,
    now: datetime,
    bundle: timedelta = timedelta(0),
) -> Post:
    """Append an update; its status (default: unchanged) moves the post on. Resolving an
    incident or completing a maintenance closes it; a later "investigating" reopens it."""
    page = await _actable(store, principal, page_id)
    post, etag = await pages.load_post(store, page.id, post_id)
    status = body.status or post.status
    allowed = INCIDENT_STATES if post.kind == "incident" else MAINTENANCE_STATES
    if status not in allowed:
        raise InvalidInput(
            f"status: a {post.kind} update's status is one of {', '.join(allowed)}.",
            field="status",
        )
    if post.kind == "maintenance" and status == "in_progress" and post.status == "completed":
        raise Conflict("A completed maintenance cannot start again; schedule a new one.")
    update = PostUpdate(
        id=new_public_id(), status=status, body=body.body, created_at=now, author=principal.id
    )
    closed = status in ("resolved", "postmortem", "completed")
    changes: dict[str, object] = {
        "status": status,
        "updated_at": now,
        "open": not closed,
        "updates": (*post.updates, update),
        "resolved_at": (post.resolved_at or now) if closed else None,
    }
    if status == "monitoring" and post.monitoring_at is None:
        changes["monitoring_at"] = now
    updated = post.model_copy(update=changes)
    await pages.save_post(store, updated, etag=etag)
    await queue_notice(store, post=updated, update=update, now=now, bundle=bundle)
    return updated


async def list_posts(
    *, store: DocumentStore, principal: Principal, page_id: str, open_only: bool
) -> list[Post]:
    page, _ = await pages.load_page(store, page_id)
    require(principal, Action.READ, [page.team_id])
    return await pages.query_posts(store, page.id, open_only=open_only, limit=100)


async def update_posts_about(
    *,
    store: DocumentStore,
    principal: Principal,
    incident_id: str,
    body: UpdateBody,
    now: datetime,
    bundle: timedelta = timedelta(0),
) -> int:
    """Post ``body`` on every open status post about an OpenAlert incident (the Teams card's
    "Post to status page"); how many were updated. Rights are each page's, as for
    :func:`add_update`."""
    posts = await pages.open_posts_about(store, incident_id)
    for post in posts:
        await add_update(
            store=store,
            principal=principal,
            page_id=post.page_id,
            post_id=post.id,
            body=body,
            now=now,
            bundle=bundle,
        )
    return len(posts)
