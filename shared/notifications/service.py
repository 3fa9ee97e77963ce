"""Delivering notification jobs through each person's own rules, and the delivery log.

One queue message is one delivery step. Delivery is idempotent per (job key, rule step,
contact method): the log entry is created before sending and marked ``sent`` after, so a
redelivered message skips what already went out and retries only what did not. Transient
failures are retried in-process with exponential backoff; if a contact still fails the
exception propagates, Service Bus redelivers the message, and after the queue's maximum
deliveries it is dead-lettered. Permanent failures are never retried: they go on the incident
timeline and fall through to the person's next contact method.

Rule waits ("SMS now, call me in 5 minutes") and bundling windows need "later": Azure Functions
Python output bindings cannot schedule messages, so pending steps and held pages are stored
with their due time (``Outcome.wakes``), and a durable timer started for that time turns the
due ones into queue messages (:mod:`shared.notifications.waits`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic import TypeAdapter

from shared.auth.documents import user_display_name
from shared.auth.secret_hash import secret_hash, secret_matches
from shared.catalog.service import service_name
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.incidents.models import Actor, Incident, TimelineEntry
from shared.incidents.service import record_timeline
from shared.notifications.channels import (
    Channel,
    ConsoleChannel,
    Delivery,
    PermanentDeliveryError,
    Sent,
    TransientDeliveryError,
    WebhookChannel,
)
from shared.notifications.models import (
    ContactKind,
    ContactMethod,
    DeliveryAttempt,
    DigestJob,
    DirectJob,
    Job,
    NotificationRules,
    NotifyJob,
    StatusUpdateJob,
    TeamsPostJob,
    TeamsUpdateJob,
    Webhook,
    WebhookJob,
    check_address,
    mask,
)
from shared.notifications.render import (
    Message,
    incident_url,
    page_description,
    render_digest,
    render_direct,
    render_incident,
)
from shared.notifications.rules import (
    PlannedStep,
    bundle_window_open,
    fall_through,
    plan,
    quiet_hours_end,
    retry_delays,
    suppressed_by_quiet_hours,
)
from shared.notifications.verify_limits import take_verification_slot
from shared.outbound.client import OutboundClient
from shared.outbound.targets import check_saved_target
from shared.redact import is_hint
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import DocumentStore, eq, lte
from shared.teams.text import md_escape
from shared.ttlcache import TtlCache

log = logging.getLogger(__name__)

LOG = "notifications"
RULES = "notification_rules"
PENDING = "notification_pending"
BUNDLES = "notification_bundles"
CONTACTS = "contact_methods"
WEBHOOKS = "webhooks"
SYSTEM = Actor(kind="system", id="notifications", display="OpenAlert notifications")
JOB: TypeAdapter[Job] = TypeAdapter(cast(Any, Job))
CODE_TTL = timedelta(minutes=15)
#: How long a claimed pending step waits before a later flush re-emits and removes it.
CLAIM_GRACE = timedelta(minutes=2)
CODE_ATTEMPTS = 5


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


def parse_job(body: bytes | str) -> Job:
    try:
        return JOB.validate_json(body)
    except ValueError as exc:
        raise InvalidInput(f"not a notification job: {str(exc)[:300]}") from None


# --- lookups ---------------------------------------------------------------------------------
async def get_rules(store: DocumentStore, user_id: str) -> NotificationRules | None:
    doc = await store.get(RULES, user_id, user_id)
    if doc is None:
        return None
    return NotificationRules.model_validate(
        {k: v for k, v in doc.items() if k not in ("id", "pk", "_etag", "user_id")}
    )


async def contact_methods(store: DocumentStore, user_id: str) -> list[ContactMethod]:
    page = await store.query(CONTACTS, where=[eq("user_id", user_id)], limit=50)
    methods = [from_doc(ContactMethod, d) for d in page.items]
    return sorted(methods, key=lambda m: (m.created_at or datetime.min.replace(tzinfo=UTC), m.id))


async def preferences(
    ports: NotifyPorts, user_id: str
) -> tuple[NotificationRules | None, list[ContactMethod]]:
    hit, value = ports.prefs.get(user_id)
    if hit and value is not None:
        return value
    value = (await get_rules(ports.store, user_id), await contact_methods(ports.store, user_id))
    ports.prefs.put(user_id, value)
    return value


async def _cached_service_name(ports: NotifyPorts, service_id: str) -> str:
    hit, name = ports.names.get(service_id)
    if hit and name is not None:
        return name
    name = await service_name(ports.store, service_id)
    ports.names.put(service_id, name)
    return name


async def _incident(store: DocumentStore, incident_id: str) -> Incident | None:
    doc = await store.get("incidents", incident_id, incident_id)
    return from_doc(Incident, doc) if doc else None


async def user_name(store: DocumentStore, user_id: str) -> str:
    """How the timeline names a person: name, else e-mail, else id."""
    return await user_display_name(store, user_id)


async def record_line(
    store: DocumentStore,
    incident_id: str,
    now: datetime,
    message: str,
    entry_id: str,
    data: dict[str, Any] | None = None,
) -> None:
    entry = TimelineEntry(
        incident_id=incident_id,
        at=now,
        kind="notification",
        actor=SYSTEM,
        message=message,
        via="notifications",
        data=data or {},
    )
    await record_timeline(store, entry, entry_id=entry_id)


# --- sending one contact, with the log ------------------------------------------------------
async def _send_logged(
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


# --- the jobs --------------------------------------------------------------------------------
async def deliver(job: Job, *, ports: NotifyPorts) -> Outcome:
    if isinstance(job, NotifyJob):
        return await _notify(job, ports)
    if isinstance(job, DigestJob):
        return await _digest(job, ports)
    if isinstance(job, DirectJob):
        message = render_direct(job.subject, job.text, base_url=ports.base_url)
        return await _to_person(
            ports,
            job.user_id,
            job.idempotency_key,
            message,
            {"event": "direct", "subject": job.subject, "text": job.text},
            incident_id=None,
            importance=job.importance,
        )
    if isinstance(job, StatusUpdateJob):
        return await _status_update(job, ports)
    if isinstance(job, WebhookJob):
        return await _webhook(job, ports)
    if isinstance(job, TeamsUpdateJob):
        poster = ports.channels.get("teams_channel")
        updater = getattr(poster, "update_all", None)
        if updater is None:
            return Outcome(skipped="teams not configured")
        return Outcome(sent=int(await updater(job.incident_id)))
    return await _teams_post(job, ports)


async def _to_person(
    ports: NotifyPorts,
    user_id: str,
    key: str,
    message: Message,
    payload: dict[str, Any],
    *,
    incident_id: str | None,
    importance: str = "default",
) -> Outcome:
    """One immediate delivery to a person's first rule step (non-paging messages)."""
    rules, methods = await preferences(ports, user_id)
    steps = plan(rules, methods, "important" if importance == "important" else "default")
    contacts = steps[0].contacts if steps else (_console(user_id),)
    outcome = Outcome()
    for method in contacts:
        try:
            if await _send_logged(
                ports,
                method=method,
                key=key,
                message=message,
                payload=payload,
                incident_id=incident_id,
            ):
                outcome.sent += 1
        except PermanentDeliveryError as exc:
            log.warning("could not reach %s by %s: %s", user_id, method.kind, exc.detail)
    return outcome


def _console(user_id: str) -> ContactMethod:
    return ContactMethod(id="console", user_id=user_id, kind="console")


async def _notify(job: NotifyJob, ports: NotifyPorts) -> Outcome:
    store = ports.store
    now = ports.clock()
    incident = await _incident(store, job.incident_id)
    if incident is None:
        return Outcome(skipped="incident not found")
    if not incident.is_open:
        return Outcome(skipped="incident resolved")
    if job.rule_step > 0 or job.multi_ack or job.only_contacts:
        # A follow-up (or a multi-ack page): only while this person is still needed.
        still_needed = incident.status.value == "triggered" or (
            job.multi_ack
            and job.user_id not in incident.acknowledgers
            and incident.status.value == "acknowledged"
        )
        if not still_needed:
            return Outcome(skipped=f"incident {incident.status.value}")
    rules, methods = await preferences(ports, job.user_id)
    if suppressed_by_quiet_hours(rules, job.importance, now):
        assert rules is not None
        until = quiet_hours_end(rules, now)
        await _defer(store, job, until)
        return Outcome(skipped=f"quiet hours until {utc_iso(until)}", wakes=[until])
    steps = plan(rules, methods, job.importance)
    if not steps:
        steps = [PlannedStep(0, timedelta(0), (_console(job.user_id),))]
        await record_line(
            store,
            incident.id,
            now,
            f"{await user_name(store, job.user_id)} has no usable contact method; notified "
            "on the console only",
            f"ntf:{job.idempotency_key}:nocontact",
            {"user_id": job.user_id},
        )
    if job.rule_step >= len(steps):
        return Outcome(skipped="rule sequence finished")
    fallback = bool(job.only_contacts)
    bundling = ports.bundle_window > timedelta(0) and not fallback
    if bundling and job.rule_step == 0 and job.importance == "default" and not job.multi_ack:
        window_end = await _hold_for_bundle(ports, job, now)
        if window_end is not None:
            return Outcome(held=True, wakes=[window_end])
    step = steps[job.rule_step]
    message = render_incident(
        incident,
        base_url=ports.base_url,
        service_name=await _cached_service_name(ports, incident.service_id),
    )
    payload = {
        "event": "paged",
        "incident": incident.model_dump(mode="json"),
        "user_id": job.user_id,
        "importance": job.importance,
    }
    outcome = Outcome()
    key = f"{job.idempotency_key}:r{job.rule_step}"
    tried: set[str] = set()
    queue: list[ContactMethod] = list(step.contacts)
    if fallback:
        # The step's own contacts were tried when the step first went out.
        tried = {m.id for m in step.contacts}
        queue = [m for m in methods if m.usable and m.id in job.only_contacts]
    transient: Exception | None = None
    while queue:
        method = queue.pop(0)
        tried.add(method.id)
        try:
            if await _send_logged(
                ports,
                method=method,
                key=key,
                message=message,
                payload=payload,
                incident_id=incident.id,
                job=job,
            ):
                outcome.sent += 1
        except PermanentDeliveryError as exc:
            nxt = fall_through(method, methods, tried | {m.id for m in queue})
            tail = f"; trying {nxt.kind}" if nxt else ""
            name = await user_name(store, job.user_id)
            await record_line(
                store,
                incident.id,
                now,
                f"Could not reach {name} by {method.kind}: {exc.detail}{tail}",
                f"ntf:{key}:{method.id}:failed",
                {"user_id": job.user_id},
            )
            if nxt is not None:
                queue.append(nxt)
        except TransientDeliveryError as exc:
            transient = exc
            # Until a retry gets through, the timeline says the page has not (the escalation's
            # own lines only say who is being notified). One line per method, however many
            # redeliveries.
            await record_line(
                store,
                incident.id,
                now,
                f"Could not reach {await user_name(store, job.user_id)} by {method.kind} yet: "
                f"{exc.detail}; retrying",
                f"ntf:{key}:{method.id}:retrying",
                {"user_id": job.user_id},
            )
    if job.rule_step + 1 < len(steps) and not fallback:
        due = now + (steps[job.rule_step + 1].offset - step.offset)
        await _schedule_next(store, job, due)
        outcome.wakes.append(due)
    if transient is not None:
        # Other contacts are logged as sent and will be skipped on redelivery.
        raise transient
    return outcome


async def fall_through_later(
    ports: NotifyPorts, job: NotifyJob, failed_method_id: str
) -> tuple[str | None, dict[str, Any] | None]:
    """After a failure reported asynchronously (a call nobody answered): the kind of the next
    contact method to try and the queue message that delivers this step to it, or (None, None)
    when the person has no other usable method."""
    rules, methods = await preferences(ports, job.user_id)
    failed = next((m for m in methods if m.id == failed_method_id), None)
    if failed is None:
        return None, None
    steps = plan(rules, methods, job.importance)
    tried = {failed.id, *job.only_contacts}
    if job.rule_step < len(steps):
        tried |= {m.id for m in steps[job.rule_step].contacts}
    nxt = fall_through(failed, methods, tried)
    if nxt is None:
        return None, None
    return nxt.kind, job.model_copy(update={"only_contacts": (nxt.id,)}).model_dump(mode="json")


async def _defer(store: DocumentStore, job: NotifyJob, due: datetime) -> None:
    doc_id = f"{job.idempotency_key}:r{job.rule_step}"
    await store.upsert(
        PENDING,
        {"id": doc_id, "pk": doc_id, "due_at": utc_iso(due), "job": job.model_dump(mode="json")},
    )


async def _schedule_next(store: DocumentStore, job: NotifyJob, due: datetime) -> None:
    nxt = job.model_copy(update={"rule_step": job.rule_step + 1})
    doc_id = f"{job.idempotency_key}:r{nxt.rule_step}"
    try:
        await store.create(
            PENDING,
            {
                "id": doc_id,
                "pk": doc_id,
                "due_at": utc_iso(due),
                "job": nxt.model_dump(mode="json"),
            },
        )
    except Conflict:
        pass  # scheduled by an earlier delivery of the same message


async def _hold_for_bundle(ports: NotifyPorts, job: NotifyJob, now: datetime) -> datetime | None:
    """When this page joins an open window, the window's end (it is held until then); None
    when it opens a window and is sent now. Held pages are small documents of their own, so a
    storm of pages writes one small document each instead of rewriting a growing list."""
    doc_id = f"bundle:{job.user_id}"
    for _ in range(5):
        doc = await ports.store.get(BUNDLES, doc_id, doc_id)
        until = datetime.fromisoformat(doc["window_until"]) if doc else None
        if doc is not None and doc.get("first_key") == job.idempotency_key:
            return None  # a redelivery of the page that opened the window
        if doc is not None and until is not None and bundle_window_open(until, now):
            held_id = f"held:{job.idempotency_key}"
            try:
                await ports.store.create(
                    PENDING,
                    {
                        "id": held_id,
                        "pk": held_id,
                        "kind": "held",
                        "user_id": job.user_id,
                        "incident_id": job.incident_id,
                        "key": job.idempotency_key,
                        "due_at": utc_iso(until),
                    },
                )
            except Conflict:
                pass  # held by an earlier delivery of the same message
            return until
        fresh = {
            "id": doc_id,
            "pk": doc_id,
            "user_id": job.user_id,
            "window_until": utc_iso(now + ports.bundle_window),
            "first_key": job.idempotency_key,
        }
        try:
            if doc is None:
                await ports.store.create(BUNDLES, fresh)
            else:
                await ports.store.replace(BUNDLES, fresh, if_match=doc["_etag"])
        except (Conflict, PreconditionFailed):
            continue  # someone opened a window at the same moment: join it
        return None
    return None


async def _digest(job: DigestJob, ports: NotifyPorts) -> Outcome:
    items: list[tuple[Incident, str]] = []
    for incident_id in job.incident_ids:
        incident = await _incident(ports.store, incident_id)
        if incident is not None and incident.is_open:
            items.append((incident, await _cached_service_name(ports, incident.service_id)))
    if items:
        message = render_digest(items, base_url=ports.base_url)
        payload = {"event": "digest", "incidents": [i.model_dump(mode="json") for i, _ in items]}
        outcome = await _to_person(
            ports, job.user_id, job.idempotency_key, message, payload, incident_id=items[0][0].id
        )
    else:
        outcome = Outcome(skipped="all bundled incidents closed")
    await _release_bundle(ports.store, job)
    return outcome


async def _release_bundle(store: DocumentStore, job: DigestJob) -> None:
    """The digest went out: its held pages are done (a later flush must not re-emit them)."""
    for key in job.keys:
        held_id = f"held:{key}"
        try:
            await store.delete(PENDING, held_id, held_id)
        except NotFound:
            pass


async def _status_update(job: StatusUpdateJob, ports: NotifyPorts) -> Outcome:
    rules, _ = await preferences(ports, job.user_id)
    wanted = rules is not None and (
        rules.notify_on_acknowledged if job.event == "acknowledged" else rules.notify_on_resolved
    )
    if not wanted:
        return Outcome(skipped="not opted in")
    incident = await _incident(ports.store, job.incident_id)
    if incident is None:
        return Outcome(skipped="incident not found")
    who = incident.acknowledged_by if job.event == "acknowledged" else incident.resolved_by
    message = render_incident(
        incident,
        base_url=ports.base_url,
        service_name=await _cached_service_name(ports, incident.service_id),
        headline=f"{job.event.title()} by {who.label() if who else 'someone'}",
    )
    payload = {"event": job.event, "incident": incident.model_dump(mode="json")}
    return await _to_person(
        ports, job.user_id, job.idempotency_key, message, payload, incident_id=incident.id
    )


async def _webhook(job: WebhookJob, ports: NotifyPorts) -> Outcome:
    doc = await ports.store.get(WEBHOOKS, job.webhook_id, job.webhook_id)
    if doc is None:
        return Outcome(skipped="webhook not found")
    hook = from_doc(Webhook, doc)
    if job.event not in hook.events:
        return Outcome(skipped=f"webhook does not want {job.event}")
    incident = await _incident(ports.store, job.incident_id)
    if incident is None:
        return Outcome(skipped="incident not found")
    channel = WebhookChannel(ports.http, secret=hook.secret, timeout=hook.timeout_seconds)
    method = ContactMethod(
        id=hook.id, user_id=f"webhook:{hook.id}", kind="webhook", address=hook.url
    )
    payload: dict[str, Any] = {
        "event": job.event,
        "incident": incident.model_dump(mode="json"),
        "delivery": job.idempotency_key,
        "sent_at": utc_iso(ports.clock()),
    }
    if hook.format == "teams_workflows":
        payload = workflows_message(
            incident,
            service_name=await _cached_service_name(ports, incident.service_id),
            base_url=ports.base_url,
            event=job.event,
        )
    message = render_incident(incident, base_url=ports.base_url, service_name="")
    channels = {**ports.channels, "webhook": channel}
    scoped = NotifyPorts(
        ports.store,
        channels,
        ports.http,
        ports.base_url,
        ports.bundle_window,
        ports.clock,
        ports.sleep,
    )
    try:
        sent = await _send_logged(
            scoped,
            method=method,
            key=job.idempotency_key,
            message=message,
            payload=payload,
            incident_id=incident.id,
        )
    except PermanentDeliveryError as exc:
        await record_line(
            ports.store,
            incident.id,
            ports.clock(),
            f"Webhook {hook.name} refused the {job.event} event: {exc.detail}",
            f"ntf:{job.idempotency_key}:failed",
        )
        return Outcome(skipped="permanent failure")
    return Outcome(sent=1 if sent else 0)


def workflows_message(
    incident: Incident, *, service_name: str, base_url: str, event: str
) -> dict[str, Any]:
    """A notify-only Adaptive Card for a Teams Workflows webhook: no buttons that call back
    (Workflows cannot deliver clicks to us), only a link to the incident."""
    url = incident_url(base_url, incident.id)
    description = page_description(incident)
    shown = (
        [{"type": "TextBlock", "text": description, "wrap": True, "maxLines": 8}]
        if description
        else []
    )
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {
                "type": "TextBlock",
                "weight": "Bolder",
                "size": "Large",
                "wrap": True,
                # Workflows renders the card's text as Markdown: alert text must stay text.
                "text": md_escape(f"#{incident.number} {incident.title}"),
            },
            *shown,
            {
                "type": "FactSet",
                "facts": [
                    {"title": title, "value": md_escape(value)}
                    for title, value in (
                        ("Event", event),
                        ("Severity", incident.severity),
                        ("Status", incident.status.value),
                        ("Service", service_name),
                        ("Alerts", str(incident.alert_count)),
                    )
                ],
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open incident", "url": url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


async def _teams_post(job: TeamsPostJob, ports: NotifyPorts) -> Outcome:
    channel = ports.channels.get("teams_channel")
    incident = await _incident(ports.store, job.incident_id)
    if incident is None:
        return Outcome(skipped="incident not found")
    if channel is None:
        await record_line(
            ports.store,
            incident.id,
            ports.clock(),
            "Posting to a Teams channel is not configured (no Teams bot)",
            f"ntf:{job.idempotency_key}:noteams",
        )
        return Outcome(skipped="teams not configured")
    message = render_incident(
        incident,
        base_url=ports.base_url,
        service_name=await _cached_service_name(ports, incident.service_id),
    )
    method = ContactMethod(
        id=job.channel_id, user_id="channel", kind="teams", address=job.channel_id
    )
    scoped = NotifyPorts(
        ports.store,
        {**ports.channels, "teams": channel},
        ports.http,
        ports.base_url,
        ports.bundle_window,
        ports.clock,
        ports.sleep,
    )
    payload = {"event": "posted", "incident": incident.model_dump(mode="json")}
    sent = await _send_logged(
        scoped,
        method=method,
        key=job.idempotency_key,
        message=message,
        payload=payload,
        incident_id=incident.id,
    )
    return Outcome(sent=1 if sent else 0)


# --- the flush timer -------------------------------------------------------------------------
async def flush(*, ports: NotifyPorts, limit: int = 200) -> list[dict[str, Any]]:
    """Due rule steps, and the pages held in closed bundling windows as one digest per person,
    as queue messages. Each is claimed with an etag-guarded write, so two overlapping flushes
    do not both emit it."""
    now = ports.clock()
    out: list[dict[str, Any]] = []
    due = await ports.store.query(PENDING, where=[lte("due_at", utc_iso(now))], limit=limit)
    held: dict[str, list[dict[str, Any]]] = {}
    for doc in due.items:
        claimed = doc.get("claimed_at")
        if claimed is not None:
            # The output of the run that claimed it is sent only after that run returns, so
            # the doc is kept until well after; then it is emitted once more. Delivery is
            # idempotent per key, so the extra copy is skipped if the first one arrived.
            if datetime.fromisoformat(claimed) > now - CLAIM_GRACE:
                continue
        else:
            try:
                await ports.store.replace(
                    PENDING, {**doc, "claimed_at": utc_iso(now)}, if_match=doc["_etag"]
                )
            except (NotFound, PreconditionFailed):
                continue
        if doc.get("kind") == "held":
            held.setdefault(str(doc["user_id"]), []).append(doc)
            continue
        if claimed is not None:
            await ports.store.delete(PENDING, doc["pk"], doc["id"])
        out.append(dict(doc["job"]))
    for user_id, docs in held.items():
        keys = sorted(str(d["key"]) for d in docs)
        digest_key = "digest:" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:24]
        out.append(
            DigestJob(
                user_id=user_id,
                incident_ids=tuple(dict.fromkeys(str(d["incident_id"]) for d in docs)),
                keys=tuple(keys),
                idempotency_key=digest_key,
            ).model_dump(mode="json")
        )
    return out


# --- self-service: contact methods, rules, the log ------------------------------------------
async def add_contact_method(
    *, ports: NotifyPorts, user_id: str, kind: ContactKind, address: str, label: str = ""
) -> ContactMethod:
    """Create a contact method; e-mail, SMS and voice get a 6-digit code to prove ownership
    (a voice number gets a call that reads the code out)."""
    try:
        check_address(kind, address)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="address") from None
    if kind == "webhook":
        check_saved_target(ports.http, address, field="address")
    now = ports.clock()
    method = ContactMethod(
        id=f"cm-{secrets.token_hex(6)}",
        user_id=user_id,
        kind=kind,
        address=address,
        label=label,
        created_at=now,
    )
    code: str | None = None
    if method.needs_verification:
        await take_verification_slot(
            ports.store, user_id=user_id, kind=kind, address=address, now=now
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        method = method.model_copy(
            update={
                "code_hash": secret_hash(f"{method.id}:{code}"),
                "code_expires_at": now + CODE_TTL,
            }
        )
    else:
        method = method.model_copy(update={"verified": True})
    await ports.store.create(CONTACTS, to_doc(method, pk_field="user_id", pk=user_id))
    ports.prefs.discard(user_id)
    if code is not None:
        channel = ports.channels.get(kind) or ports.channels["console"]
        message = render_direct(
            "Your OpenAlert verification code",
            f"Your OpenAlert verification code is {code}. It expires in 15 minutes.",
            base_url=ports.base_url,
            # Read out digit by digit on a voice call.
            spoken=f"Your OpenAlert verification code is {', '.join(code)}.",
        )
        try:
            await channel.send(
                target=address,
                message=message,
                payload={"event": "verify"},
                idempotency_key=f"verify:{method.id}",
            )
        except PermanentDeliveryError as exc:
            await ports.store.delete(CONTACTS, user_id, method.id)
            raise InvalidInput(
                f"The address cannot receive messages: {exc.detail}", field="address"
            ) from None
    return method


async def verify_contact_method(
    *, ports: NotifyPorts, user_id: str, method_id: str, code: str
) -> ContactMethod:
    doc = await ports.store.get(CONTACTS, user_id, method_id)
    if doc is None:
        raise NotFound(f"Contact method {method_id!r} does not exist.")
    method = from_doc(ContactMethod, doc)
    if method.verified:
        return method
    now = ports.clock()
    if (
        method.code_attempts >= CODE_ATTEMPTS
        or not method.code_expires_at
        or (now > method.code_expires_at)
    ):
        raise InvalidInput(
            "The code expired or was tried too often; add the method again.", field="code"
        )
    if not secret_matches(f"{method.id}:{code.strip()}", method.code_hash):
        await ports.store.replace(
            CONTACTS, {**doc, "code_attempts": method.code_attempts + 1}, if_match=doc["_etag"]
        )
        raise InvalidInput("That code is not right.", field="code")
    verified = method.model_copy(
        update={"verified": True, "code_hash": None, "code_expires_at": None}
    )
    await ports.store.replace(
        CONTACTS, to_doc(verified, pk_field="user_id", pk=user_id), if_match=doc["_etag"]
    )
    ports.prefs.discard(user_id)
    return verified


async def delete_contact_method(*, store: DocumentStore, user_id: str, method_id: str) -> None:
    if await store.get(CONTACTS, user_id, method_id) is None:
        raise NotFound(f"Contact method {method_id!r} does not exist.")
    await store.delete(CONTACTS, user_id, method_id)


async def put_rules(
    *, store: DocumentStore, user_id: str, rules: NotificationRules, methods: list[ContactMethod]
) -> NotificationRules:
    known = (
        {m.id for m in methods}
        | {m.kind for m in methods}
        | {"email", "sms", "voice", "webhook", "teams", "console"}
    )
    for ruleset in (rules.default, rules.important):
        for step in ruleset:
            if step.type == "notify" and step.contact not in known:
                raise InvalidInput(f"Unknown contact method {step.contact!r}.", field="contact")
    await store.upsert(
        RULES, {"id": user_id, "pk": user_id, "user_id": user_id, **rules.model_dump(mode="json")}
    )
    return rules


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
