"""The webhook channel on the guarded client: a refused target is a permanent failure that does
not name the URL, a refusing receiver's answer body is never kept, and the HTTP client loggers
do not write the URL."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from shared.incidents.models import Incident
from shared.notifications import delivery, service
from shared.notifications.channels import PermanentDeliveryError, WebhookChannel
from shared.notifications.models import WebhookJob
from shared.notifications.render import Message
from shared.outbound.client import OutboundClient, OutboundPolicy
from shared.outbound.logs import quiet_url_loggers
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import free_port

MSG = Message(subject="s", text="t", html="<p>t</p>", short="t", url="https://oa.example.com/x")
LEAK = "internal-admin-panel-body"
SIG = "sig=Zm9vYmFyYmF6cXV4c2VjcmV0"


@pytest.fixture
async def refusing() -> AsyncIterator[str]:
    """A loopback receiver that answers 400 with a body an attacker would like to read back."""

    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=400, text=LEAK)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)  # the receiver's log is not ours
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/hook?{SIG}"
    finally:
        await runner.cleanup()


async def test_a_refused_answer_keeps_status_and_reason_not_the_body(refusing: str) -> None:
    async with OutboundClient(OutboundPolicy.parse("127.0.0.0/8", allow_http=True)) as http:
        with pytest.raises(PermanentDeliveryError) as caught:
            await WebhookChannel(http).send(
                target=refusing, message=MSG, payload={}, idempotency_key="k"
            )
    assert caught.value.detail == "webhook: HTTP 400: Bad Request"


async def test_a_target_the_guard_refuses_fails_permanently_without_the_url(refusing: str) -> None:
    async with OutboundClient(OutboundPolicy(allow_http=True)) as http:
        with pytest.raises(PermanentDeliveryError) as caught:
            await WebhookChannel(http).send(
                target=refusing, message=MSG, payload={}, idempotency_key="k"
            )
    detail = caught.value.detail
    assert detail.startswith("webhook: target not allowed: the address is in the loopback")
    assert "127.0.0.1" not in detail and SIG not in detail


@pytest.mark.parametrize(
    "target",
    [
        "http://0177.0.0.1:{port}/hook",  # octal: httpx refuses to parse it
        "http://127.1:{port}/hook",
        "ftp://127.0.0.1:{port}/hook",
        "https://127.0.0.1:{port}/hook",  # https, but loopback is not allowed
    ],
)
async def test_odd_targets_fail_permanently(refusing: str, target: str) -> None:
    port = refusing.split(":")[2].split("/")[0]
    async with OutboundClient(OutboundPolicy(allow_http=True)) as http:
        with pytest.raises(PermanentDeliveryError):
            await WebhookChannel(http).send(
                target=target.format(port=port), message=MSG, payload={}, idempotency_key="k"
            )


async def test_http_client_loggers_do_not_write_webhook_urls(
    refusing: str, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_url_loggers()
    caplog.set_level(logging.DEBUG)
    async with OutboundClient(OutboundPolicy.parse("127.0.0.0/8", allow_http=True)) as http:
        r = await http.post(refusing, content=b"{}")
    assert r.status_code == 400
    assert not [rec for rec in caplog.records if SIG in rec.getMessage()]


def test_function_app_quiets_the_url_loggers_at_start_up() -> None:
    import function_app  # noqa: F401  (importing is the start-up)

    for name in ("httpx", "httpcore", "aiohttp.client"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


async def _hooked_store(tmp_path: Path, url: str) -> SqliteStore:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    incident = Incident(
        id="inc-1",
        number=1,
        title="t",
        team_id="t",
        service_id="svc",
        created_at=now,
        updated_at=now,
    )
    await store.create("incidents", to_doc(incident))
    await store.create("services", {"id": "svc", "pk": "svc", "name": "svc", "team_id": "t"})
    await store.create(
        "webhooks",
        {
            "id": "wh-1",
            "pk": "wh-1",
            "team_id": "t",
            "name": "flow",
            "url": url,
            "secret": "s" * 32,
            "format": "teams_workflows",
        },
    )
    return store


@pytest.mark.parametrize("allow", ["127.0.0.0/8", ""])
async def test_a_failed_outgoing_webhook_leaves_no_url_or_body_in_log_or_timeline(
    tmp_path: Path, refusing: str, allow: str
) -> None:
    store = await _hooked_store(tmp_path, refusing)
    try:
        async with OutboundClient(OutboundPolicy.parse(allow, allow_http=True)) as http:
            ports = delivery.NotifyPorts(
                store=store,
                channels=delivery.console_only(),
                http=http,
                base_url="https://oa.example.com",
            )
            job = WebhookJob(
                incident_id="inc-1", webhook_id="wh-1", event="created", idempotency_key="w1"
            )
            outcome = await service.deliver(job, ports=ports)
        assert outcome.skipped == "permanent failure"
        log, _ = await delivery.list_deliveries(store=store, incident_id="inc-1")
        lines = (await store.query("timeline", where=[eq("incident_id", "inc-1")])).items
        shown = json.dumps([e.model_dump(mode="json") for e in log]) + json.dumps(lines)
        assert "refused the created event" in shown
        for secret in (LEAK, SIG, "/hook"):
            assert secret not in shown
    finally:
        await store.close()
