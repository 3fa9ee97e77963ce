"""Ingest gates on every path: a disabled integration is refused like an unknown key, and the
rate limit counts alerts, not requests. Real ingest code on the real SQLite store."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from shared.alerts.models import InvalidPayload, SourceFormat
from shared.auth.integration_keys import BAD_KEY
from shared.catalog.models import Integration
from shared.errors import RateLimited, Unauthenticated
from shared.pipeline import ingest
from shared.pipeline.ingest import Accepted
from shared.pipeline.ratelimit import RateLimiter
from shared.store.codec import from_doc, to_doc
from tests.fixtures.tenancy import (
    GOOD_TOKEN,
    World,
    build_template,
    integration_id,
    native_body,
    open_world,
    pagerduty_body,
    ports_for,
)

Call = Callable[[World, str], Awaitable[Accepted]]
"""(world, key) -> the request through one ingest path for the integration behind ``key``."""


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"user:{key}".encode()).decode()


PATHS: list[tuple[str, str, Call]] = [
    (
        "key-in-path",
        "generic",
        lambda w, k: w.post(path_key=k, body=native_body("generic", "trigger")),
    ),
    (
        "bearer",
        "alertmanager",
        lambda w, k: w.post(
            headers={"Authorization": f"Bearer {k}"}, body=native_body("alertmanager", "trigger")
        ),
    ),
    (
        "basic",
        "grafana",
        lambda w, k: w.post(
            headers={"Authorization": _basic(k)}, body=native_body("grafana", "trigger")
        ),
    ),
    (
        "azure-monitor-key",
        "azure_monitor",
        lambda w, k: w.post(path_key=k, body=native_body("azure_monitor", "trigger")),
    ),
    (
        "azure-monitor-secure-webhook-by-id",
        "azure_monitor",
        # The id, not the key, is in the path; the Entra token authenticates.
        lambda w, k: w.post(
            path_key=integration_id("a", "azure_monitor"),
            headers={"Authorization": GOOD_TOKEN},
            body=native_body("azure_monitor", "trigger"),
        ),
    ),
    (
        "pagerduty-routing-key",
        "pagerduty",
        lambda w, k: w.post(endpoint=SourceFormat.PAGERDUTY, body=pagerduty_body(k, "trigger")),
    ),
    (
        "opsgenie-create",
        "opsgenie",
        lambda w, k: w.post(
            endpoint=SourceFormat.OPSGENIE,
            headers={"Authorization": f"GenieKey {k}"},
            body={"message": "disk full", "alias": "disk"},
        ),
    ),
    (
        "opsgenie-action",
        "opsgenie",
        lambda w, k: w.opsgenie_action(k, "close", "shared-key-1", "alias"),
    ),
    ("heartbeat", "heartbeat", lambda w, k: w.heartbeat(k)),
    (
        "opsgenie-update",
        "opsgenie",
        lambda w, k: ingest.accept_opsgenie_update(
            field="message",
            identifier="shared-key-1",
            headers={"Authorization": f"GenieKey {k}"},
            body=b'{"message": "disk still full"}',
            ports=w.ingest,
        ),
    ),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("gates") / "template.sqlite"
    keys = asyncio.run(build_template(path))
    return path, keys


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await open_world(*template, into=tmp_path / "world.sqlite")
    yield w
    await w.store.close()


async def _change(world: World, kind: str, **changes: object) -> None:
    iid = integration_id("a", kind)
    doc = await world.store.get("integrations", iid, iid)
    assert doc is not None
    updated = from_doc(Integration, doc).model_copy(update=changes)
    await world.store.upsert("integrations", to_doc(updated))


@pytest.mark.parametrize(("kind", "call"), [p[1:] for p in PATHS], ids=[p[0] for p in PATHS])
async def test_a_disabled_integration_is_refused_like_an_unknown_key(
    world: World, kind: str, call: Call
) -> None:
    key = world.key("a", kind)
    await call(world, key)  # enabled: accepted
    await _change(world, kind, enabled=False)
    with pytest.raises(Unauthenticated) as refused:
        await call(world, key)
    # An unknown key of the same shape is answered the same way (nothing tells them apart).
    unknown = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthenticated) as unknown_refused:
        await call(world, unknown)
    assert refused.value.detail == unknown_refused.value.detail == BAD_KEY
    assert refused.value.status == 401


def _alertmanager_batch(n: int) -> bytes:
    body = native_body("alertmanager", "trigger")
    first = body["alerts"][0]
    body["alerts"] = [{**first, "fingerprint": f"fp-{i}"} for i in range(n)]
    return json.dumps(body).encode()


def _grafana_batch(n: int) -> bytes:
    body = native_body("grafana", "trigger")
    first = body["alerts"][0]
    body["alerts"] = [{**first, "fingerprint": f"fp-{i}"} for i in range(n)]
    return json.dumps(body).encode()


BATCHES = [
    pytest.param("alertmanager", _alertmanager_batch, id="alertmanager"),
    pytest.param("grafana", _grafana_batch, id="grafana"),
]


@pytest.mark.parametrize(("kind", "batch"), BATCHES)
async def test_the_rate_limit_counts_alerts_not_requests(
    world: World, kind: str, batch: Callable[[int], bytes]
) -> None:
    now = [0.0]
    world.ingest = ports_for(world.store, limiter=RateLimiter(monotonic=lambda: now[0]))
    # 60 alerts a minute (one a second), bursts of 100.
    await _change(world, kind, rate_limit_per_minute=60, rate_limit_burst=100)
    key = world.key("a", kind)

    await world.post(path_key=key, body=batch(60))
    with pytest.raises(RateLimited) as limited:
        await world.post(path_key=key, body=batch(60))  # 40 alerts' worth left
    assert limited.value.retry_after == pytest.approx(20.0)
    await world.post(path_key=key, body=batch(40))
    with pytest.raises(RateLimited):
        await world.post(path_key=key, body=batch(1))

    # A batch bigger than the whole burst passes on a full bucket (never refused for good) and
    # owes the rest: 300 alerts hold the next alert back for 201 seconds.
    now[0] += 100.0
    await world.post(path_key=key, body=batch(300))
    with pytest.raises(RateLimited) as limited:
        await world.post(path_key=key, body=batch(1))
    assert limited.value.retry_after == pytest.approx(201.0)
    now[0] += 201.0
    await world.post(path_key=key, body=batch(1))


async def test_an_empty_batch_still_counts_as_one_request(world: World) -> None:
    now = [0.0]
    world.ingest = ports_for(world.store, limiter=RateLimiter(monotonic=lambda: now[0]))
    await _change(world, "alertmanager", rate_limit_per_minute=60, rate_limit_burst=2)
    key = world.key("a", "alertmanager")
    for _ in range(2):
        await world.post(path_key=key, body=_alertmanager_batch(0))
    with pytest.raises(RateLimited):
        await world.post(path_key=key, body=_alertmanager_batch(0))


@pytest.mark.parametrize(("kind", "status"), [("alertmanager", 503), ("grafana", 429)])
async def test_a_throttled_alertmanager_is_answered_so_that_it_retries(
    world: World, kind: str, status: int
) -> None:
    """A real Alertmanager (tests/e2e/test_alertmanager_real_e2e.py) takes a webhook's 429 as
    final and re-sends the group only at its next group_interval (5 minutes by default), while
    it retries a 5xx at once with backoff: its throttled answer is a 503, Retry-After kept."""
    now = [0.0]
    world.ingest = ports_for(world.store, limiter=RateLimiter(monotonic=lambda: now[0]))
    await _change(world, kind, rate_limit_per_minute=60, rate_limit_burst=1)
    key = world.key("a", kind)
    batch = _alertmanager_batch if kind == "alertmanager" else _grafana_batch
    await world.post(path_key=key, body=batch(1))
    with pytest.raises(RateLimited) as limited:
        await world.post(path_key=key, body=batch(1))
    assert (limited.value.status, limited.value.retry_after) == (status, pytest.approx(1.0))


async def test_opsgenie_updates_are_checked_and_answered(world: World) -> None:
    """Alertmanager's ``update_alerts`` follows each create with PUT .../message and
    .../description (tests/e2e/test_alertmanager_real_e2e.py): answered with a request id, a
    body without the field is Opsgenie's 422, and nothing else is accepted."""

    async def update(field: str, body: bytes) -> object:
        return await ingest.accept_opsgenie_update(
            field=field,
            identifier="disk",
            headers={"Authorization": f"GenieKey {world.key('a', 'opsgenie')}"},
            body=body,
            ports=world.ingest,
        )

    assert await update("message", b'{"message": "[FIRING:2] disk"}')
    assert await update("description", b'{"description": "2 disks full"}')
    for field, body in (("message", b"{}"), ("description", b'{"message": "x"}'), ("tags", b"{}")):
        with pytest.raises(InvalidPayload):
            await update(field, body)
