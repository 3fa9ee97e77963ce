"""The integration page's server side through the API router against a real SQLite store:
per-sender setup, "send a test alert" through the real ingest path and on to an incident, and
"test routes against a sample alert" with the pipeline's own matcher."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.auth.integration_keys import KeyResolver
from shared.catalog.queries import integration_by_key_prefix, integration_loader
from shared.catalog.setup import DATADOG_PAYLOAD, KEY_PLACEHOLDER
from shared.pipeline.ingest import IngestPorts
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from shared.pipeline.ratelimit import RateLimiter
from tests.contract.api.tenancy_world import World, seed

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTED = json.loads((ROOT / "docs/datadog-webhook-template.json").read_text())
SAMPLE = json.loads((ROOT / "tests/fixtures/payloads/alertmanager/firing.json").read_text())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("integration-tools") / "world.sqlite"
    return path, asyncio.run(seed(path))


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await World.open(template[0], tmp_path, template[1])
    yield w
    await w.close()


async def integration(world: World, fmt: str, **body: Any) -> dict[str, Any]:
    created = await world.call(
        "red-lead",
        "POST",
        "/integrations",
        {"name": fmt, "service_id": world.ids["svc-red"], "format": fmt, **body},
    )
    assert created.status == 201, created.body
    answer: dict[str, Any] = created.body
    return answer


@pytest.mark.parametrize(
    ("fmt", "sender"),
    [
        ("alertmanager", "alertmanager"),
        ("grafana", "grafana"),
        ("azure_monitor", "azure_action_group"),
        ("pagerduty", "alertmanager"),
        ("opsgenie", "alertmanager"),
        ("datadog", "datadog"),
        ("sentry", "sentry"),
        ("generic", "curl"),
    ],
)
async def test_setup_per_sender_never_carries_the_key(world: World, fmt: str, sender: str) -> None:
    created = await integration(world, fmt)
    iid, key = created["integration"]["id"], created["key"]
    assert key in created["setup"]["snippets"][sender], "shown whole once, at creation"
    reply = await world.call("red-viewer", "GET", f"/integrations/{iid}/setup")
    assert reply.status == 200, reply.body
    assert key not in json.dumps(reply.body)
    assert KEY_PLACEHOLDER in reply.body["snippets"][sender]
    assert reply.body["url"].startswith("https://oa.example/api/")


async def test_datadog_setup_posts_the_documented_payload(world: World) -> None:
    created = await integration(world, "datadog")
    webhook = json.loads(created["setup"]["snippets"]["datadog"])
    assert webhook["url"] == f"https://oa.example/api/integrations/{created['key']}"
    assert json.loads(webhook["payload"]) == DATADOG_PAYLOAD
    assert DOCUMENTED == DATADOG_PAYLOAD


@dataclasses.dataclass
class Paged:
    started: list[str] = dataclasses.field(default_factory=list)

    async def start(self, incident: Any) -> None:
        self.started.append(incident.title)

    async def signal(self, incident_id: str, signal: Any, *, from_source: bool) -> None:
        return None


def with_queue(world: World, queue: list[Envelope]) -> World:
    store = world.store
    ingest = IngestPorts(
        resolver=KeyResolver(lookup=integration_by_key_prefix(store)),
        load_integration=integration_loader(store),
        rate_limiter=RateLimiter(),
        claim_check=None,
        secure_webhook=None,
        max_body_bytes=1024 * 1024,
        claim_check_threshold=200 * 1024,
    )
    ports = dataclasses.replace(world.ports, ingest=ingest, send_alert=queue.append)
    return dataclasses.replace(world, ports=ports)


@pytest.mark.parametrize("fmt", ["alertmanager", "pagerduty", "sentry", "generic"])
async def test_a_test_alert_goes_through_ingest_to_an_incident_that_pages(
    world: World, fmt: str
) -> None:
    iid = (await integration(world, fmt))["integration"]["id"]
    queue: list[Envelope] = []
    tester = with_queue(world, queue)
    first = await tester.call("red-lead", "POST", f"/integrations/{iid}/test-alert")
    second = await tester.call("red-lead", "POST", f"/integrations/{iid}/test-alert")
    assert first.status == 202, first.body
    assert first.body["title"].startswith("[Test] ")
    assert first.body["dedup_key"] != second.body["dedup_key"], "each test is its own alert"
    assert [e.id for e in queue] == [first.body["envelope_id"], second.body["envelope_id"]]
    paged = Paged()
    process = ProcessPorts(store=world.store, claim_check=None, escalation=paged)
    # Through the queue's JSON, as the process function reads it.
    envelope = Envelope.model_validate_json(queue[0].model_dump_json())
    await process_envelope(envelope, ports=process)
    assert paged.started == [first.body["title"]]


async def test_test_alert_refusals(world: World) -> None:
    iid = world.ids["int-red"]
    tester = with_queue(world, [])
    assert (await tester.call("red-resp", "POST", f"/integrations/{iid}/test-alert")).status == 403
    beat = (await integration(world, "heartbeat"))["integration"]["id"]
    refused = await tester.call("red-lead", "POST", f"/integrations/{beat}/test-alert")
    assert (refused.status, refused.body["field"]) == (400, "format")
    no_queue = await world.call("red-lead", "POST", f"/integrations/{iid}/test-alert")
    assert no_queue.status == 503 and no_queue.content_type == "application/problem+json"


async def route(world: World, iid: str, position: int, **body: Any) -> str:
    made = await world.call(
        "red-lead", "POST", f"/integrations/{iid}/routes", {"position": position, **body}
    )
    assert made.status == 201, made.body
    return str(made.body["id"])


async def test_routes_test_says_which_route_matches_and_why(world: World) -> None:
    iid = (await integration(world, "alertmanager"))["integration"]["id"]
    staging = await route(
        world,
        iid,
        0,
        conditions=[
            {"field": "label:env", "op": "eq", "value": "staging"},
            {"field": "severity", "op": "in", "value": ["P4", "P5"]},
        ],
        match="any",
        page=False,
    )
    payments = await route(
        world,
        iid,
        1,
        conditions=[
            {"field": "label:team", "op": "eq", "value": "payments"},
            {"field": "title", "op": "regex", "value": "crash"},
        ],
        severity="P2",
    )
    reply = await world.call(
        "red-viewer", "POST", f"/integrations/{iid}/routes/test", {"payload": SAMPLE}
    )
    assert reply.status == 200, reply.body
    (alert,) = reply.body["alerts"]
    assert alert["decision"] == {
        "route_id": payments,
        "service_id": world.ids["svc-red"],
        "escalation_policy_id": None,
        "page": True,
        "severity": "P2",
    }
    first, second = alert["routes"]
    assert (first["route_id"], first["matched"]) == (staging, False)
    assert [(c["actual"], c["result"]) for c in first["conditions"]] == [
        (None, False),
        ("P1", False),
    ]
    assert second["matched"] and [c["actual"] for c in second["conditions"]] == [
        "payments",
        "Pod payments/api-7c9f is crash looping",
    ]
    incidents = await world.call("red-lead", "GET", "/incidents")
    assert sorted(i["id"] for i in incidents.body["items"]) == ["inc-blue", "inc-red"], (
        "nothing was stored"
    )


async def test_routes_test_on_a_recorded_alert_and_refusals(world: World) -> None:
    iid = world.ids["int-red"]
    incident = await world.store.get("incidents", "inc-red", "inc-red")
    assert incident is not None
    record = {
        "id": "a1",
        "integration_id": iid,
        "action": "trigger",
        "title": "disk full",
        "severity": "P5",
        "labels": {"host": "db1"},
        "received_at": "2026-11-23T09:00:00.000000Z",
    }
    await world.store.upsert("incidents", {**incident, "recent_alerts": [record]})
    path = f"/integrations/{iid}/routes/test"
    reply = await world.call("red-resp", "POST", path, {"incident_id": "inc-red"})
    assert reply.status == 200, reply.body
    (alert,) = reply.body["alerts"]
    assert alert["decision"]["route_id"] == world.ids["route-red"], "the seeded P5 route"
    for body, status in [
        ({}, 400),
        ({"payload": {"title": "x"}, "incident_id": "inc-red"}, 400),
        ({"incident_id": "inc-red", "alert_id": "nope"}, 404),
        ({"payload": {"no": "title"}}, 400),
    ]:
        got = await world.call("red-resp", "POST", path, body)
        assert got.status == status, (body, got.body)
        assert got.content_type == "application/problem+json"
    blue = await world.call("red-resp", "POST", path, {"incident_id": "inc-blue"})
    assert blue.status == 404, "an incident of another integration holds none of its alerts"


async def test_setup_carries_no_stored_secret(world: World) -> None:
    hmac, sentry = "h" * 32, "s" * 32
    for fmt, settings in (
        ("grafana", {"grafana_hmac_secret": hmac}),
        ("sentry", {"sentry_client_secret": sentry}),
    ):
        created = await integration(world, fmt, settings=settings)
        iid = created["integration"]["id"]
        assert hmac not in json.dumps(created) and sentry not in json.dumps(created)
        reply = await world.call("red-lead", "GET", f"/integrations/{iid}/setup")
        assert reply.status == 200, reply.body
        assert hmac not in json.dumps(reply.body) and sentry not in json.dumps(reply.body)


async def test_routes_are_edited_and_reordered_and_the_test_follows(world: World) -> None:
    iid = (await integration(world, "alertmanager"))["integration"]["id"]
    crit = [{"field": "severity", "op": "eq", "value": "P1"}]
    first = await route(world, iid, 0, name="quiet", conditions=crit, page=False)
    second = await route(world, iid, 1, name="loud", conditions=crit, severity="P2")
    edited = await world.call(
        "red-lead",
        "PUT",
        f"/integrations/{iid}/routes/{first}",
        {"name": "quiet", "position": 0, "conditions": crit, "page": False, "severity": "P5"},
    )
    assert (edited.status, edited.body["severity"]) == (200, "P5"), edited.body

    async def decision() -> dict[str, Any]:
        got = await world.call(
            "red-viewer", "POST", f"/integrations/{iid}/routes/test", {"payload": SAMPLE}
        )
        assert got.status == 200, got.body
        answer: dict[str, Any] = got.body["alerts"][0]["decision"]
        return answer

    assert (await decision())["route_id"] == first
    path = f"/integrations/{iid}/routes"
    moved = await world.call("red-lead", "PUT", path, {"route_ids": [second, first]})
    assert moved.status == 200, moved.body
    assert [(r["id"], r["position"]) for r in moved.body["items"]] == [(second, 0), (first, 1)]
    assert (await decision())["route_id"] == second, "the first route now matches first"
    listed = await world.call("red-viewer", "GET", path)
    assert [r["id"] for r in listed.body["items"]] == [second, first]
    for ids in ([second], [second, first, first], [second, "route-nope"]):
        refused = await world.call("red-lead", "PUT", path, {"route_ids": ids})
        assert (refused.status, refused.body.get("field")) == (400, "route_ids"), ids
    stranger = await world.call(
        "red-lead",
        "PUT",
        f"/integrations/{world.ids['int-red']}/routes/{first}",
        {"position": 0, "conditions": crit},
    )
    assert stranger.status == 404, "another integration's route is not reached through it"
