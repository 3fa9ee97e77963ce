"""Delivery channels behind one small interface.

``send`` either returns :class:`Sent` or raises :class:`TransientDeliveryError` (worth
retrying: timeouts, 5xx, throttling) or :class:`PermanentDeliveryError` (never retried: an
invalid address, a rejected recipient, a 4xx). The Teams channel (``shared/msteams``) implements
the same interface. Clients (httpx, credentials) are injected, never created here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from shared.errors import InvalidInput, Unavailable
from shared.notifications.render import Message
from shared.outbound.client import OutboundBlocked, OutboundClient

log = logging.getLogger(__name__)


class TransientDeliveryError(Unavailable):
    type_slug = "delivery-transient"
    title = "Delivery failed; will retry"


class PermanentDeliveryError(InvalidInput):
    type_slug = "delivery-permanent"
    title = "Delivery failed permanently"


@dataclass(frozen=True)
class Delivery:
    """Which delivery a send is, for channels whose outcome arrives later (a voice call's
    answer, or its absence, needs the delivery log entry to mark and the page to fall through
    from). Other channels ignore it."""

    log_id: str
    method_id: str
    user_id: str
    #: The notify job being delivered (JSON), when it is one.
    job: dict[str, Any] | None = None


@dataclass(frozen=True)
class Sent:
    provider_id: str | None = None


class Channel(Protocol):
    name: str

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent: ...


def http_error(channel: str, status: int, reason: str) -> Exception:
    """The error for a refused call: its status and a short reason (the reason phrase, or a
    provider's own error message), never the response body. A webhook's answer is written by
    whoever the URL points at, and would land in delivery logs and timelines others read."""
    detail = f"{channel}: HTTP {status}: {reason[:120]}".rstrip(": ")
    if status in (408, 409, 425, 429) or status >= 500:
        return TransientDeliveryError(detail)
    return PermanentDeliveryError(detail)


class ConsoleChannel:
    """Writes the rendered message to the log: the default for local runs.

    ``show_codes`` also logs a verification message's text (its code): on for devhost, where the
    log is the only place a code reaches; off in Azure, where whoever reads the logs must not be
    able to verify an address they do not hold.
    """

    name = "console"

    def __init__(self, *, show_codes: bool = False) -> None:
        self.show_codes = show_codes

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        log.warning("NOTIFY %s: %s | %s", target or "(console)", message.subject, message.url)
        if self.show_codes and payload.get("event") == "verify":
            # Pages keep to subject and link: their text may carry alert details.
            log.warning("NOTIFY %s: %s", target or "(console)", message.text)
        return Sent(provider_id=f"console:{idempotency_key}")


@dataclass
class SmtpChannel:
    """E-mail over SMTP with STARTTLS and authentication (smtplib in a worker thread)."""

    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 15.0
    #: Tests pass a context trusting their self-signed certificate.
    tls_context: ssl.SSLContext | None = None
    name: str = "email"

    def _compose(self, target: str, message: Message, idempotency_key: str) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = target
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        # Stable per delivery: a resend after a crash threads with (and can be deduplicated
        # against) the first copy.
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        mail["Message-ID"] = make_msgid(idstring=digest, domain="openalert")
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def _send_sync(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.tls_context or ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        mail = self._compose(target, message, idempotency_key)
        try:
            await asyncio.to_thread(self._send_sync, mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(f"email: recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            # Our configuration, not the recipient: retrying will not help, but it is not the
            # person's fault either — reported like any permanent failure.
            raise PermanentDeliveryError(
                f"email: SMTP authentication failed ({exc.smtp_code})"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise PermanentDeliveryError(f"email: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TransientDeliveryError(f"email: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientDeliveryError(f"email: {type(exc).__name__}: {exc}") from exc
        return Sent(provider_id=str(mail["Message-ID"]))


def acs_hmac_headers(
    *, method: str, url: str, body: bytes, access_key: str, now: float | None = None
) -> dict[str, str]:
    """Azure Communication Services HMAC-SHA256 request signing (access-key auth)."""
    parts = urlsplit(url)
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    date = formatdate(now if now is not None else time.time(), usegmt=True)
    content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    to_sign = f"{method.upper()}\n{path_and_query}\n{date};{parts.netloc};{content_hash}"
    signature = base64.b64encode(
        hmac.new(base64.b64decode(access_key), to_sign.encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "x-ms-date": date,
        "x-ms-content-sha256": content_hash,
        "Authorization": (
            f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}"
        ),
    }


class TokenSource(Protocol):
    async def get_token(self, *scopes: str) -> Any: ...


@dataclass
class AcsAuth:
    """Access key (local and simple setups) or an Entra credential (managed identity)."""

    access_key: str = ""
    credential: TokenSource | None = None

    async def headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        if self.access_key:
            return acs_hmac_headers(method=method, url=url, body=body, access_key=self.access_key)
        if self.credential is None:
            raise PermanentDeliveryError("Azure Communication Services is not configured")
        token = await self.credential.get_token("https://communication.azure.com//.default")
        return {"Authorization": f"Bearer {token.token}"}


async def acs_post(
    http: httpx.AsyncClient,
    auth: AcsAuth,
    url: str,
    payload: dict[str, Any],
    *,
    what: str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST JSON to an ACS endpoint, signed by ``auth``: a network failure is transient, an
    answer other than 2xx is classified by :func:`http_error`."""
    body = json.dumps(payload).encode()
    signed = {
        "Content-Type": "application/json",
        **(headers or {}),
        **await auth.headers("POST", url, body),
    }
    try:
        r = await http.post(url, content=body, headers=signed)
    except httpx.HTTPError as exc:
        raise TransientDeliveryError(f"{what}: {type(exc).__name__}: {exc}") from exc
    if r.status_code >= 300:
        raise http_error(what, r.status_code, r.reason_phrase)
    return r


@dataclass
class AcsEmailChannel:
    """Azure Communication Services Email (``POST /emails:send``)."""

    http: httpx.AsyncClient
    endpoint: str
    sender: str
    auth: AcsAuth
    name: str = "email"
    api_version: str = "2023-03-31"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        url = f"{self.endpoint.rstrip('/')}/emails:send?api-version={self.api_version}"
        # ACS deduplicates retried sends that carry the same operation id.
        operation_id = str(uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key))
        payload_out = {
            "senderAddress": self.sender,
            "recipients": {"to": [{"address": target}]},
            "content": {
                "subject": message.subject,
                "plainText": message.text,
                "html": message.html,
            },
        }
        r = await acs_post(
            self.http,
            self.auth,
            url,
            payload_out,
            what="acs email",
            headers={"Operation-Id": operation_id},
        )
        return Sent(provider_id=str(r.json().get("id") or operation_id))


@dataclass
class AcsSmsChannel:
    """Azure Communication Services SMS (``POST /sms``)."""

    http: httpx.AsyncClient
    endpoint: str
    sender: str
    auth: AcsAuth
    name: str = "sms"
    api_version: str = "2021-03-07"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        url = f"{self.endpoint.rstrip('/')}/sms?api-version={self.api_version}"
        payload_out = {
            "from": self.sender,
            "smsRecipients": [
                {
                    "to": target,
                    # Repeatability: ACS drops a retry of the same request id.
                    "repeatabilityRequestId": str(uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key)),
                    "repeatabilityFirstSent": formatdate(usegmt=True),
                }
            ],
            "message": message.short,
            "smsSendOptions": {"enableDeliveryReport": True},
        }
        r = await acs_post(self.http, self.auth, url, payload_out, what="acs sms")
        results = r.json().get("value") or [{}]
        first = results[0]
        if not first.get("successful", False):
            status = int(first.get("httpStatusCode") or 500)
            raise http_error("acs sms", status, str(first.get("errorMessage") or "not sent"))
        return Sent(provider_id=first.get("messageId"))


def sign_webhook(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


@dataclass
class WebhookChannel:
    """JSON POST with ``X-OpenAlert-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``.

    Receivers should recompute the signature and reject timestamps older than 5 minutes. The
    target is user-configured, so the call goes through the outbound guard (``shared.outbound``);
    a refused target is a permanent failure. Errors never carry the URL: it is a credential.
    """

    http: OutboundClient
    secret: str = ""
    timeout: float = 5.0
    name: str = "webhook"

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        body = json.dumps(payload, separators=(",", ":"), default=str).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "OpenAlert-Webhook/1",
            "X-OpenAlert-Delivery": idempotency_key,
        }
        if self.secret:
            headers["X-OpenAlert-Signature"] = sign_webhook(self.secret, body, int(time.time()))
        try:
            r = await self.http.post(target, content=body, headers=headers, timeout=self.timeout)
        except OutboundBlocked as exc:
            raise PermanentDeliveryError(f"webhook: target not allowed: {exc.reason}") from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise PermanentDeliveryError("webhook: the URL is not valid") from None
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"webhook: {type(exc).__name__}") from None
        if r.status_code >= 300:
            raise http_error("webhook", r.status_code, r.reason_phrase)
        return Sent(provider_id=r.headers.get("x-request-id"))
