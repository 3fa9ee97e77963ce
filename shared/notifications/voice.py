"""Voice calls through Azure Communication Services Call Automation.

Placing a call (:class:`AcsVoiceChannel`) only starts it: ACS answers ``201`` with a call
connection id and then reports progress as CloudEvents posted to the call's callback URL,
``POST /api/voice/callbacks/{token}`` (:func:`handle_callback`). The token is a random per-call
secret; only its sha256 is stored (as the call document's id), so the URL is the credential,
and a copy of the database does not let anyone drive a call.

A page: ``CallConnected`` -> read the incident and collect one DTMF tone (1 acknowledge,
2 escalate) -> the action is taken *as the person called*, through the incident service like
any other action -> a confirmation is played -> ``PlayCompleted`` -> hang up. A call with
nothing to decide (a verification code, a direct message) is read out twice, then hung up.
No answer, busy, or a call that could not be placed is a delivery failure: the delivery log
entry is marked failed, the timeline says so, and the page falls through to another contact
method of the person (a queued job), as a synchronous failure would.

Callback authentication: with ``ACS_CALLBACK_AUDIENCE`` set (the ACS resource's immutable
resource id), every callback must also carry the JWT Call Automation signs for it
(``Authorization: Bearer``; RS256, issuer ``https://acscallautomation.communication.azure.com``,
keys from its OpenID metadata, five-minute lifetime) — :class:`AcsCallbackAuthenticator`.
Anything else is a 401 before the call is even looked up.

Idempotency: ACS may deliver an event more than once. Each (call, event id) is claimed with a
create before it is acted on; a repeat is skipped. If acting fails the claim is removed and
the error propagates, so ACS's redelivery tries again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any, Literal

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared import jsonin
from shared.auth.access import principal_of
from shared.auth.documents import load_user
from shared.auth.headers import required_bearer
from shared.auth.secret_hash import secret_hash
from shared.auth.tokens import JwksCache
from shared.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unauthenticated,
)
from shared.incidents.models import Action, Actor, Incident
from shared.notifications import delivery as notifications
from shared.notifications.channels import (
    AcsAuth,
    Delivery,
    PermanentDeliveryError,
    Sent,
    TransientDeliveryError,
    http_error,
)
from shared.notifications.models import NotifyJob
from shared.notifications.render import Message
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import DocumentStore
from shared.store.retry import RETRY, Retry, optimistic

log = logging.getLogger(__name__)

CALLS = "voice_calls"
EVENTS = "voice_events"
#: ``secrets.token_urlsafe(32)`` is 43 characters; anything else is not one of ours.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: ACS posts a handful of events per request; a body this large is not from ACS.
MAX_BODY_BYTES = 256 * 1024
MAX_EVENTS = 100
#: How often the menu is offered when nothing (or a wrong key) was pressed.
MAX_PROMPTS = 3
MENU = "Press 1 to acknowledge. Press 2 to escalate."
VOICE_LOCALE = "en-US"
DEFAULT_VOICE = "en-US-JennyNeural"
#: SIP-style result codes ACS reports for a call that reached nobody. A number that does not
#: exist or may not be called (4xx other than these) is permanent; the rest may work later.
_NO_ANSWER = {408: "no answer", 480: "no answer", 487: "no answer", 486: "busy", 603: "declined"}
_PERMANENT = {400, 401, 403, 404, 410, 484}

Act = Callable[..., Awaitable[Incident]]


# --- the callback events (CloudEvents, JSON array) -------------------------------------------
class ResultInformation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    code: int = Field(default=0, ge=0, le=100_000)
    sub_code: int = Field(default=0, alias="subCode", ge=0, le=100_000_000)
    message: str = Field(default="", max_length=2000)


class DtmfResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Tone names as ACS spells them: "zero" .. "nine", "asterisk", "pound", "a" .. "d".
    tones: tuple[str, ...] = Field(default=(), max_length=50)


class EventData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    call_connection_id: str = Field(default="", alias="callConnectionId", max_length=200)
    operation_context: str | None = Field(default=None, alias="operationContext", max_length=2000)
    result_information: ResultInformation | None = Field(default=None, alias="resultInformation")
    dtmf_result: DtmfResult | None = Field(default=None, alias="dtmfResult")


class CallEvent(BaseModel):
    """The fields of an ACS Call Automation CloudEvent that OpenAlert acts on."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    data: EventData = Field(default_factory=EventData)

    @property
    def kind(self) -> str:
        """``Microsoft.Communication.CallConnected`` -> ``CallConnected``."""
        return self.type.rsplit(".", 1)[-1]


_EVENTS: TypeAdapter[list[CallEvent]] = TypeAdapter(list[CallEvent])


def parse_events(body: bytes) -> list[CallEvent]:
    """The callback body as events; anything else is :class:`InvalidInput` (400)."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        raw = jsonin.loads(body, field="body")
    except jsonin.InvalidJson as exc:
        raise InvalidInput(f"the body is {exc.detail}", field="body") from None
    if isinstance(raw, dict):
        raw = [raw]  # a single CloudEvent in structured mode
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("expected a JSON array of CloudEvents", field="body")
    if len(raw) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events per request", field="body")
    try:
        return _EVENTS.validate_python(raw)
    except (ValidationError, RecursionError) as exc:
        raise InvalidInput(f"not a Call Automation event: {str(exc)[:300]}", field="body") from None


def classify_failure(info: ResultInformation | None) -> tuple[bool, str]:
    """(permanent, reason) for a call that reached nobody."""
    code = info.code if info else 0
    if code in _NO_ANSWER:
        return False, _NO_ANSWER[code]
    detail = (info.message if info else "") or "the call failed"
    text = f"{detail} ({code}/{info.sub_code})" if info and code else detail
    return code in _PERMANENT, text


# --- the call document -----------------------------------------------------------------------
CallState = Literal["calling", "connected", "done", "failed"]


class VoiceCall(BaseModel):
    """One placed call. ``id`` is sha256 of the callback token; the token itself is not kept."""

    model_config = ConfigDict(frozen=True)

    id: str
    target: str
    purpose: Literal["page", "readout"]
    spoken: str = Field(max_length=4000)
    idempotency_key: str
    incident_id: str | None = None
    user_id: str | None = None
    method_id: str | None = None
    #: The delivery log entry to mark failed when nobody answers.
    log_id: str | None = None
    #: The page this call delivered (for the fall-through job after a failure).
    job: dict[str, Any] | None = None
    state: CallState = "calling"
    prompts: int = 0
    outcome: str | None = None
    created_at: datetime


def _phone(number: str) -> dict[str, Any]:
    return {"kind": "phoneNumber", "phoneNumber": {"value": number}}


# --- the Call Automation REST client ---------------------------------------------------------
@dataclass
class AcsCallAutomation:
    """The four Call Automation operations a page needs (REST, api-version 2024-09-15)."""

    http: httpx.AsyncClient
    endpoint: str
    auth: AcsAuth
    #: Azure AI services resource connected to the ACS resource; ACS needs it for text-to-speech.
    cognitive_services_endpoint: str = ""
    voice_name: str = DEFAULT_VOICE
    api_version: str = "2024-09-15"

    def _url(self, path: str) -> str:
        base = self.endpoint.rstrip("/")
        return f"{base}/calling/callConnections{path}?api-version={self.api_version}"

    async def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = self._url(path)
        content = json.dumps(body).encode() if body is not None else b""
        signed = {**(headers or {}), **await self.auth.headers(method, url, content)}
        if body is not None:
            signed["Content-Type"] = "application/json"
        try:
            return await self.http.request(method, url, content=content, headers=signed)
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"acs voice: {type(exc).__name__}: {exc}") from exc

    async def create_call(
        self, *, target: str, caller_id: str, callback_uri: str, repeat_key: str
    ) -> str:
        body: dict[str, Any] = {
            "targets": [_phone(target)],
            "sourceCallerIdNumber": {"value": caller_id},
            "callbackUri": callback_uri,
        }
        if self.cognitive_services_endpoint:
            body["callIntelligenceOptions"] = {
                "cognitiveServicesEndpoint": self.cognitive_services_endpoint
            }
        headers = {
            # Repeatability: a retried create after a lost answer does not ring twice.
            "Repeatability-Request-ID": str(uuid.uuid5(uuid.NAMESPACE_URL, repeat_key)),
            "Repeatability-First-Sent": formatdate(usegmt=True),
        }
        r = await self._send("POST", "", body, headers)
        if r.status_code >= 300:
            raise http_error("acs voice", r.status_code, r.reason_phrase)
        try:
            call_id = str(r.json()["callConnectionId"])
        except (ValueError, KeyError, TypeError):
            raise TransientDeliveryError("acs voice: the answer has no callConnectionId") from None
        return call_id

    def _text(self, text: str) -> dict[str, Any]:
        return {
            "kind": "text",
            "text": {"text": text, "sourceLocale": VOICE_LOCALE, "voiceName": self.voice_name},
        }

    async def recognize(self, call_id: str, *, target: str, prompt: str, context: str) -> None:
        body = {
            "recognizeInputType": "dtmf",
            "playPrompt": self._text(prompt),
            "interruptCallMediaOperation": True,
            "recognizeOptions": {
                "interruptPrompt": True,
                "initialSilenceTimeoutInSeconds": 10,
                "targetParticipant": _phone(target),
                "dtmfOptions": {"maxTonesToCollect": 1, "interToneTimeoutInSeconds": 5},
            },
            "operationContext": context,
        }
        await self._expect(await self._send("POST", f"/{call_id}:recognize", body))

    async def play(self, call_id: str, *, target: str, text: str, context: str) -> None:
        body = {
            "playSources": [self._text(text)],
            "playTo": [_phone(target)],
            "playOptions": {"loop": False},
            "operationContext": context,
        }
        await self._expect(await self._send("POST", f"/{call_id}:play", body))

    async def hang_up(self, call_id: str) -> None:
        r = await self._send("DELETE", f"/{call_id}", None)
        if r.status_code == 404:
            return  # the person hung up first
        await self._expect(r)

    @staticmethod
    async def _expect(r: httpx.Response) -> None:
        if r.status_code >= 300:
            raise http_error("acs voice", r.status_code, r.reason_phrase)


# --- the channel -----------------------------------------------------------------------------
@dataclass
class AcsVoiceChannel:
    """Places a call; what happens on it is driven by :func:`handle_callback`.

    ``send`` returns once ACS accepted the call (the delivery log says ``sent``); a call nobody
    answers is reported later and turns that entry into a failure.
    """

    calls: AcsCallAutomation
    store: DocumentStore
    caller_id: str
    #: Public base URL of this app as ACS reaches it (``https://<app>.azurewebsites.net``).
    callback_base: str
    name: str = "voice"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def send(
        self,
        *,
        target: str,
        message: Message,
        payload: dict[str, Any],
        idempotency_key: str,
        delivery: Delivery | None = None,
    ) -> Sent:
        token = secrets.token_urlsafe(32)
        incident = payload.get("incident") or {}
        page = payload.get("event") == "paged" and bool(incident.get("id"))
        call = VoiceCall(
            id=secret_hash(token),
            target=target,
            purpose="page" if page else "readout",
            spoken=(message.spoken or message.subject)[:4000],
            idempotency_key=idempotency_key,
            incident_id=str(incident["id"]) if incident.get("id") else None,
            user_id=delivery.user_id if delivery else payload.get("user_id"),
            method_id=delivery.method_id if delivery else None,
            log_id=delivery.log_id if delivery else None,
            job=delivery.job if delivery else None,
            created_at=self.clock(),
        )
        await self.store.create(CALLS, to_doc(call))
        try:
            call_id = await self.calls.create_call(
                target=target,
                caller_id=self.caller_id,
                callback_uri=f"{self.callback_base.rstrip('/')}/api/voice/callbacks/{token}",
                repeat_key=idempotency_key,
            )
        except PermanentDeliveryError:
            await self.store.delete(CALLS, call.id, call.id)
            raise
        # A transient failure keeps the document: ACS may have placed the call and lost only
        # its answer (the retry's Repeatability-Request-ID then returns that call, whose events
        # come to this document's token). Unused ones expire with the container's TTL.
        return Sent(provider_id=call_id)


# --- the callback ----------------------------------------------------------------------------
#: Clock skew allowed on ``exp``/``nbf``/``iat`` (seconds).
CALLBACK_LEEWAY_S = 60


class AcsCallbackAuthenticator:
    """Checks the JWT Call Automation sends with each callback: RS256 only, a key from the
    issuer's JWKS (refreshed on an unknown ``kid``), ``iss``, ``aud`` = the ACS resource's
    immutable id, and a present, unexpired ``exp``."""

    def __init__(
        self,
        *,
        audience: str,
        http: httpx.AsyncClient,
        issuer: str,
        metadata_url: str,
    ) -> None:
        """``issuer`` and ``metadata_url``: Call Automation's token issuer and where it
        publishes its keys (their defaults are the settings ``ACS_CALLBACK_ISSUER`` and
        ``ACS_CALLBACK_OPENID_METADATA_URL``; docs: "How to secure webhook endpoint")."""
        self.audience = audience
        self.issuer = issuer
        self._keys = JwksCache(issuer=issuer, http=http, metadata_url=metadata_url)

    async def validate(self, authorization: str | None) -> dict[str, Any]:
        token = required_bearer(authorization, "A Call Automation token is required.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The Call Automation token is not valid.") from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise Unauthenticated("The Call Automation token is not valid.")
        key = await self._keys.get_key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=CALLBACK_LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            log.info("voice callback token rejected: %s", exc)
            raise Unauthenticated("The Call Automation token is not valid.") from None
        return claims


@dataclass
class VoicePorts:
    store: DocumentStore
    calls: AcsCallAutomation
    #: ``shared.incidents.service.act`` with store and escalation bound.
    act: Act
    #: Turns a failed call into the person's fall-through job (None: no other method).
    fall_through: Callable[[NotifyJob, str], Awaitable[tuple[str | None, dict[str, Any] | None]]]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: None: the per-call token is the only credential (ACS_CALLBACK_AUDIENCE unset).
    authenticator: AcsCallbackAuthenticator | None = None


@dataclass
class Handled:
    handled: int = 0
    duplicates: int = 0
    #: Queue messages (a fall-through page, Teams card updates).
    messages: list[dict[str, Any]] = field(default_factory=list)


async def handle_callback(
    token: str, body: bytes, *, ports: VoicePorts, authorization: str | None = None
) -> Handled:
    """Act on ACS's events for the call behind ``token``. An unknown token is NotFound before
    the body is even read, so a forger learns nothing and causes nothing; with an
    authenticator, a callback without Call Automation's valid JWT is Unauthenticated first."""
    if ports.authenticator is not None:
        await ports.authenticator.validate(authorization)
    if not _TOKEN.match(token):
        raise NotFound("No such call.")
    call_id = secret_hash(token)
    if await ports.store.get(CALLS, call_id, call_id) is None:
        raise NotFound("No such call.")
    events = parse_events(body)
    out = Handled()
    for event in events:
        marker = hashlib.sha256(f"{call_id}|{event.id}".encode()).hexdigest()[:40]
        try:
            await ports.store.create(
                EVENTS,
                {
                    "id": marker,
                    "pk": marker,
                    "call_id": call_id,
                    "type": event.type,
                    "at": utc_iso(ports.clock()),
                },
            )
        except Conflict:
            out.duplicates += 1
            continue
        try:
            await _on_event(call_id, event, ports, out)
        except BaseException:
            await ports.store.delete(EVENTS, marker, marker)
            raise
        out.handled += 1
    return out


async def _load(store: DocumentStore, call_id: str) -> tuple[VoiceCall, str]:
    doc = await store.get(CALLS, call_id, call_id)
    if doc is None:
        raise NotFound("No such call.")
    return from_doc(VoiceCall, doc), str(doc["_etag"])


async def _update(
    store: DocumentStore, call_id: str, change: Callable[[VoiceCall], dict[str, Any] | None]
) -> VoiceCall | None:
    """Change the call document with optimistic concurrency (ACS may post events at once):
    ``change`` decides on each fresh read what to write, or None to write nothing (then None is
    returned), so two events never both act on one state."""

    async def attempt(_: int) -> VoiceCall | Retry | None:
        call, etag = await _load(store, call_id)
        changes = change(call)
        if changes is None:
            return None
        updated = call.model_copy(update=changes)
        try:
            await store.replace(CALLS, to_doc(updated), if_match=etag)
        except PreconditionFailed:
            return RETRY
        return updated

    return await optimistic(
        attempt, attempts=5, exhausted=lambda: Conflict("The call is changing too fast.")
    )


async def _on_event(call_id: str, event: CallEvent, ports: VoicePorts, out: Handled) -> None:
    call, _ = await _load(ports.store, call_id)
    connection = event.data.call_connection_id
    kind = event.kind
    if kind == "CallConnected":
        if not connection:
            return
        connected = await _update(
            ports.store,
            call_id,
            # A page asks its first question at once: both in one write.
            lambda c: (
                {"state": "connected", "prompts": 1 if c.purpose == "page" else c.prompts}
                if c.state == "calling"
                else None
            ),
        )
        if connected is None:
            return
        if connected.purpose == "page":
            await _ask(ports, connected, connection)
        else:
            text = f"{call.spoken} I repeat. {call.spoken} Goodbye."
            await ports.calls.play(connection, target=call.target, text=text, context="readout")
    elif kind == "RecognizeCompleted":
        if call.state != "connected" or call.purpose != "page" or not connection:
            return
        tones = event.data.dtmf_result.tones if event.data.dtmf_result else ()
        tone = tones[0] if tones else ""
        if tone in ("one", "two"):
            await _decide(
                ports, call, connection, "acknowledge" if tone == "one" else "escalate", out
            )
        else:
            await _reprompt(ports, call, connection)
    elif kind == "RecognizeFailed":
        if call.state == "connected" and call.purpose == "page" and connection:
            await _reprompt(ports, call, connection)
    elif kind in ("PlayCompleted", "PlayFailed"):
        if call.state == "connected" and connection and event.data.operation_context != "prompt":
            await ports.calls.hang_up(connection)
            await _update(ports.store, call_id, _done)
    elif kind in ("CreateCallFailed", "ConnectFailed"):
        await _failed(ports, call, event.data.result_information, out)
    elif kind == "CallDisconnected":
        if call.state == "calling":
            await _failed(ports, call, event.data.result_information, out)
        elif call.state == "connected":
            await _update(ports.store, call_id, _done)
    # Other events (ParticipantsUpdated, RecognizeCanceled, ...) change nothing here.


def _done(call: VoiceCall) -> dict[str, Any] | None:
    return {"state": "done"} if call.state == "connected" else None


async def _ask(ports: VoicePorts, call: VoiceCall, connection: str) -> None:
    """Offer the menu; ``call.prompts`` already counts this offer (the first one reads the
    incident out before it)."""
    text = f"{call.spoken} {MENU}" if call.prompts == 1 else MENU
    await ports.calls.recognize(connection, target=call.target, prompt=text, context="prompt")


async def _reprompt(ports: VoicePorts, call: VoiceCall, connection: str) -> None:
    asked = await _update(
        ports.store,
        call.id,
        lambda c: {"prompts": c.prompts + 1} if c.prompts < MAX_PROMPTS else None,
    )
    if asked is not None:
        await _ask(ports, asked, connection)
        return
    await _update(ports.store, call.id, lambda c: {"outcome": "no input"})
    await ports.calls.play(
        connection,
        target=call.target,
        text="No choice was made. The incident stays open. Goodbye.",
        context="goodbye",
    )


async def _decide(
    ports: VoicePorts, call: VoiceCall, connection: str, kind: str, out: Handled
) -> None:
    done = "acknowledged" if kind == "acknowledge" else "escalated"
    user = await load_user(ports.store, call.user_id) if call.user_id else None
    if user is None or not call.incident_id:
        text = "You are not set up in OpenAlert, so nothing was changed. Goodbye."
    else:
        try:
            updated = await ports.act(
                principal=principal_of(user),
                incident_id=call.incident_id,
                action=Action(
                    kind="acknowledge" if kind == "acknowledge" else "escalate",
                    actor=Actor(kind="user", id=user.id, display=user.name),
                    via="voice",
                ),
                now=ports.clock(),
            )
        except Forbidden:
            text = f"You may not change this incident, so it was not {done}. Goodbye."
        except (Conflict, NotFound, InvalidInput) as exc:
            text = f"The incident was not {done}: {exc.detail} Goodbye."
        else:
            text = f"The incident is {done}. Thank you. Goodbye."
            out.messages.append(
                {
                    "type": "teams_update",
                    "incident_id": updated.id,
                    "idempotency_key": f"teams-update:{updated.id}:{utc_iso(updated.updated_at)}",
                }
            )
    await _update(ports.store, call.id, lambda c: {"outcome": kind})
    await ports.calls.play(connection, target=call.target, text=text, context="confirm")


async def _failed(
    ports: VoicePorts, call: VoiceCall, info: ResultInformation | None, out: Handled
) -> None:
    permanent, reason = classify_failure(info)
    failed = await _update(
        ports.store,
        call.id,
        # Only the first of several failure events (CreateCallFailed, then CallDisconnected)
        # marks the delivery and falls through.
        lambda c: None if c.state in ("failed", "done") else {"state": "failed", "outcome": reason},
    )
    if failed is None:
        return
    call = failed
    now = ports.clock()
    if call.log_id:
        await notifications.mark_failed(
            ports.store, call.log_id, permanent=permanent, error=f"voice: {reason}", now=now
        )
    if not (call.incident_id and call.user_id and call.job and call.method_id):
        return
    job = NotifyJob.model_validate(call.job)
    next_kind, message = await ports.fall_through(job, call.method_id)
    name = await notifications.user_name(ports.store, call.user_id)
    tail = f"; trying {next_kind}" if next_kind else ""
    entry_id = hashlib.sha256(f"voice-failed|{call.id}".encode()).hexdigest()[:24]
    await notifications.record_line(
        ports.store,
        call.incident_id,
        now,
        f"Could not reach {name} by voice: {reason}{tail}",
        f"ntf-{entry_id}",
        {"user_id": call.user_id},
    )
    if message is not None:
        out.messages.append(message)
