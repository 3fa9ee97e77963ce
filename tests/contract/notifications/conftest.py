"""Real local peers for the channels: an SMTP server with STARTTLS and AUTH, a webhook receiver,
and a stub of the Azure Communication Services REST API that checks the request signing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from shared.notifications.channels import sign_webhook
from tests.fixtures.acs import ACS_KEY, AcsCalling, acs_calling_server, expected_signature

SMTP_USER, SMTP_PASSWORD = "openalert", "s3cret-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed(dir_: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = dir_ / "cert.pem", dir_ / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Mailbox:
    host: str
    port: int
    client_tls: ssl.SSLContext
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.messages.append(message_from_bytes(envelope.content))
        self.box.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok)


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    port = free_port()
    box = Mailbox("localhost", port, client_tls)
    controller = Controller(
        _Handler(box),
        hostname="127.0.0.1",
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    controller.start()
    yield box
    controller.stop()


@dataclass
class Receiver:
    url: str
    secret: str
    received: list[dict[str, Any]] = field(default_factory=list)
    #: Status codes to answer, in order, before answering 200 (simulated outages).
    script: list[int] = field(default_factory=list)
    delay: float = 0.0


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver(url="", secret="receiver-secret-0123456789")

    async def hook(request: web.Request) -> web.Response:
        import asyncio

        body = await request.read()
        if state.delay:
            await asyncio.sleep(state.delay)
        header = request.headers.get("X-OpenAlert-Signature", "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        valid = bool(parts) and hmac.compare_digest(
            sign_webhook(state.secret, body, int(parts.get("t", "0"))), header
        )
        state.received.append(
            {"body": json.loads(body), "valid": valid, "headers": dict(request.headers)}
        )
        if state.script:
            return web.Response(status=state.script.pop(0))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner, base = await _serve(app)
    state.url = base + "/hook"
    yield state
    await runner.cleanup()


@dataclass
class Acs:
    endpoint: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    sms_result: dict[str, Any] | None = None


@pytest.fixture
async def acs() -> AsyncIterator[Acs]:
    state = Acs(endpoint="")

    async def check(request: web.Request) -> tuple[bytes, bool]:
        body = await request.read()
        signed = request.headers.get("Authorization") == expected_signature(request, body)
        content_ok = (
            request.headers.get("x-ms-content-sha256")
            == base64.b64encode(hashlib.sha256(body).digest()).decode()
        )
        state.requests.append(
            {
                "path": request.path,
                "query": dict(request.query),
                "json": json.loads(body),
                "signed": signed and content_ok,
                "headers": dict(request.headers),
            }
        )
        return body, signed and content_ok

    async def sms(request: web.Request) -> web.Response:
        _, ok = await check(request)
        if not ok:
            return web.json_response({"error": {"code": "Denied"}}, status=401)
        result = state.sms_result or {
            "to": state.requests[-1]["json"]["smsRecipients"][0]["to"],
            "messageId": "Outgoing_20261122_sms_1",
            "httpStatusCode": 202,
            "successful": True,
        }
        return web.json_response({"value": [result]}, status=202)

    async def email(request: web.Request) -> web.Response:
        _, ok = await check(request)
        if not ok:
            return web.json_response({"error": {"code": "Denied"}}, status=401)
        return web.json_response(
            {"id": request.headers["Operation-Id"], "status": "Running"}, status=202
        )

    app = web.Application()
    app.router.add_post("/sms", sms)
    app.router.add_post("/emails:send", email)
    runner, base = await _serve(app)
    state.endpoint = base
    yield state
    await runner.cleanup()


@pytest.fixture
async def acs_calling() -> AsyncIterator[AcsCalling]:
    async with acs_calling_server() as state:
        yield state


__all__ = ["ACS_KEY"]
