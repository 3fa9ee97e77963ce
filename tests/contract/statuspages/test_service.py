"""Status pages' use cases against the real SQLite store: rights and team boundaries, component
status from incidents (delay, resolve, manual, maintenance), posts and their updates, history."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from shared.statuspages import live, service
from shared.statuspages import store as pages
from shared.statuspages.models import (
    ComponentBody,
    ComponentStatus,
    IncidentRule,
    MaintenanceBody,
    PageBody,
    PostBody,
    UpdateBody,
)
from shared.statuspages.public import serve
from shared.store.port import DocumentStore
from tests.contract.statuspages.world import (
    T0,
    Mailbox,
    admin,
    make_page,
    member,
    open_incident,
    ports,
    resolve_incident,
)


async def public_json(store: DocumentStore, slug: str, name: str, now: Any) -> dict[str, Any]:
    reply = await serve(
        ports=ports(store, Mailbox(), now),
        method="GET",
        slug=slug,
        path=f"api/v2/{name}",
        query={},
        headers={},
        body=b"",
    )
    assert reply.status == 200, reply.body
    doc: dict[str, Any] = json.loads(reply.body)
    return doc


def statuses(doc: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in doc["components"]}


async def test_slugs_are_unique_and_pages_listed_per_team(store: DocumentStore) -> None:
    await make_page(store, "a", slug="shop")
    with pytest.raises(Conflict):
        await make_page(store, "b", slug="shop")
    await make_page(store, "b", slug="bank")
    mine, _ = await service.list_pages(
        store=store, principal=member("b"), team_id=None, limit=50, continuation=None
    )
    # Responders read every team's configuration (the house rule); the team filter narrows.
    only_b, _ = await service.list_pages(
        store=store, principal=member("b"), team_id="b", limit=50, continuation=None
    )
    assert {p.slug for p in mine} == {"shop", "bank"}
    assert [p.slug for p in only_b] == ["bank"]


async def test_only_the_page_teams_admins_configure_it(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    with pytest.raises(Forbidden):
        await service.add_component(
            store=store,
            principal=admin("b"),
            page_id=page.id,
            body=ComponentBody(name="x"),
            now=T0,
        )
    with pytest.raises(Forbidden):
        await service.create_page(
            store=store,
            principal=admin("b"),
            body=PageBody(team_id="a", name="A again", slug="a-again"),
            now=T0,
        )
    with pytest.raises(Forbidden):
        await service.post_incident(
            store=store,
            principal=member("b"),
            page_id=page.id,
            body=PostBody(name="x", body="y"),
            now=T0,
        )


async def test_a_component_follows_only_its_own_teams_services(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    with pytest.raises(InvalidInput) as refused:
        await service.add_component(
            store=store,
            principal=admin("a"),
            page_id=page.id,
            body=ComponentBody(name="Theirs", service_ids=("svc-b",)),
            now=T0,
        )
    assert refused.value.extensions["field"] == "service_ids"
    # Moving the page to team b would make its svc-a component follow another team's service.
    with pytest.raises((InvalidInput, Forbidden)):
        await service.update_page(
            store=store,
            principal=admin("a"),
            page_id=page.id,
            body=PageBody(team_id="b", name="moved", slug=page.slug),
            etag=None,
            now=T0,
        )


async def test_p1_turns_the_component_red_after_the_delay_and_green_when_resolved(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a", after_minutes=5)
    incident = await open_incident(store, team="a", service_id="svc-a", at=T0)
    early = await public_json(store, page.slug, "summary.json", T0 + timedelta(minutes=4))
    assert statuses(early) == {"API": "operational", "Website": "operational"}
    assert early["status"] == {"indicator": "none", "description": "All Systems Operational"}
    late = await public_json(store, page.slug, "summary.json", T0 + timedelta(minutes=5))
    assert statuses(late) == {"API": "major_outage", "Website": "operational"}
    assert late["status"] == {"indicator": "major", "description": "Partial System Outage"}
    await resolve_incident(store, incident, T0 + timedelta(minutes=20))
    after = await public_json(store, page.slug, "summary.json", T0 + timedelta(minutes=21))
    assert statuses(after)["API"] == "operational"


async def test_a_p2_is_a_partial_outage_and_an_unmapped_severity_changes_nothing(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a", after_minutes=0)
    await open_incident(store, team="a", service_id="svc-a", at=T0, severity="P5", number=1)
    doc = await public_json(store, page.slug, "components.json", T0 + timedelta(minutes=1))
    assert statuses(doc)["API"] == "operational"
    await open_incident(store, team="a", service_id="svc-a", at=T0, severity="P2", number=2)
    doc = await public_json(store, page.slug, "components.json", T0 + timedelta(minutes=1))
    assert statuses(doc)["API"] == "partial_outage"


async def test_another_teams_incident_never_shows_on_a_page(store: DocumentStore) -> None:
    page_a = await make_page(store, "a", after_minutes=0)
    page_b = await make_page(store, "b", after_minutes=0)
    # Team b's incident, even on a service id team a's component follows (a service that moved).
    await open_incident(store, team="b", service_id="svc-a", at=T0, number=1)
    await open_incident(store, team="b", service_id="svc-b", at=T0, number=2)
    await service.post_incident(
        store=store,
        principal=member("b"),
        page_id=page_b.id,
        body=PostBody(name="B is down", body="Looking", component_ids=(page_b.components[0].id,)),
        now=T0,
    )
    now = T0 + timedelta(minutes=1)
    doc_a = await public_json(store, page_a.slug, "summary.json", now)
    assert statuses(doc_a) == {"API": "operational", "Website": "operational"}
    assert doc_a["incidents"] == []
    ids_b = {c.id for c in page_b.components}
    for name in ("summary.json", "components.json", "incidents.json"):
        text = json.dumps(await public_json(store, page_a.slug, name, now))
        assert not any(i in text for i in ids_b) and "B is down" not in text
    assert statuses(await public_json(store, page_b.slug, "summary.json", now))["API"] == (
        "major_outage"
    )


async def test_manual_status_wins_until_cleared(store: DocumentStore) -> None:
    page = await make_page(store, "a", after_minutes=0)
    api = page.components[0]
    await open_incident(store, team="a", service_id="svc-a", at=T0)
    now = T0 + timedelta(minutes=1)
    await service.set_manual_status(
        store=store,
        principal=member("a"),
        page_id=page.id,
        component_id=api.id,
        status=ComponentStatus.DEGRADED,
        now=now,
    )
    doc = await public_json(store, page.slug, "components.json", now)
    assert statuses(doc)["API"] == "degraded_performance"
    await service.set_manual_status(
        store=store,
        principal=member("a"),
        page_id=page.id,
        component_id=api.id,
        status=None,
        now=now,
    )
    doc = await public_json(store, page.slug, "components.json", now)
    assert statuses(doc)["API"] == "major_outage"


async def test_maintenance_shows_under_maintenance_in_its_window_only(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a")
    web = page.components[1]
    start, end = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    await service.schedule_maintenance(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=MaintenanceBody(
            name="Database upgrade",
            body="Planned",
            component_ids=(web.id,),
            scheduled_for=start,
            scheduled_until=end,
        ),
        now=T0,
    )
    before = await public_json(store, page.slug, "summary.json", T0)
    assert statuses(before)["Website"] == "operational"
    assert [m["status"] for m in before["scheduled_maintenances"]] == ["scheduled"]
    during = await public_json(store, page.slug, "summary.json", start + timedelta(minutes=1))
    assert statuses(during)["Website"] == "under_maintenance"
    assert during["status"]["indicator"] == "maintenance"
    assert during["scheduled_maintenances"][0]["status"] == "in_progress"
    after = await public_json(store, page.slug, "summary.json", end)
    assert statuses(after)["Website"] == "operational"
    assert after["scheduled_maintenances"] == []
    listed = await public_json(store, page.slug, "scheduled-maintenances.json", end)
    assert listed["scheduled_maintenances"][0]["status"] == "completed"


async def test_posts_and_updates_newest_first_and_resolving_closes(store: DocumentStore) -> None:
    page = await make_page(store, "a", after_minutes=0)
    api = page.components[0]
    incident = await open_incident(store, team="a", service_id="svc-a", at=T0)
    post = await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(
            name="Checkout errors",
            body="We are looking into it.",
            component_ids=(api.id,),
            incident_id=incident.id,
        ),
        now=T0 + timedelta(minutes=1),
    )
    assert post.impact == "critical"
    for minutes, status in ((2, "identified"), (3, "monitoring"), (4, "resolved")):
        await service.add_update(
            store=store,
            principal=member("a"),
            page_id=page.id,
            post_id=post.id,
            body=UpdateBody(body=f"Now {status}", status=status),
            now=T0 + timedelta(minutes=minutes),
        )
    now = T0 + timedelta(minutes=5)
    doc = await public_json(store, page.slug, "incidents.json", now)
    shown = doc["incidents"][0]
    assert [u["status"] for u in shown["incident_updates"]] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]
    assert shown["resolved_at"] and shown["monitoring_at"] and shown["status"] == "resolved"
    unresolved = await public_json(store, page.slug, "incidents/unresolved.json", now)
    assert unresolved["incidents"] == []
    with pytest.raises(InvalidInput):
        await service.add_update(
            store=store,
            principal=member("a"),
            page_id=page.id,
            post_id=post.id,
            body=UpdateBody(body="x", status="in_progress"),
            now=now,
        )


async def test_a_post_about_another_teams_incident_is_refused(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    theirs = await open_incident(store, team="b", service_id="svc-b", at=T0)
    everyone = admin("a").model_copy(update={"roles": frozenset({"OpenAlert.Admin"})})
    with pytest.raises(InvalidInput):
        await service.post_incident(
            store=store,
            principal=everyone,
            page_id=page.id,
            body=PostBody(name="x", body="y", incident_id=theirs.id),
            now=T0,
        )


async def test_history_records_transitions_at_the_moment_they_happened(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a", after_minutes=5)
    api = page.components[0]
    assert await live.record(store, page, now=T0) == 2  # first known states
    incident = await open_incident(store, team="a", service_id="svc-a", at=T0)
    # The timer runs late (T0 + 7 min); the outage began at T0 + 5 min.
    assert await live.record(store, page, now=T0 + timedelta(minutes=7)) == 1
    assert await live.record(store, page, now=T0 + timedelta(minutes=8)) == 0
    await resolve_incident(store, incident, T0 + timedelta(minutes=65))
    assert await live.record(store, page, now=T0 + timedelta(minutes=66)) == 1
    month, _ = await pages.load_month(store, page.id, "2026-11")
    assert month is not None
    times = [(t - int(T0.timestamp()), s) for t, s in month.transitions[api.id]]
    assert times == [(300, ComponentStatus.MAJOR), (3900, ComponentStatus.OPERATIONAL)]
    # Created months earlier and never recorded: operational when the month opened.
    assert month.opening[api.id] is ComponentStatus.OPERATIONAL
    snap = await live.snapshot(
        store, page, url="https://x", now=T0 + timedelta(hours=3), with_uptime=True
    )
    today = snap.uptime[api.id][-1]
    assert today.worst is ComponentStatus.MAJOR
    assert today.down_seconds == pytest.approx(3600)


async def test_renaming_a_slug_frees_the_old_one_and_a_stale_write_keeps_it(
    store: DocumentStore,
) -> None:
    page, etag = await service.get_page(
        store=store, principal=admin("a"), page_id=(await make_page(store, "a", slug="old")).id
    )
    body = PageBody(team_id="a", name="Renamed", slug="new")
    await service.update_page(
        store=store, principal=admin("a"), page_id=page.id, body=body, etag=etag, now=T0
    )
    assert await pages.page_id_for_slug(store, "new") == page.id
    assert await pages.page_id_for_slug(store, "old") is None
    await make_page(store, "a", slug="old")  # free again
    stale = PageBody(team_id="a", name="Again", slug="newer")
    with pytest.raises(PreconditionFailed):
        await service.update_page(
            store=store, principal=admin("a"), page_id=page.id, body=stale, etag=etag, now=T0
        )
    assert await pages.page_id_for_slug(store, "newer") is None


async def test_a_component_never_recorded_counts_as_up_since_it_was_created(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a", after_minutes=0)
    await open_incident(store, team="a", service_id="svc-a", at=T0 - timedelta(hours=2))
    snap = await live.snapshot(store, page, url="https://x", now=T0, with_uptime=True)
    api, web = (snap.uptime[c.id] for c in page.components)
    assert all(d.worst is ComponentStatus.OPERATIONAL for d in web)
    assert all(d.worst is ComponentStatus.OPERATIONAL for d in api[:-1])
    assert api[-1].worst is ComponentStatus.MAJOR
    assert api[-1].down_seconds == pytest.approx(2 * 3600)


async def test_the_timer_completes_a_maintenance_whose_window_has_passed(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a")
    start = T0 + timedelta(hours=1)
    post = await service.schedule_maintenance(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=MaintenanceBody(
            name="Upgrade",
            body="Planned",
            component_ids=(page.components[1].id,),
            scheduled_for=start,
            scheduled_until=start + timedelta(hours=1),
        ),
        now=T0,
    )
    await live.record(store, page, now=start + timedelta(minutes=30))
    assert [p.id for p in await pages.query_posts(store, page.id, open_only=True)] == [post.id]
    await live.record(store, page, now=start + timedelta(hours=2))
    assert await pages.query_posts(store, page.id, open_only=True) == []
    done, _ = await pages.load_post(store, page.id, post.id)
    assert done.status == "completed" and done.resolved_at == start + timedelta(hours=1)
    month, _ = await pages.load_month(store, page.id, "2026-11")
    assert month is not None
    web = [(t - int(start.timestamp()), s) for t, s in month.transitions[page.components[1].id]]
    assert web == [(0, ComponentStatus.MAINTENANCE), (3600, ComponentStatus.OPERATIONAL)]


async def test_updating_a_component_keeps_it_a_valid_component(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    api = page.components[0]
    body = ComponentBody(name="API v2", service_ids=("svc-a",), rule=IncidentRule(after_minutes=1))
    updated = await service.update_component(
        store=store, principal=admin("a"), page_id=page.id, component_id=api.id, body=body, now=T0
    )
    assert isinstance(updated.rule, IncidentRule) and updated.rule.after_minutes == 1
    assert updated.created_at == api.created_at and updated.updated_at == T0
    stored, _ = await pages.load_page(store, page.id)
    assert stored.components[0] == updated


async def test_an_outage_between_two_timer_runs_still_reaches_the_history(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a", after_minutes=1)
    api = page.components[0]
    await live.record(store, page, now=T0)
    incident = await open_incident(
        store, team="a", service_id="svc-a", at=T0 + timedelta(seconds=10)
    )
    await resolve_incident(store, incident, T0 + timedelta(seconds=100))
    # The timer looks at T0 and T0 + 2 min: operational both times, red for 30 s in between.
    assert await live.record(store, page, now=T0 + timedelta(minutes=2)) == 2
    assert await live.record(store, page, now=T0 + timedelta(minutes=3)) == 0
    month, _ = await pages.load_month(store, page.id, "2026-11")
    assert month is not None
    times = [(t - int(T0.timestamp()), s) for t, s in month.transitions[api.id]]
    assert times == [(70, ComponentStatus.MAJOR), (100, ComponentStatus.OPERATIONAL)]
