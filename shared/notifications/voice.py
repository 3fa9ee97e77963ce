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
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.auth.access import principal_of
from shared.auth.documents import load_user
from shared.auth.secret_hash import secret_hash
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from shared.incidents.models import Action, Actor, Incident
from shared.notifications import delivery as notifications
from shared.notifications.channels import Delivery, PermanentDeliveryError, Sent
from shared.notifications.models import NotifyJob
from shared.notifications.render import Message
from shared.notifications.voice_acs import AcsCallAutomation, AcsCallbackAuthenticator
from shared.notifications.voice_events import (
    CallEvent,
    ResultInformation,
    classify_failure,
    parse_events,
)
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import DocumentStore
from shared.store.retry import RETRY, Retry, optimistic

CALLS = "voice_calls"
EVENTS = "voice_events"
#: ``secrets.token_urlsafe(32)`` is 43 characters; anything else is not one of ours.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: How often the menu is offered when nothing (or a wrong key) was pressed.
MAX_PROMPTS = 3
MENU = "Press 1 to acknowledge. Press 2 to escalate."

Act = Callable[..., Awaitable[Incident]]


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
