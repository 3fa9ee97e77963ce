"""Each channel against a real local peer speaking the real protocol."""

from __future__ import annotations

import logging

import httpx
import pytest

from shared.notifications.channels import (
    AcsAuth,
    AcsEmailChannel,
    AcsSmsChannel,
    ConsoleChannel,
    PermanentDeliveryError,
    SmtpChannel,
    TransientDeliveryError,
    WebhookChannel,
)
from shared.notifications.render import Message
from tests.contract.notifications.conftest import (
    ACS_KEY,
    SMTP_PASSWORD,
    SMTP_USER,
    Acs,
    Mailbox,
    Receiver,
)

MSG = Message(
    subject="[P1] #7 Database down",
    text="Incident #7: Database down\nOpen: http://x/incidents/inc-7",
    html="<h2>Incident #7</h2>",
    short="OpenAlert P1 #7: Database down http://x/incidents/inc-7",
    url="http://x/incidents/inc-7",
)


def smtp(box: Mailbox) -> SmtpChannel:
    return SmtpChannel(
        host=box.host,
        port=box.port,
        sender="OpenAlert <alerts@example.com>",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        tls_context=box.client_tls,
    )


async def test_smtp_delivers_over_starttls_with_auth(mailbox: Mailbox) -> None:
    sent = await smtp(mailbox).send(
        target="alice@example.com", message=MSG, payload={}, idempotency_key="k1"
    )
    [mail] = mailbox.messages
    assert mailbox.recipients == [["alice@example.com"]]
    assert mail["Subject"] == MSG.subject
    assert mail["Message-ID"] == sent.provider_id
    parts = [p.get_content_type() for p in mail.walk()]
    assert "text/plain" in parts and "text/html" in parts


async def test_smtp_refused_recipient_is_permanent(mailbox: Mailbox) -> None:
    mailbox.refuse.add("ghost@example.com")
    with pytest.raises(PermanentDeliveryError, match="refused"):
        await smtp(mailbox).send(
            target="ghost@example.com", message=MSG, payload={}, idempotency_key="k2"
        )


async def test_smtp_server_down_is_transient() -> None:
    down = SmtpChannel(host="127.0.0.1", port=1, sender="a@example.com", timeout=2)
    with pytest.raises(TransientDeliveryError):
        await down.send(target="a@example.com", message=MSG, payload={}, idempotency_key="k4")


async def test_webhook_is_signed_and_classifies_failures(receiver: Receiver) -> None:
    async with httpx.AsyncClient() as http:
        channel = WebhookChannel(http, secret=receiver.secret, timeout=1.0)
        await channel.send(
            target=receiver.url, message=MSG, payload={"event": "paged"}, idempotency_key="d1"
        )
        assert receiver.received[-1]["valid"] is True
        assert receiver.received[-1]["body"] == {"event": "paged"}
        assert receiver.received[-1]["headers"]["X-OpenAlert-Delivery"] == "d1"
        receiver.script = [503]
        with pytest.raises(TransientDeliveryError):
            await channel.send(target=receiver.url, message=MSG, payload={}, idempotency_key="d2")
        receiver.script = [410]
        with pytest.raises(PermanentDeliveryError):
            await channel.send(target=receiver.url, message=MSG, payload={}, idempotency_key="d3")
        receiver.delay = 2.0
        with pytest.raises(TransientDeliveryError, match="Timeout"):
            await channel.send(target=receiver.url, message=MSG, payload={}, idempotency_key="d4")


async def test_acs_sms_wire_format_and_signature(acs: Acs) -> None:
    async with httpx.AsyncClient() as http:
        channel = AcsSmsChannel(
            http=http,
            endpoint=acs.endpoint,
            sender="+18005550100",
            auth=AcsAuth(access_key=ACS_KEY),
        )
        sent = await channel.send(
            target="+4915112345678", message=MSG, payload={}, idempotency_key="s1"
        )
        [req] = acs.requests
        assert req["signed"] is True
        assert req["query"] == {"api-version": "2021-03-07"}
        assert req["json"]["from"] == "+18005550100"
        assert req["json"]["message"] == MSG.short
        assert req["json"]["smsRecipients"][0]["to"] == "+4915112345678"
        assert sent.provider_id == "Outgoing_20261122_sms_1"
        acs.sms_result = {
            "to": "+1",
            "httpStatusCode": 400,
            "successful": False,
            "errorMessage": "Invalid To phone number format.",
        }
        with pytest.raises(PermanentDeliveryError, match="Invalid To phone number"):
            await channel.send(
                target="+4915112345678", message=MSG, payload={}, idempotency_key="s2"
            )
        bad = AcsSmsChannel(
            http=http,
            endpoint=acs.endpoint,
            sender="+18005550100",
            auth=AcsAuth(access_key="d3Jvbmc="),
        )
        with pytest.raises(PermanentDeliveryError, match="401"):
            await bad.send(target="+4915112345678", message=MSG, payload={}, idempotency_key="s3")


async def test_acs_email_wire_format(acs: Acs) -> None:
    async with httpx.AsyncClient() as http:
        channel = AcsEmailChannel(
            http=http,
            endpoint=acs.endpoint,
            sender="DoNotReply@example.com",
            auth=AcsAuth(access_key=ACS_KEY),
        )
        sent = await channel.send(
            target="bob@example.com", message=MSG, payload={}, idempotency_key="e1"
        )
        [req] = acs.requests
        assert req["signed"] is True and req["path"] == "/emails:send"
        assert req["json"]["recipients"] == {"to": [{"address": "bob@example.com"}]}
        assert req["json"]["content"]["subject"] == MSG.subject
        again = await channel.send(
            target="bob@example.com", message=MSG, payload={}, idempotency_key="e1"
        )
        assert sent.provider_id == again.provider_id, "same operation id: ACS deduplicates"


def test_every_channel_takes_the_send_arguments_the_service_passes() -> None:
    """The delivery service calls every channel the same way. mypy checks the channel map
    functions/runtime.py builds; this also holds every channel class to it, mapped or not."""
    import inspect

    from shared.msteams import service as teams
    from shared.notifications import channels, voice

    expected = {"target", "message", "payload", "idempotency_key", "delivery"}
    found = [
        cls
        for module in (channels, voice, teams)
        for cls in vars(module).values()
        if inspect.isclass(cls)
        and cls.__module__ == module.__name__
        and isinstance(getattr(cls, "name", None), str)
        and inspect.iscoroutinefunction(getattr(cls, "send", None))
    ]
    assert len(found) >= 8, [c.__name__ for c in found]
    for cls in found:
        params = set(inspect.signature(cls.send).parameters) - {"self"}
        assert params == expected, cls.__name__


async def test_console_logs_a_verification_code_only_when_told_and_never_a_pages_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    code = Message(subject="Your code", text="Your code is 123456.", html="", short="", url="")
    await ConsoleChannel().send(
        target="a@example.com", message=code, payload={"event": "verify"}, idempotency_key="k0"
    )
    assert not [r for r in caplog.records if "123456" in r.getMessage()]
    console = ConsoleChannel(show_codes=True)
    await console.send(target="a@example.com", message=MSG, payload={}, idempotency_key="k1")
    await console.send(
        target="a@example.com", message=code, payload={"event": "verify"}, idempotency_key="k2"
    )
    lines = [r.getMessage() for r in caplog.records]
    assert "NOTIFY a@example.com: Your code is 123456." in lines
    assert not [line for line in lines if "Incident #7: Database down" in line]
