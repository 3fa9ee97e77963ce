"""The Statuspage-compatible JSON against a JSON Schema written from Atlassian's documented
examples (sources in the schema's description and docs/status-pages.md), on a page with groups,
an unresolved and a resolved incident, and maintenance upcoming, running and completed; plus
the orderings consumers rely on (incidents and their updates newest first)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from shared.statuspages import service
from shared.statuspages.models import (
    ComponentBody,
    GroupBody,
    MaintenanceBody,
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
)

SCHEMA = json.loads((Path(__file__).parent / "statuspage_v2.schema.json").read_text())
DOCS = {
    "summary.json": "summary.json",
    "status.json": "status.json",
    "components.json": "components.json",
    "incidents.json": "incidents.json",
    "incidents/unresolved.json": "incidents.json",
    "scheduled-maintenances.json": "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json": "scheduled-maintenances.json",
    "scheduled-maintenances/active.json": "scheduled-maintenances.json",
}


def validator(name: str) -> Draft202012Validator:
    schema = {**SCHEMA, "$ref": f"#/$defs/{name}"}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


async def _busy_page(store: DocumentStore) -> Any:
    page = await make_page(store, "a", after_minutes=0, time_zone="America/Chicago")
    group = await service.add_group(
        store=store, principal=admin("a"), page_id=page.id, body=GroupBody(name="EU"), now=T0
    )
    eu = await service.add_component(
        store=store,
        principal=admin("a"),
        page_id=page.id,
        body=ComponentBody(name="EU API", group_id=group.id, service_ids=("svc-a",)),
        now=T0,
    )
    await open_incident(store, team="a", service_id="svc-a", at=T0)
    old = await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(name="Yesterday", body="Slow", component_ids=(eu.id,)),
        now=T0 - timedelta(days=1),
    )
    await service.add_update(
        store=store,
        principal=member("a"),
        page_id=page.id,
        post_id=old.id,
        body=UpdateBody(body="Fine again", status="resolved"),
        now=T0 - timedelta(hours=20),
    )
    await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(name="Now", body="Down", component_ids=(eu.id,)),
        now=T0 + timedelta(minutes=1),
    )
    for start in (timedelta(hours=-3), timedelta(minutes=-30), timedelta(hours=5)):
        await service.schedule_maintenance(
            store=store,
            principal=member("a"),
            page_id=page.id,
            body=MaintenanceBody(
                name=f"Window {start}",
                body="Planned",
                component_ids=(page.components[1].id,),
                scheduled_for=T0 + start,
                scheduled_until=T0 + start + timedelta(hours=1),
            ),
            now=T0 - timedelta(days=2),
        )
    return page


@pytest.mark.parametrize("path", sorted(DOCS))
async def test_every_document_validates(store: DocumentStore, path: str) -> None:
    page = await _busy_page(store)
    reply = await serve(
        ports=ports(store, Mailbox(), T0 + timedelta(minutes=2)),
        method="GET",
        slug=page.slug,
        path=f"api/v2/{path}",
        query={},
        headers={},
        body=b"",
    )
    assert reply.status == 200 and reply.content_type == "application/json"
    doc = json.loads(reply.body)
    errors = sorted(validator(DOCS[path]).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    for key in ("incidents", "scheduled_maintenances"):
        items = doc.get(key, [])
        assert [i["created_at"] for i in items] == sorted(
            (i["created_at"] for i in items), reverse=True
        )
        for item in items:
            times = [u["created_at"] for u in item["incident_updates"]]
            assert times == sorted(times, reverse=True)


async def test_summary_shapes_match_the_documented_example(store: DocumentStore) -> None:
    page = await _busy_page(store)
    reply = await serve(
        ports=ports(store, Mailbox(), T0 + timedelta(minutes=2)),
        method="GET",
        slug=page.slug,
        path="api/v2/summary.json",
        query={},
        headers={},
        body=b"",
    )
    doc = json.loads(reply.body)
    assert [i["name"] for i in doc["incidents"]] == ["Now"]
    assert sorted(m["status"] for m in doc["scheduled_maintenances"]) == [
        "in_progress",
        "scheduled",
    ]
    rows = {c["name"]: c for c in doc["components"]}
    assert rows["EU"]["group"] is True and rows["EU"]["components"] == [rows["EU API"]["id"]]
    assert rows["EU API"]["group_id"] == rows["EU"]["id"]
    assert doc["status"] == {"indicator": "major", "description": "Partial System Outage"}


def test_the_schema_rejects_what_consumers_break_on() -> None:
    page = {
        "id": "abcdefghijkl",
        "name": "x",
        "url": "https://status.example.com",
        "time_zone": "Etc/UTC",
        "updated_at": "2026-01-01T00:00:00.000Z",
    }
    status = validator("status.json")
    good = {"page": page, "status": {"indicator": "none", "description": "All Systems Operational"}}
    assert status.is_valid(good)
    for bad in (
        {"indicator": "none", "description": "All good"},
        {"indicator": "ok", "description": "All Systems Operational"},
        {"indicator": "none", "description": None},
    ):
        assert not status.is_valid({"page": page, "status": bad})
    naive = {**page, "updated_at": "2026-01-01T00:00:00"}
    assert not status.is_valid({**good, "page": naive})
