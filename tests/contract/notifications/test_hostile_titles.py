"""An alert's title cannot stop a page: sanitised per channel, and any channel error is one
failed method, logged, after which the next method and the next rule step still run."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.incidents.models import Incident
from shared.notifications import delivery, service
from shared.notifications.channels import Delivery, Sent, SmtpChannel
from shared.notifications.models import ContactMethod, NotificationRules, NotifyStep, WaitStep
from shared.notifications.render import Message, render_incident
from shared.notifications.sanitize import BIDI_CONTROLS
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.conftest import SMTP_PASSWORD, SMTP_USER, Mailbox, Receiver
from tests.contract.notifications.test_service import NOW, Clock, add, job, ports
from tests.contract.notifications.test_service import http as _http
from tests.contract.notifications.test_service import store as _store

# The same real SQLite store and HTTP client as the service tests.
store, http = _store, _http

HOSTILE = "API down\r\nBcc: victim@example.com\x1b[31m \u202eevil\u2066 \x07\u2028end"


async def _hostile_title(store: SqliteStore) -> None:
    doc = await store.get("incidents", "inc-1", "inc-1")
    assert doc is not None
    await store.replace(
        "incidents", {**{k: v for k, v in doc.items() if k != "_etag"}, "title": HOSTILE}
    )


async def _rules(store: SqliteStore, *steps: Any) -> None:
    await store.upsert(
        "notification_rules",
        {
            "id": "alice",
            "pk": "alice",
            "user_id": "alice",
            **NotificationRules(default=tuple(steps)).model_dump(mode="json"),
        },
    )


def _smtp(mailbox: Mailbox) -> SmtpChannel:
    return SmtpChannel(
        host=mailbox.host,
        port=mailbox.port,
        sender="oa@example.com",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=mailbox.client_tls,
    )


async def test_a_title_with_a_line_break_is_mailed_on_one_subject_line(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver, mailbox: Mailbox
) -> None:
    await _hostile_title(store)
    await add(
        store,
        ContactMethod(
            id="cm-e", user_id="alice", kind="email", address="alice@example.com", verified=True
        ),
        ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url),
    )
    await _rules(store, NotifyStep(contact="cm-e"), NotifyStep(contact="cm-w"))
    p = ports(store, http, Clock(), email=_smtp(mailbox))
    outcome = await service.deliver(job(importance="important"), ports=p)
    assert outcome.sent == 2
    [mail] = mailbox.messages
    assert mail["Bcc"] is None and mailbox.recipients == [["alice@example.com"]]
    subject = str(mail["Subject"])
    assert "API down Bcc: victim@example.com" in subject and "evil" in subject
    assert not any(ch in subject for ch in "\r\n\x07\x1b\u202e\u2066\u2028")
    log, _ = await delivery.list_deliveries(store=store, incident_id="inc-1")
    assert sorted((d.channel, d.status) for d in log) == [("email", "sent"), ("webhook", "sent")]


@dataclass
class Exploding:
    name: str = "sms"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        raise RuntimeError("a bug in the channel")


async def test_any_channel_error_is_a_failed_method_and_the_page_goes_on(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store,
        ContactMethod(id="cm-s", user_id="alice", kind="sms", address="+15550100", verified=True),
        ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url),
    )
    await _rules(
        store,
        NotifyStep(contact="cm-s"),
        NotifyStep(contact="cm-w"),
        WaitStep(minutes=5),
        NotifyStep(contact="cm-s"),
    )
    p = ports(store, http, Clock(), sms=Exploding())
    outcome = await service.deliver(job(importance="important"), ports=p)
    assert outcome.sent == 1 and len(receiver.received) == 1, "the webhook still went out"
    log, _ = await delivery.list_deliveries(store=store, incident_id="inc-1")
    by_channel = {d.channel: d for d in log}
    assert by_channel["sms"].status == "failed_permanent"
    assert "RuntimeError: a bug in the channel" in (by_channel["sms"].error or "")
    assert by_channel["webhook"].status == "sent"
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=10)
    lines = [e["message"] for e in page.items if e["kind"] == "notification"]
    assert any(m.startswith("Could not reach Alice by sms: sms: RuntimeError") for m in lines)
    pending = await store.query("notification_pending", limit=10)
    assert [d["job"]["rule_step"] for d in pending.items] == [1], "the next rule step is due"


def _hostile_text(*extra: str, codec: str | None = "utf-8") -> st.SearchStrategy[str]:
    specials = [*sorted(BIDI_CONTROLS), "\r", "\n", "\x00", "\x1b", "\u2028", *extra]
    return st.text(
        alphabet=st.one_of(st.characters(codec=codec), st.sampled_from(specials)),
        min_size=1,
        max_size=300,
    )


# A lone surrogate cannot be a title (the model refuses it) but reaches a service name.
@given(title=_hostile_text(), service_name=_hostile_text("\ud800", codec=None))
def test_every_rendered_one_line_field_is_clean(title: str, service_name: str) -> None:
    incident = Incident(
        id="i", number=1, title=title, team_id="t", service_id="s", created_at=NOW, updated_at=NOW
    )
    message = render_incident(incident, base_url="https://oa.example", service_name=service_name)
    for text in (message.subject, message.short, message.spoken):
        assert not {unicodedata.category(ch) for ch in text} & {"Cc", "Cs", "Zl", "Zp"}
        assert not set(text) & BIDI_CONTROLS
        text.encode("utf-8")
    for text in (message.text, message.html):
        assert "\r" not in text and not set(text) & BIDI_CONTROLS
        text.encode("utf-8")
    assert message.short.endswith(message.url)


async def test_a_page_still_failing_after_its_retries_says_so_on_the_timeline(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    receiver.script = [503] * 4
    with pytest.raises(service.TransientDeliveryError):
        await service.deliver(job(importance="important"), ports=ports(store, http, Clock()))
    page = await store.query("timeline", where=[eq("incident_id", "inc-1")], limit=10)
    [line] = [e["message"] for e in page.items if e["kind"] == "notification"]
    assert line.startswith("Could not reach Alice by webhook yet: webhook: HTTP 503")
