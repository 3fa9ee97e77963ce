"""Sending to one contact method, with the delivery log: the step every notification job ends in.

Delivery is idempotent per (job key, rule step, contact method): the log entry is created before
sending and marked ``sent`` after, so a redelivered message skips what already went out and
retries only what did not. Transient failures are retried in-process with exponential backoff;
if a contact still fails the exception propagates, Service Bus redelivers the message, and after
the queue's maximum deliveries it is dead-lettered. Permanent failures are never retried: the
job handlers (:mod:`shared.notifications.service`) put them on the incident timeline and fall
through to the person's next contact method.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.auth.documents import user_display_name
from shared.catalog.service import service_name
from shared.incidents.models import Actor
from shared.incidents.service import line_writer
from shared.notifications.channels import (
    Channel,
    ConsoleChannel,
    Delivery,
    PermanentDeliveryError,
    Sent,
    TransientDeliveryError,
)
from shared.notifications.models import (
    ContactMethod,
    DeliveryAttempt,
    NotificationRules,
    NotifyJob,
    mask,
)
from shared.notifications.render import Message
from shared.notifications.rules import retry_delays
from shared.outbound.client import OutboundClient
from shared.redact import is_hint
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import DocumentStore, eq
from shared.ttlcache import TtlCache

log = logging.getLogger(__name__)

LOG = "notifications"
SYSTEM = Actor(kind="system", id="notifications", display="OpenAlert notifications")


@dataclass
class NotifyPorts:
    store: DocumentStore
    #: Channel by contact kind ("email", "sms", "webhook", "teams", "console").
    channels: dict[str, Channel]
    #: The guarded client for user-configured targets (outgoing webhooks, Workflows URLs).
    http: OutboundClient
    base_url: str
    bundle_window: timedelta = timedelta(seconds=30)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    #: A person's rules and contact methods, and service names, read on every delivery. Changes
    #: made through this process apply at once (the entry is dropped); made elsewhere, within
    #: the TTL (15 s; 60 s for names).
    prefs: TtlCache[str, tuple[NotificationRules | None, list[ContactMethod]]] = field(
        default_factory=lambda: TtlCache(ttl_s=15.0, max_entries=20_000)
    )
    names: TtlCache[str, str] = field(default_factory=lambda: TtlCache(ttl_s=60.0))


@dataclass
class Outcome:
    sent: int = 0
    skipped: str | None = None
    held: bool = False
    #: Queue messages to send now (digests, due follow-ups).
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: Due times of what this delivery left waiting (a next rule step, a deferral, a held
    #: page): the caller schedules a wake for each (shared.notifications.waits).
    wakes: list[datetime] = field(default_factory=list)


def with_channel(ports: NotifyPorts, kind: str, channel: Channel) -> NotifyPorts:
    """The ports with ``kind`` sent through ``channel``: a webhook's own secret and timeout, or
    the Teams bot for a channel post, without changing the process-wide channels."""
    return replace(ports, channels={**ports.channels, kind: channel})


async def cached_service_name(ports: NotifyPorts, service_id: str) -> str:
    hit, name = ports.names.get(service_id)
    if hit and name is not None:
        return name
    name = await service_name(ports.store, service_id)
    ports.names.put(service_id, name)
    return name


async def user_name(store: DocumentStore, user_id: str) -> str:
    """How the timeline names a person: name, else e-mail, else id."""
    return await user_display_name(store, user_id)


#: ``record_line(store, incident_id, now, message, entry_id, data=None)``.
record_line = line_writer(kind="notification", actor=SYSTEM, via="notifications")


async def send_logged(
    ports: NotifyPorts,
    *,
    method: ContactMethod,
    key: str,
    message: Message,
    payload: dict[str, Any],
    incident_id: str | None,
    job: NotifyJob | None = None,
) -> Sent | None:
    """Send unless the log says it went out already. Raises the channel's errors.

    The delivery's id (its log entry's id) is what the channel gets as its idempotency key: one
    per job step and contact method, so two numbers of the same step, or a fall-through to
    another one, are two calls or messages to the provider, while a retry of one is the same."""
    log_id = hashlib.sha256(f"{key}|{method.id}".encode()).hexdigest()[:32]
    existing = await ports.store.get(LOG, log_id, log_id)
    if existing is not None and existing.get("status") == "sent":
        return None
    delivery = Delivery(
        log_id=log_id,
        method_id=method.id,
        user_id=method.user_id,
        job=job.model_dump(mode="json") if job else None,
    )
    channel = ports.channels.get(method.kind) or ports.channels["console"]
    now = ports.clock()
    attempt = DeliveryAttempt(
        id=log_id,
        idempotency_key=key,
        user_id=method.user_id,
        incident_id=incident_id,
        channel=channel.name,
        target=mask(method.kind, method.address),
        status="sending",
        attempts=int(existing.get("attempts", 0)) if existing else 0,
        started_at=now,
    )
    delays = retry_delays()
    error: Exception | None = None
    for n in range(len(delays) + 1):
        try:
            sent = await channel.send(
                target=method.address,
                message=message,
                payload=payload,
                idempotency_key=log_id,
                delivery=delivery,
            )
        except TransientDeliveryError as exc:
            error = exc
            if n < len(delays):
                await ports.sleep(delays[n])
            continue
        except PermanentDeliveryError as exc:
            await _log(ports, attempt, "failed_permanent", n + 1, error=exc.detail)
            raise
        except Exception as exc:
            # A channel bug or a library refusing its input is this method failing, not the
            # page: it is logged and the caller moves on to the next method and rule step.
            # Retrying the same input would fail the same way, so it counts as permanent.
            detail = f"{channel.name}: {type(exc).__name__}: {str(exc)[:300]}"
            log.exception("contact method %s raised", method.id)
            await _log(ports, attempt, "failed_permanent", n + 1, error=detail)
            raise PermanentDeliveryError(detail) from exc
        await _log(ports, attempt, "sent", n + 1, provider_id=sent.provider_id)
        return sent
    assert error is not None
    await _log(ports, attempt, "failed_transient", len(delays) + 1, error=str(error))
    raise error


async def _log(
    ports: NotifyPorts,
    attempt: DeliveryAttempt,
    status: str,
    tries: int,
    *,
    provider_id: str | None = None,
    error: str | None = None,
) -> None:
    doc = to_doc(
        attempt.model_copy(
            update={
                "status": status,
                "attempts": attempt.attempts + tries,
                "provider_id": provider_id,
                "error": error,
                "finished_at": ports.clock(),
            }
        )
    )
    doc["created_at"] = doc["started_at"]
    await ports.store.upsert(LOG, doc)


async def mark_failed(
    store: DocumentStore, log_id: str, *, permanent: bool, error: str, now: datetime
) -> None:
    """A delivery the log showed as sent failed after all (a call nobody answered)."""
    entry = await store.get(LOG, log_id, log_id)
    if entry is None:
        return
    await store.upsert(
        LOG,
        {
            **{k: v for k, v in entry.items() if k != "_etag"},
            "status": "failed_permanent" if permanent else "failed_transient",
            "error": error,
            "finished_at": utc_iso(now),
        },
    )


async def list_deliveries(
    *,
    store: DocumentStore,
    incident_id: str | None = None,
    user_id: str | None = None,
    limit: int = 100,
    continuation: str | None = None,
) -> tuple[list[DeliveryAttempt], str | None]:
    where = [eq("incident_id", incident_id)] if incident_id else [eq("user_id", user_id)]
    page = await store.query(
        LOG, where=where, order_by=("created_at", True), limit=limit, continuation=continuation
    )
    return [_shown(d) for d in page.items], page.continuation


def _shown(doc: dict[str, Any]) -> DeliveryAttempt:
    attempt = from_doc(DeliveryAttempt, {k: v for k, v in doc.items() if k != "created_at"})
    if attempt.channel == "webhook" and not is_hint(attempt.target):
        # Entries written before webhook URLs were redacted kept the path (Slack's secret).
        return attempt.model_copy(update={"target": mask("webhook", attempt.target)})
    return attempt


def console_only() -> dict[str, Channel]:
    return {"console": ConsoleChannel()}
