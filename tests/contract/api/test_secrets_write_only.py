"""Secrets are write-only in every answer: a Grafana HMAC secret, an outgoing webhook's or a
Workflows URL, a webhook contact's URL. Readers see a hint (set, and the last 4 characters);
the schema says writeOnly; a client that sends back what it read keeps the stored secret."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.api.openapi import document
from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.catalog.models import Service, Team
from shared.notifications.delivery import NotifyPorts, console_only, list_deliveries
from shared.notifications.models import DeliveryAttempt, mask
from shared.redact import hint, redact_url
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))
GRAFANA_SECRET = "grafana-hmac-secret-0123456789-WXYZ"
WORKFLOWS = (
    "https://prod-07.westeurope.logic.azure.com:443/workflows/0a1b2c/triggers/manual/paths/"
    "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S3cr3tSignatureQ9z"
)
SLACK = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXsecret"


async def _who(authorization: str | None) -> Principal:
    return ADMIN


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    await s.upsert("teams", to_doc(Team(id="t", name="t")))
    await s.upsert("services", to_doc(Service(id="svc", name="svc", team_id="t")))
    yield s
    await s.close()


async def _call(store: SqliteStore, method: str, path: str, body: Any = None) -> Any:
    notify = NotifyPorts(store=store, channels=console_only(), http=None, base_url="https://oa")  # type: ignore[arg-type]
    ports = ApiPorts(store=store, auth=None, escalation=None, notify=notify)  # type: ignore[arg-type]
    reply = await API.dispatch(
        method=method,
        path=path,
        query={},
        headers={"Authorization": "Bearer x"},
        body=json.dumps(body).encode() if body is not None else b"",
        authenticate=_who,
        ports=ports,
        base_url="https://oa.example.com",
    )
    assert reply.status < 300, reply.body
    return reply.body


def _leaks(answer: Any, *secrets: str) -> list[str]:
    text = json.dumps(answer)
    return [s for s in secrets if s in text]


@pytest.mark.parametrize(
    ("fmt", "field"), [("grafana", "grafana_hmac_secret"), ("sentry", "sentry_client_secret")]
)
async def test_a_grafana_hmac_secret_is_shown_as_a_hint_and_survives_a_round_trip(
    store: SqliteStore, fmt: str, field: str
) -> None:
    body = {
        "name": fmt,
        "service_id": "svc",
        "format": fmt,
        "settings": {field: GRAFANA_SECRET},
    }
    created = await _call(store, "POST", "integrations", body)
    integration_id = created["integration"]["id"]
    shown = await _call(store, "GET", f"integrations/{integration_id}")
    listed = await _call(store, "GET", "integrations")
    for answer in (created, shown, listed):
        assert not _leaks(answer, GRAFANA_SECRET, GRAFANA_SECRET[:-4])
    assert shown["settings"][field] == "************WXYZ"
    # PUT back what was read (a renamed copy): the stored secret stays.
    updated = await _call(
        store, "PUT", f"integrations/{integration_id}", {**body, "name": "g2", **_put(shown)}
    )
    assert updated["settings"][field] == "************WXYZ"
    doc = await store.get("integrations", integration_id, integration_id)
    assert doc is not None and doc["settings"][field] == GRAFANA_SECRET
    # A new value replaces it.
    fresh = {**body, "settings": {field: "another-secret-0123456789"}}
    await _call(store, "PUT", f"integrations/{integration_id}", fresh)
    doc = await store.get("integrations", integration_id, integration_id)
    assert doc is not None and doc["settings"][field].startswith("another")


def _put(shown: dict[str, Any]) -> dict[str, Any]:
    return {"settings": shown["settings"]}


async def test_webhook_and_workflows_urls_are_shown_redacted(store: SqliteStore) -> None:
    created = await _call(
        store,
        "POST",
        "webhooks",
        {"team_id": "t", "name": "flow", "url": WORKFLOWS, "format": "teams_workflows"},
    )
    listed = await _call(store, "GET", "webhooks")
    for answer in (created["webhook"], listed):
        assert not _leaks(answer, WORKFLOWS, "sig=", "S3cr3tSignature", "/workflows/0a1b2c")
    assert listed["items"][0]["url"] == (
        "https://prod-07.westeurope.logic.azure.com:443/************eQ9z"
    )
    stored = await store.get("webhooks", created["webhook"]["id"], created["webhook"]["id"])
    assert stored is not None and stored["url"] == WORKFLOWS  # the app still has it to call
    # The signing secret: whole once, in the creation answer; a hint in every later one.
    signing = created["secret"]
    assert stored["secret"] == signing and not _leaks(listed, signing, signing[:-4])
    assert listed["items"][0]["secret"] == "************" + signing[-4:]


async def test_a_webhook_contact_method_is_shown_redacted_to_its_owner(
    store: SqliteStore,
) -> None:
    created = await _call(
        store, "POST", "me/contact-methods", {"kind": "webhook", "address": SLACK}
    )
    listed = await _call(store, "GET", "me/contact-methods")
    for answer in (created, listed):
        assert not _leaks(answer, "T0000/B0000", "XXXXXXXXsecret")
    assert listed["items"][0]["address"] == "https://hooks.slack.com/************cret"


async def test_the_delivery_log_shows_webhook_targets_redacted_even_for_old_entries(
    store: SqliteStore,
) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for n, target in enumerate((mask("webhook", SLACK), SLACK.split("?")[0][:80])):
        entry = DeliveryAttempt(
            id=f"d{n}",
            idempotency_key=f"k{n}",
            user_id="admin",
            incident_id="inc-1",
            channel="webhook",
            target=target,
            status="sent",
            started_at=now,
        )
        doc = {**entry.model_dump(mode="json"), "pk": "inc-1"}
        doc["created_at"] = (now + timedelta(seconds=n)).isoformat()
        await store.create("notifications", doc)
    items, _ = await list_deliveries(store=store, incident_id="inc-1")
    assert [i.target for i in items] == ["https://hooks.slack.com/************cret"] * 2


def test_the_schema_marks_secrets_write_only() -> None:
    schemas = document(API)["components"]["schemas"]
    grafana = schemas["IntegrationSettings"]["properties"]["grafana_hmac_secret"]
    assert grafana["anyOf"][0]["x-secret"] is True
    assert schemas["WebhookBody"]["properties"]["url"]["x-secret"] is True
    assert schemas["WebhookView"]["properties"]["url"]["x-secret"] is True
    assert "Write-only" in schemas["WebhookView"]["properties"]["url"]["description"]
    # Answers carry the masked hint, so OpenAPI's writeOnly (never in answers) would be wrong.
    assert "writeOnly" not in json.dumps(schemas)


def test_hints_never_show_more_than_the_last_four_characters() -> None:
    assert hint(GRAFANA_SECRET) == "************WXYZ"
    assert hint("short-secret") == "************"  # under 16: not even the last 4
    assert redact_url("https://user:pw@example.com:8443/a/b?token=abcd1234") == (
        "https://example.com:8443/************1234"
    )
    assert redact_url("not a url") == "************"
