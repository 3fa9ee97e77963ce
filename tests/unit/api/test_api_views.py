"""What the API shows of stored bookkeeping, and that its writes reach alert processing at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.api.openapi import document
from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.catalog.cache import CatalogCache
from shared.catalog.models import Integration, Service
from shared.incidents.models import Incident
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))


async def _as_admin(authorization: str | None) -> Principal:
    return ADMIN


def _incident() -> Incident:
    return Incident(
        id="inc-1",
        number=1,
        title="disk full",
        team_id="t",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
        alert_count=3,
        counted_alerts=("a1b2c3d4e5f6",),
    )


async def test_counted_alert_digests_are_stored_but_never_shown(tmp_path: Path) -> None:
    incident = _incident()
    assert to_doc(incident)["counted_alerts"] == ["a1b2c3d4e5f6"]  # every writer keeps them
    schema = document(API)["components"]["schemas"]["Incident"]["properties"]
    assert "alert_count" in schema and "counted_alerts" not in schema
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        await store.create("incidents", to_doc(incident))
        ports = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
        reply = await API.dispatch(
            method="GET",
            path="incidents/inc-1",
            query={},
            headers={"Authorization": "Bearer x"},
            body=b"",
            authenticate=_as_admin,
            ports=ports,
            base_url="http://oa.example",
        )
        assert reply.status == 200, reply.body
        shown: dict[str, Any] = reply.body  # type: ignore[assignment]
        assert shown["alert_count"] == 3 and "counted_alerts" not in shown
    finally:
        await store.close()


async def test_a_route_added_through_the_api_applies_to_the_next_alert_at_once(
    tmp_path: Path,
) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        await store.upsert("services", to_doc(Service(id="svc", name="svc", team_id="t")))
        integration = Integration(
            id="int-1",
            name="generic",
            service_id="svc",
            team_id="t",
            format="generic",
            key_prefix="k",
            key_hash="h",
            created_at=NOW,
        )
        await store.upsert("integrations", to_doc(integration))
        cache = CatalogCache(ttl_s=3600)  # long enough that only clearing can explain a change
        assert await cache.routes(store, "int-1") == []  # processing has read them
        ports = ApiPorts(
            store=store,
            auth=None,  # type: ignore[arg-type]
            escalation=None,  # type: ignore[arg-type]
            notify=None,  # type: ignore[arg-type]
            catalog_cache=cache,
        )
        route = {
            "position": 0,
            "conditions": [{"field": "severity", "op": "eq", "value": "P5"}],
            "page": False,
        }
        reply = await API.dispatch(
            method="POST",
            path="integrations/int-1/routes",
            query={},
            headers={"Authorization": "Bearer x"},
            body=json.dumps(route).encode(),
            authenticate=_as_admin,
            ports=ports,
            base_url="http://oa.example",
        )
        assert reply.status == 201, reply.body
        assert [r.page for r in await cache.routes(store, "int-1")] == [False]
    finally:
        await store.close()
