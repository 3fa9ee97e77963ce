"""Webhook targets are checked when saved, with the guard's own decision: https unless the
development setting allows http, no literal non-global address, no non-canonical numeric host,
unless the operator's allow-list names it; a 400 problem names the field. Names are left to
the connect-time check (nothing is resolved here)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.catalog.models import Team
from shared.notifications.delivery import NotifyPorts, console_only
from shared.outbound.client import OutboundClient, OutboundPolicy
from shared.outbound.guard import OutboundBlocked
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))
REFUSED = [
    "http://hooks.example.com/x",  # http without the development setting
    "http://127.1/x",
    "https://127.1/x",  # non-canonical numeric forms
    "https://2130706433/x",
    "https://0x7f000001/x",
    "https://169.254.169.254/metadata",  # Azure IMDS
    "https://10.1.2.3/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[fe80::1]/x",
    "ftp://hooks.example.com/x",
    "https://hooks.example.com:99999/x",
]
ALLOWED = [
    "https://hooks.example.com/x",
    "https://prod-07.westeurope.logic.azure.com:443/workflows/a?sig=s3cr3t",
    "https://8.8.8.8/x",
    # A name is checked on its addresses when called, not when saved.
    "https://localhost.example/x",
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_guard_refuses_at_save(url: str) -> None:
    with pytest.raises(OutboundBlocked):
        OutboundPolicy().check_target(url)


@pytest.mark.parametrize("url", ALLOWED)
def test_the_guard_accepts_at_save(url: str) -> None:
    OutboundPolicy().check_target(url)


def test_the_operator_allow_list_and_the_http_setting_open_it() -> None:
    policy = OutboundPolicy.parse("127.0.0.0/8,::1,hooks.internal", allow_http=True)
    for url in ("http://127.0.0.1:8080/x", "http://[::1]/x", "http://hooks.internal/x"):
        policy.check_target(url)
    with pytest.raises(OutboundBlocked):
        policy.check_target("http://169.254.169.254/")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    await s.upsert("teams", to_doc(Team(id="t", name="t")))
    yield s
    await s.close()


async def _who(authorization: str | None) -> Principal:
    return ADMIN


async def _post(store: SqliteStore, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    http = OutboundClient(OutboundPolicy())
    notify = NotifyPorts(store=store, channels=console_only(), http=http, base_url="https://oa")
    ports = ApiPorts(store=store, auth=None, escalation=None, notify=notify)  # type: ignore[arg-type]
    try:
        reply = await API.dispatch(
            method="POST",
            path=path,
            query={},
            headers={"Authorization": "Bearer x"},
            body=json.dumps(body).encode(),
            authenticate=_who,
            ports=ports,
            base_url="https://oa.example.com",
        )
    finally:
        await http.aclose()
    return reply.status, reply.body


@pytest.mark.parametrize("url", ["http://127.1/hook", "https://169.254.169.254/latest"])
async def test_an_outgoing_webhook_or_workflows_url_is_refused_naming_the_field(
    store: SqliteStore, url: str
) -> None:
    for fmt in ("openalert", "teams_workflows"):
        body = {"team_id": "t", "name": "x", "url": url, "format": fmt}
        status, problem = await _post(store, "/webhooks", body)
        assert (status, problem["field"]) == (400, "url"), problem
        assert url not in json.dumps(problem)
    assert (await store.query("webhooks", limit=10)).items == []
    status, _ = await _post(
        store, "/webhooks", {"team_id": "t", "name": "x", "url": "https://hooks.example.com/y"}
    )
    assert status == 201


async def test_a_webhook_contact_is_refused_naming_the_field(store: SqliteStore) -> None:
    body = {"kind": "webhook", "address": "https://[::ffff:169.254.169.254]/x", "label": "x"}
    status, problem = await _post(store, "/me/contact-methods", body)
    assert (status, problem["field"]) == (400, "address"), problem
    body["address"] = "https://hooks.example.com/me"
    status, _ = await _post(store, "/me/contact-methods", body)
    assert status == 201
