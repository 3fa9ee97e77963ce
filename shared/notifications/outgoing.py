"""Outgoing webhooks: an incident event POSTed to a team's configured URL.

Each call goes through the guarded outbound client (:mod:`shared.outbound`) and the same
delivery log as a page, so a redelivered job does not call twice; a webhook with the
``teams_workflows`` format gets an Adaptive Card (:mod:`shared.notifications.workflows`).
A permanent refusal is written on the incident timeline and not retried.
"""

from __future__ import annotations

from typing import Any

from shared.incidents.stored import load_incident
from shared.notifications.channels import PermanentDeliveryError, WebhookChannel
from shared.notifications.delivery import (
    NotifyPorts,
    Outcome,
    cached_service_name,
    record_line,
    send_logged,
    with_channel,
)
from shared.notifications.models import ContactMethod, WebhookJob
from shared.notifications.render import render_incident
from shared.notifications.webhooks import load_webhook
from shared.notifications.workflows import workflows_message
from shared.store.codec import utc_iso


async def deliver_webhook(job: WebhookJob, ports: NotifyPorts) -> Outcome:
    hook = await load_webhook(ports.store, job.webhook_id)
    if hook is None:
        return Outcome(skipped="webhook not found")
    if job.event not in hook.events:
        return Outcome(skipped=f"webhook does not want {job.event}")
    incident = await load_incident(ports.store, job.incident_id)
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
            service_name=await cached_service_name(ports, incident.service_id),
            base_url=ports.base_url,
            event=job.event,
        )
    message = render_incident(incident, base_url=ports.base_url, service_name="")
    scoped = with_channel(ports, "webhook", channel)
    try:
        sent = await send_logged(
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
