"""Delivery against a real SQLite store and real local peers (webhook receiver, SMTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.incidents.models import Incident, IncidentStatus
from shared.notifications import contacts, deferral, delivery, service
from shared.notifications.channels import ConsoleChannel, SmtpChannel, WebhookChannel
from shared.notifications.models import (
    ContactMethod,
    DigestJob,
    NotificationRules,
    NotifyJob,
    NotifyStep,
    WaitStep,
    WebhookJob,
)
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.conftest import SMTP_PASSWORD, SMTP_USER, Mailbox, Receiver

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    incident = Incident(
        id="inc-1",
        number=3,
        title="API down",
        team_id="t",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
    )
    await s.create("incidents", to_doc(incident))
    await s.create("services", {"id": "svc", "pk": "svc", "name": "Checkout", "team_id": "t"})
    await s.create("users", {"id": "alice", "pk": "alice", "name": "Alice"})
    yield s
    await s.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def ports(
    store: SqliteStore, http: httpx.AsyncClient, clock: Clock, **channels: Any
) -> delivery.NotifyPorts:
    return delivery.NotifyPorts(
        store=store,
        channels={"console": ConsoleChannel(), "webhook": WebhookChannel(http), **channels},
        http=http,
        base_url="https://oa.example.com",
        bundle_window=timedelta(seconds=30),
        clock=clock,
        sleep=no_sleep,
    )


async def add(store: SqliteStore, *methods: ContactMethod) -> None:
    for m in methods:
        await store.create("contact_methods", to_doc(m, pk_field="user_id", pk=m.user_id))


def job(key: str = "inc-1:c0:r0:s0:alice", **kw: Any) -> NotifyJob:
    return NotifyJob(incident_id="inc-1", user_id="alice", idempotency_key=key, **kw)


async def test_delivers_once_and_a_redelivery_is_skipped(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    p = ports(store, http, Clock())
    outcome = await service.deliver(job(), ports=p)
    assert outcome.sent == 1 and len(receiver.received) == 1
    body = receiver.received[0]["body"]
    assert body["event"] == "paged" and body["incident"]["id"] == "inc-1"
    again = await service.deliver(job(), ports=p)
    assert again.sent == 0 and len(receiver.received) == 1
    log, _ = await delivery.list_deliveries(store=store, incident_id="inc-1")
    assert [(d.channel, d.status, d.attempts) for d in log] == [("webhook", "sent", 1)]


async def test_transient_failures_retry_then_raise_for_redelivery(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    p = ports(store, http, Clock())
    receiver.script = [500, 502]
    ok = await service.deliver(job("k-ok", importance="important"), ports=p)
    assert ok.sent == 1, "third try succeeds"
    receiver.script = [500] * 4
    with pytest.raises(service.TransientDeliveryError):
        # Important pages are never held for bundling.
        await service.deliver(job("k-fail", importance="important"), ports=p)
    log, _ = await delivery.list_deliveries(store=store, user_id="alice")
    statuses = sorted((d.idempotency_key, d.status, d.attempts) for d in log)
    assert ("k-fail:r0", "failed_transient", 4) in statuses
    assert ("k-ok:r0", "sent", 3) in statuses


async def test_permanent_failure_is_on_the_timeline_and_falls_through(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver, mailbox: Mailbox
) -> None:
    mailbox.refuse.add("gone@example.com")
    await add(
        store,
        ContactMethod(
            id="cm-e",
            user_id="alice",
            kind="email",
            address="gone@example.com",
            verified=True,
            created_at=NOW,
        ),
        ContactMethod(
            id="cm-w",
            user_id="alice",
            kind="webhook",
            address=receiver.url,
            created_at=NOW + timedelta(seconds=1),
        ),
    )
    await store.upsert(
        "notification_rules",
        {
            "id": "alice",
            "pk": "alice",
            "user_id": "alice",
            **NotificationRules(default=(NotifyStep(contact="email"),)).model_dump(mode="json"),
        },
    )
    smtp = SmtpChannel(
        host=mailbox.host,
        port=mailbox.port,
        sender="oa@example.com",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=mailbox.client_tls,
    )
    p = ports(store, http, Clock(), email=smtp)
    outcome = await service.deliver(job(), ports=p)
    assert outcome.sent == 1 and len(receiver.received) == 1, "fell through to the webhook"
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=10)
    [entry] = [e for e in page.items if e["kind"] == "notification"]
    assert entry["message"].startswith("Could not reach Alice by email: email: recipient refused")
    assert entry["message"].endswith("trying webhook")


async def test_rule_waits_become_pending_steps_the_flush_emits(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    await store.upsert(
        "notification_rules",
        {
            "id": "alice",
            "pk": "alice",
            "user_id": "alice",
            **NotificationRules(
                default=(
                    NotifyStep(contact="cm-w"),
                    WaitStep(minutes=5),
                    NotifyStep(contact="cm-w"),
                )
            ).model_dump(mode="json"),
        },
    )
    clock = Clock()
    p = ports(store, http, clock)
    await service.deliver(job(), ports=p)
    assert await deferral.flush(ports=p) == []
    clock.now = NOW + timedelta(minutes=5)
    [follow_up] = await deferral.flush(ports=p)
    assert follow_up["rule_step"] == 1
    assert await deferral.flush(ports=p) == [], "claimed: a second flush does not emit it"
    await service.deliver(NotifyJob.model_validate(follow_up), ports=p)
    assert len(receiver.received) == 2
    # Acknowledged meanwhile: the next follow-up is skipped.
    doc = await store.get("incidents", "inc-1", "inc-1")
    assert doc is not None
    await store.replace(
        "incidents", {**doc, "status": IncidentStatus.ACKNOWLEDGED.value}, if_match=doc["_etag"]
    )
    skipped = await service.deliver(NotifyJob.model_validate(follow_up), ports=p)
    assert skipped.skipped == "incident acknowledged"


async def test_bundling_turns_a_storm_into_one_digest(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    for n in (2, 3):
        incident = Incident(
            id=f"inc-{n}",
            number=n + 2,
            title=f"storm {n}",
            team_id="t",
            service_id="svc",
            created_at=NOW,
            updated_at=NOW,
        )
        await store.create("incidents", to_doc(incident))
    clock = Clock()
    p = ports(store, http, clock)
    first = await service.deliver(job("a"), ports=p)
    assert first.sent == 1
    held = [
        await service.deliver(
            NotifyJob(incident_id=f"inc-{n}", user_id="alice", idempotency_key=f"k{n}"), ports=p
        )
        for n in (2, 3)
    ]
    assert all(h.held for h in held) and len(receiver.received) == 1
    clock.now = NOW + timedelta(seconds=31)
    [digest] = await deferral.flush(ports=p)
    parsed = DigestJob.model_validate(digest)
    assert parsed.incident_ids == ("inc-2", "inc-3")
    await service.deliver(parsed, ports=p)
    assert len(receiver.received) == 2
    assert [i["id"] for i in receiver.received[1]["body"]["incidents"]] == ["inc-2", "inc-3"]
    clock.now = NOW + timedelta(seconds=200)
    assert await deferral.flush(ports=p) == [], "delivered digests release their pages"


async def test_outgoing_webhook_filters_events_and_signs(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await store.create(
        "webhooks",
        {
            "id": "wh-1",
            "pk": "wh-1",
            "team_id": "t",
            "name": "ops bridge",
            "url": receiver.url,
            "secret": receiver.secret,
            "events": ["escalated"],
            "timeout_seconds": 2,
        },
    )
    p = ports(store, http, Clock())
    skipped = await service.deliver(
        WebhookJob(incident_id="inc-1", webhook_id="wh-1", event="resolved", idempotency_key="w1"),
        ports=p,
    )
    assert skipped.skipped and not receiver.received
    await service.deliver(
        WebhookJob(incident_id="inc-1", webhook_id="wh-1", event="escalated", idempotency_key="w2"),
        ports=p,
    )
    [got] = receiver.received
    assert got["valid"] and got["body"]["event"] == "escalated"


async def test_contact_verification_by_email(
    store: SqliteStore, http: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    smtp = SmtpChannel(
        host=mailbox.host,
        port=mailbox.port,
        sender="oa@example.com",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=mailbox.client_tls,
    )
    p = ports(store, http, Clock(), email=smtp)
    method = await contacts.add_contact_method(
        ports=p, user_id="alice", kind="email", address="alice@example.com"
    )
    assert not method.verified and not method.usable
    [mail] = mailbox.messages
    text = next(
        part.get_payload(decode=True).decode()
        for part in mail.walk()
        if part.get_content_type() == "text/plain"
    )
    code = next(w for w in text.replace(".", " ").split() if w.isdigit() and len(w) == 6)
    with pytest.raises(service.InvalidInput):
        await contacts.verify_contact_method(
            ports=p,
            user_id="alice",
            method_id=method.id,
            code="000000" if code != "000000" else "111111",
        )
    verified = await contacts.verify_contact_method(
        ports=p, user_id="alice", method_id=method.id, code=code
    )
    assert verified.verified and verified.usable


async def test_no_contact_method_pages_on_the_console_and_says_so(
    store: SqliteStore, http: httpx.AsyncClient
) -> None:
    outcome = await service.deliver(job(), ports=ports(store, http, Clock()))
    assert outcome.sent == 1
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=10)
    assert any("no usable contact method" in e["message"] for e in page.items)


async def test_teams_workflows_webhook_gets_a_notify_only_card(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await store.create(
        "webhooks",
        {
            "id": "wh-2",
            "pk": "wh-2",
            "team_id": "t",
            "name": "workflows",
            "url": receiver.url,
            "secret": receiver.secret,
            "format": "teams_workflows",
        },
    )
    await service.deliver(
        WebhookJob(incident_id="inc-1", webhook_id="wh-2", event="created", idempotency_key="w3"),
        ports=ports(store, http, Clock()),
    )
    [got] = receiver.received
    [attachment] = got["body"]["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert [a["type"] for a in card["actions"]] == ["Action.OpenUrl"]
    assert card["actions"][0]["url"] == "https://oa.example.com/incidents/inc-1"


async def test_each_contact_of_a_step_is_its_own_delivery_and_a_retry_is_the_same(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    """Two webhooks of one rule step are two deliveries to the provider (two idempotency keys:
    a shared one would make the second a "repeat" of the first, as ACS treats a repeated
    Repeatability-Request-ID); a retry of one carries its key again."""
    await add(
        store,
        ContactMethod(id="cm-1", user_id="alice", kind="webhook", address=receiver.url),
        ContactMethod(id="cm-2", user_id="alice", kind="webhook", address=receiver.url + "?2"),
    )
    await store.create(
        "notification_rules",
        {
            "id": "alice",
            "pk": "alice",
            "user_id": "alice",
            **NotificationRules(default=(NotifyStep(contact="webhook"),)).model_dump(mode="json"),
        },
    )
    receiver.script = [503]  # the first request fails once and is retried
    outcome = await service.deliver(job(importance="important"), ports=ports(store, http, Clock()))
    assert outcome.sent == 2
    keys = [r["headers"]["X-OpenAlert-Delivery"] for r in receiver.received]
    assert len(keys) == 3 and keys[0] == keys[1] != keys[2]
