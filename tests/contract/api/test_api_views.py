"""What the API shows of stored bookkeeping, and that its writes reach alert processing at once."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.api.openapi import document
from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.catalog.cache import CatalogCache
from shared.catalog.models import Integration, Service
from shared.errors import InvalidInput
from shared.incidents import alertlog
from shared.incidents.models import Actor, Incident, TimelineEntry
from shared.incidents.service import alerts_cursor, alerts_token, count_alerts, record_timeline
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))


async def _as_admin(authorization: str | None) -> Principal:
    return ADMIN


def _alert(n: int) -> dict[str, Any]:
    return {"id": f"env-{n}-0", "action": "trigger", "received_at": f"2026-12-01T09:{n:02d}:00Z"}


def _incident() -> Incident:
    opened = TimelineEntry(
        incident_id="inc-1",
        at=NOW,
        kind="created",
        actor=Actor(kind="source", id="int-1"),
        message="Incident opened",
    )
    incident = Incident(
        id="inc-1",
        number=1,
        title="disk full",
        team_id="t",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
        alert_count=0,
        opened=opened,
    )
    return incident


async def _get(store: SqliteStore, path: str, **query: str) -> Any:
    ports = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
    reply = await API.dispatch(
        method="GET",
        path=path,
        query=query,
        headers={"Authorization": "Bearer x"},
        body=b"",
        authenticate=_as_admin,
        ports=ports,
        base_url="http://oa.example",
    )
    assert reply.status == 200, reply.body
    return reply.body


async def _stored(store: SqliteStore, alerts: int) -> Incident:
    """The incident after ``alerts`` alerts, recorded through alertlog as processing does."""
    incident = _incident()
    for n in range(alerts):
        incident, chunk = alertlog.add(incident, _alert(n), count=True)
        if chunk is not None:
            await store.create("alerts", chunk)
    await store.create("incidents", to_doc(incident))
    return incident


async def test_alert_records_and_the_created_line_are_stored_but_not_shown(
    tmp_path: Path,
) -> None:
    schema = document(API)["components"]["schemas"]["Incident"]["properties"]
    assert "alert_count" in schema
    assert not {"recent_alerts", "opened"} & set(schema)
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        incident = await _stored(store, 3)
        assert len(to_doc(incident)["recent_alerts"]) == 3  # every writer keeps them
        shown = await _get(store, "incidents/inc-1")
        assert shown["alert_count"] == 3
        assert not {"recent_alerts", "opened"} & set(shown)
        # The newest description the alerts brought is part of the incident's answer.
        assert "description" in schema
        described, _ = alertlog.add(incident, _alert(9), count=True, description="97% full")
        await store.upsert("incidents", to_doc(described))
        assert (await _get(store, "incidents/inc-1"))["description"] == "97% full"
    finally:
        await store.close()


async def _all_pages(store: SqliteStore, path: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        query = {"limit": str(limit)} | ({"continuation": token} if token else {})
        body = await _get(store, path, **query)
        assert len(body["items"]) <= limit
        items += body["items"]
        token = body.get("continuation")
        if not token:
            return items


async def test_alerts_list_chunks_then_the_incidents_own_records_in_every_page_size(
    tmp_path: Path,
) -> None:
    kept = alertlog.RECENT_ALERTS_KEPT
    total = 3 * kept  # two chunks, and a full list on the incident
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        incident = await _stored(store, total)
        assert len(incident.recent_alerts) == kept
        # A crash after the next alert's chunk write, before its incident write, leaves a chunk
        # of records the incident still holds: they are listed and counted once.
        _, leftover = alertlog.add(incident, _alert(total), count=True)
        assert leftover is not None
        await store.create("alerts", leftover)
        for n in (1, 5, kept, 100):
            items = await _all_pages(store, "incidents/inc-1/alerts", n)
            assert [a["id"] for a in items] == [f"env-{i}-0" for i in range(total)], n
            assert {a["incident_id"] for a in items} == {"inc-1"}
        # Firing alerts since 09:40: the last chunk's end and the incident's own records.
        since = NOW.replace(minute=40)
        assert await count_alerts(store=store, incident_id="inc-1", since=since) == total - 40
    finally:
        await store.close()


async def test_the_timeline_starts_with_the_created_line_kept_on_the_incident(
    tmp_path: Path,
) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        await _stored(store, 1)
        for n in range(3):
            await record_timeline(
                store,
                TimelineEntry(
                    incident_id="inc-1",
                    at=NOW.replace(minute=n + 1),
                    kind=f"k{n}",
                    actor=Actor(kind="system", id="oa"),
                    message="m",
                ),
                entry_id=f"line-{n}",
            )
        for limit in (1, 2, 100):
            kinds = [e["kind"] for e in await _all_pages(store, "incidents/inc-1/timeline", limit)]
            assert kinds == ["created", "k0", "k1", "k2"], limit
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


tokens = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    st.fixed_dictionaries(
        {
            "c": st.one_of(st.none(), st.text(), st.integers()),
            "k": st.integers(),
            "o": st.booleans(),
        }
    ).map(lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode()),
    # Forged: nesting past the decoder's recursion limit, numbers too long to print.
    st.sampled_from(
        [b"[" * 3000, b'{"c":null,"k":' + b"9" * 2900 + b',"o":true}', b'{"k":1e999}']
    ).map(lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
)


@given(token=tokens)
def test_an_alerts_continuation_token_decodes_or_is_a_400(token: str) -> None:
    try:
        store_token, skip, own = alerts_cursor(token)
    except InvalidInput as exc:
        assert exc.extensions["field"] == "continuation"
    else:
        assert skip >= 0 and isinstance(own, bool)
        assert store_token is None or isinstance(store_token, str)


@given(
    store_token=st.one_of(st.none(), st.text()), skip=st.integers(min_value=0), own=st.booleans()
)
def test_alerts_continuation_tokens_round_trip(
    store_token: str | None, skip: int, own: bool
) -> None:
    assert alerts_cursor(alerts_token(store_token, skip, own)) == (store_token, skip, own)


async def test_an_incident_shows_its_services_changes_of_the_hours_before_it_opened(
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from shared.catalog import changes

    store = await SqliteStore.open(tmp_path / "changes.sqlite")
    try:
        await _stored(store, 1)
        await store.upsert("services", to_doc(Service(id="svc", name="Checkout", team_id="t")))
        integration = Integration(
            id="int-1",
            name="ci",
            service_id="svc",
            team_id="t",
            format="pagerduty",
            key_prefix="k",
            key_hash="h",
        )
        other = integration.model_copy(update={"service_id": "svc-other"})
        for change_id, owner, before in (
            ("deploy-1h", integration, timedelta(hours=1)),
            ("deploy-5h", integration, timedelta(hours=5)),  # outside the window
            ("after", integration, -timedelta(minutes=5)),  # after the incident opened
            ("other-service", other, timedelta(minutes=30)),
        ):
            await changes.save_change(
                store,
                changes.change_of(owner, change_id=change_id, at=NOW - before, summary=change_id),
            )
        shown = await _get(store, "incidents/inc-1/changes")
        assert [c["id"] for c in shown["items"]] == ["deploy-1h"]
        service = await _get(store, "services/svc/changes")
        assert [c["id"] for c in service["items"]] == ["after", "deploy-1h", "deploy-5h"]
    finally:
        await store.close()
