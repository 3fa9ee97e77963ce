"""Notification jobs: each queue message delivered through the person's own rules.

One queue message is one delivery step. :func:`deliver` dispatches on the job's type: a page
(:class:`NotifyJob`) walks the person's rule steps and falls through to their next contact
method when one fails permanently; digests, direct messages and status updates go to the
person's first rule step; Teams posts and outgoing webhooks go to one target. Sending and its
idempotent log are :mod:`shared.notifications.delivery`; what waits until later (rule waits,
quiet hours, bundling windows) is :mod:`shared.notifications.deferral`; contact methods and
rules are :mod:`shared.notifications.contacts`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from pydantic import TypeAdapter

from shared.errors import InvalidInput
from shared.incidents.models import Incident
from shared.incidents.stored import load_incident
from shared.notifications.channels import PermanentDeliveryError, TransientDeliveryError
from shared.notifications.contacts import preferences
from shared.notifications.deferral import defer, hold_for_bundle, release_bundle, schedule_next
from shared.notifications.delivery import (
    NotifyPorts,
    Outcome,
    cached_service_name,
    record_line,
    send_logged,
    user_name,
    with_channel,
)
from shared.notifications.models import (
    ContactMethod,
    DigestJob,
    DirectJob,
    Job,
    NotifyJob,
    StatusUpdateJob,
    TeamsPostJob,
    TeamsUpdateJob,
    WebhookJob,
)
from shared.notifications.outgoing import deliver_webhook
from shared.notifications.render import Message, render_digest, render_direct, render_incident
from shared.notifications.rules import (
    PlannedStep,
    fall_through,
    plan,
    quiet_hours_end,
    suppressed_by_quiet_hours,
)
from shared.store.codec import utc_iso

log = logging.getLogger(__name__)

JOB: TypeAdapter[Job] = TypeAdapter(cast(Any, Job))


def parse_job(body: bytes | str) -> Job:
    try:
        return JOB.validate_json(body)
    except ValueError as exc:
        raise InvalidInput(f"not a notification job: {str(exc)[:300]}") from None


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
        return await deliver_webhook(job, ports)
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
            if await send_logged(
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
    incident = await load_incident(store, job.incident_id)
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
        await defer(store, job, until)
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
        window_end = await hold_for_bundle(ports, job, now)
        if window_end is not None:
            return Outcome(held=True, wakes=[window_end])
    step = steps[job.rule_step]
    message = render_incident(
        incident,
        base_url=ports.base_url,
        service_name=await cached_service_name(ports, incident.service_id),
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
            if await send_logged(
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
        await schedule_next(store, job, due)
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


async def _digest(job: DigestJob, ports: NotifyPorts) -> Outcome:
    items: list[tuple[Incident, str]] = []
    for incident_id in job.incident_ids:
        incident = await load_incident(ports.store, incident_id)
        if incident is not None and incident.is_open:
            items.append((incident, await cached_service_name(ports, incident.service_id)))
    if items:
        message = render_digest(items, base_url=ports.base_url)
        payload = {"event": "digest", "incidents": [i.model_dump(mode="json") for i, _ in items]}
        outcome = await _to_person(
            ports, job.user_id, job.idempotency_key, message, payload, incident_id=items[0][0].id
        )
    else:
        outcome = Outcome(skipped="all bundled incidents closed")
    await release_bundle(ports.store, job)
    return outcome


async def _status_update(job: StatusUpdateJob, ports: NotifyPorts) -> Outcome:
    rules, _ = await preferences(ports, job.user_id)
    wanted = rules is not None and (
        rules.notify_on_acknowledged if job.event == "acknowledged" else rules.notify_on_resolved
    )
    if not wanted:
        return Outcome(skipped="not opted in")
    incident = await load_incident(ports.store, job.incident_id)
    if incident is None:
        return Outcome(skipped="incident not found")
    who = incident.acknowledged_by if job.event == "acknowledged" else incident.resolved_by
    message = render_incident(
        incident,
        base_url=ports.base_url,
        service_name=await cached_service_name(ports, incident.service_id),
        headline=f"{job.event.title()} by {who.label() if who else 'someone'}",
    )
    payload = {"event": job.event, "incident": incident.model_dump(mode="json")}
    return await _to_person(
        ports, job.user_id, job.idempotency_key, message, payload, incident_id=incident.id
    )


async def _teams_post(job: TeamsPostJob, ports: NotifyPorts) -> Outcome:
    channel = ports.channels.get("teams_channel")
    incident = await load_incident(ports.store, job.incident_id)
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
        service_name=await cached_service_name(ports, incident.service_id),
    )
    method = ContactMethod(
        id=job.channel_id, user_id="channel", kind="teams", address=job.channel_id
    )
    scoped = with_channel(ports, "teams", channel)
    payload = {"event": "posted", "incident": incident.model_dump(mode="json")}
    sent = await send_logged(
        scoped,
        method=method,
        key=job.idempotency_key,
        message=message,
        payload=payload,
        incident_id=incident.id,
    )
    return Outcome(sent=1 if sent else 0)
