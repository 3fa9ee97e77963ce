"""Atlassian Statuspage's public v2 JSON (``summary.json``, ``status.json``, ``components.json``,
``incidents.json``, ``incidents/unresolved.json``, ``scheduled-maintenances.json`` and its
``upcoming``/``active`` views), built from a :class:`Snapshot`. Pure.

What existing consumers rely on, and is kept exactly (docs/status-pages.md lists the sources):
every key present with ``null`` rather than left out; Statuspage's enum spellings; incidents and
their updates newest first; stable ids; timestamps with milliseconds and the page zone's offset;
``start_date`` date-only; groups and their children in one flat array with ``components`` only
on group rows.
"""

from __future__ import annotations

from typing import Any

from shared.statuspages.evaluate import maintenance_state
from shared.statuspages.models import SEVERITY_RANK, Component, ComponentStatus, Post
from shared.statuspages.snapshot import Snapshot

Json = dict[str, Any]


def page_json(snap: Snapshot) -> Json:
    return {
        "id": snap.page.id,
        "name": snap.page.name,
        "url": snap.url,
        "time_zone": snap.page.time_zone,
        "updated_at": snap.stamp(snap.updated_at()),
    }


def _component(snap: Snapshot, c: Component) -> Json:
    shown = snap.shown.get(c.id)
    changed = max(c.updated_at, shown.since) if shown and shown.since else c.updated_at
    return {
        "id": c.id,
        "name": c.name,
        "status": snap.status_of(c.id).value,
        "created_at": snap.stamp(c.created_at),
        "updated_at": snap.stamp(min(changed, snap.now)),
        "position": c.position,
        "description": c.description,
        "showcase": c.showcase,
        "start_date": c.created_at.astimezone(snap.tz).date().isoformat(),
        "group_id": c.group_id,
        "page_id": snap.page.id,
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def components_json(snap: Snapshot) -> list[Json]:
    """Groups and components in one flat array: each group row, then its children, in position
    order; ungrouped components take their place among the groups by position."""
    page = snap.page
    children: dict[str, list[Component]] = {}
    for c in page.components:
        if c.group_id is not None:
            children.setdefault(c.group_id, []).append(c)
    top: list[tuple[int, str, Json, list[Component]]] = []
    for c in page.components:
        if c.group_id is None:
            top.append((c.position, c.name, _component(snap, c), []))
    for g in page.groups:
        kids = sorted(children.get(g.id, []), key=lambda k: (k.position, k.name))
        statuses = [snap.status_of(k.id) for k in kids] or [ComponentStatus.OPERATIONAL]
        worst = max(statuses, key=lambda s: SEVERITY_RANK[s])
        created = min((k.created_at for k in kids), default=page.created_at)
        row = {
            "id": g.id,
            "name": g.name,
            "status": worst.value,
            "created_at": snap.stamp(created),
            "updated_at": snap.stamp(page.updated_at),
            "position": g.position,
            "description": g.description,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": page.id,
            "group": True,
            "only_show_if_degraded": False,
            "components": [k.id for k in kids],
        }
        top.append((g.position, g.name, row, kids))
    out: list[Json] = []
    for _, _, row, kids in sorted(top, key=lambda t: (t[0], t[1])):
        out.append(row)
        out.extend(_component(snap, k) for k in kids)
    return out


def _update(snap: Snapshot, post: Post, index: int) -> Json:
    u = post.updates[index]
    affected = (
        [a.model_dump(mode="json") for a in u.affected_components]
        if u.affected_components is not None
        else None
    )
    return {
        "id": u.id,
        "status": u.status,
        "body": u.body,
        "incident_id": post.id,
        "created_at": snap.stamp(u.created_at),
        "updated_at": snap.stamp(u.created_at),
        "display_at": snap.stamp(u.created_at),
        "affected_components": affected,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def post_json(snap: Snapshot, post: Post) -> Json:
    """An incident (or, with ``scheduled_*``, a maintenance) as Statuspage shows it."""
    status = maintenance_state(post, snap.now) if post.kind == "maintenance" else post.status
    affected = [snap.page.component(cid) for cid in post.component_ids]
    doc: Json = {
        "id": post.id,
        "name": post.name,
        "status": status,
        "created_at": snap.stamp(post.created_at),
        "updated_at": snap.stamp(post.updated_at),
        "monitoring_at": snap.stamp(post.monitoring_at) if post.monitoring_at else None,
        "resolved_at": snap.stamp(post.resolved_at) if post.resolved_at else None,
        "impact": "maintenance" if post.kind == "maintenance" else post.impact,
        "shortlink": f"{snap.url}/incidents/{post.id}",
        "started_at": snap.stamp(post.started_at),
        "page_id": snap.page.id,
        "incident_updates": [_update(snap, post, i) for i in reversed(range(len(post.updates)))],
        "components": [_component(snap, c) for c in affected if c is not None],
    }
    if post.kind == "maintenance":
        assert post.scheduled_for is not None and post.scheduled_until is not None
        doc["scheduled_for"] = snap.stamp(post.scheduled_for)
        doc["scheduled_until"] = snap.stamp(post.scheduled_until)
    return doc


def status_json(snap: Snapshot) -> Json:
    o = snap.overall()
    return {
        "page": page_json(snap),
        "status": {"indicator": o.indicator, "description": o.description},
    }


def summary_json(snap: Snapshot) -> Json:
    o = snap.overall()
    return {
        "page": page_json(snap),
        "components": components_json(snap),
        "incidents": [post_json(snap, p) for p in snap.incidents(unresolved=True)],
        "scheduled_maintenances": [
            post_json(snap, p)
            for p in snap.maintenances(states=("scheduled", "in_progress", "verifying"))
        ],
        "status": {"indicator": o.indicator, "description": o.description},
    }


def document(snap: Snapshot, name: str) -> Json | None:
    """The JSON document at ``api/v2/<name>`` (None: no such document)."""
    if name == "summary.json":
        return summary_json(snap)
    if name == "status.json":
        return status_json(snap)
    if name == "components.json":
        return {"page": page_json(snap), "components": components_json(snap)}
    if name == "incidents.json":
        return {
            "page": page_json(snap),
            "incidents": [post_json(snap, p) for p in snap.incidents()],
        }
    if name == "incidents/unresolved.json":
        return {
            "page": page_json(snap),
            "incidents": [post_json(snap, p) for p in snap.incidents(unresolved=True)],
        }
    views = {
        "scheduled-maintenances.json": None,
        "scheduled-maintenances/upcoming.json": ("scheduled",),
        "scheduled-maintenances/active.json": ("in_progress", "verifying"),
    }
    if name in views:
        return {
            "page": page_json(snap),
            "scheduled_maintenances": [
                post_json(snap, p) for p in snap.maintenances(states=views[name])
            ],
        }
    return None
