"""The operator/test surface under ``/admin/devhost/`` (devhost binds to loopback by default).

- ``GET  /admin/devhost/functions`` — the loaded functions and their triggers
- ``GET  /admin/devhost/queues`` — per queue: active, scheduled, locked, dead-letter counts
- ``POST /admin/devhost/queues/{queue}/messages`` — enqueue, like a Service Bus sender:
  JSON ``{"body": str|object, "message_id"?, "correlation_id"?, "content_type"?,
  "application_properties"?, "scheduled_enqueue_time_utc"? (ISO-8601)}`` or a list of them
- ``GET  /admin/devhost/queues/{queue}/deadletter?limit=`` — peek dead-lettered messages
- ``POST /admin/devhost/queues/{queue}/deadletter/resubmit`` — move them back
  (optional body ``{"sequence_numbers": [...]}``)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from devhost.plugins import QueueHostServices
from devhost.servicebus import OutgoingMessage

PREFIX = "/admin/devhost"


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


def _outgoing(item: Any) -> OutgoingMessage:
    if not isinstance(item, dict) or "body" not in item:
        raise ValueError("each message must be an object with a 'body'")
    body = item["body"]
    raw = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
    scheduled = item.get("scheduled_enqueue_time_utc")
    scheduled_at = None
    if scheduled is not None:
        when = datetime.fromisoformat(str(scheduled).replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise ValueError("scheduled_enqueue_time_utc needs a UTC offset")
        scheduled_at = when.timestamp()
    message = OutgoingMessage(
        body=raw,
        content_type=item.get("content_type")
        or (None if isinstance(body, str) else "application/json"),
        correlation_id=item.get("correlation_id"),
        properties=dict(item.get("application_properties") or {}),
        scheduled_at=scheduled_at,
    )
    if item.get("message_id"):
        message.message_id = str(item["message_id"])
    return message


def install(host: QueueHostServices) -> None:
    routes = web.RouteTableDef()

    @routes.get(PREFIX + "/functions")
    async def functions(_: web.Request) -> web.Response:
        return web.json_response({"urls": host.urls(), "queues": sorted(host.queue_names())})

    @routes.get(PREFIX + "/queues")
    async def queues(_: web.Request) -> web.Response:
        assert host.broker is not None
        counts = host.broker.counts()
        for name in host.queue_names():
            counts.setdefault(name, {"active": 0, "locked": 0, "scheduled": 0, "deadletter": 0})
        return web.json_response(counts)

    @routes.post(PREFIX + "/queues/{queue}/messages")
    async def enqueue(request: web.Request) -> web.Response:
        try:
            doc = await request.json()
            items = doc if isinstance(doc, list) else [doc]
            messages = [_outgoing(i) for i in items]
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        seqs = host.send(request.match_info["queue"], messages)
        return web.json_response(
            {"sequence_numbers": seqs, "message_ids": [m.message_id for m in messages]}, status=201
        )

    @routes.get(PREFIX + "/queues/{queue}/deadletter")
    async def peek(request: web.Request) -> web.Response:
        assert host.broker is not None
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            return _bad("limit must be an integer")
        msgs = host.broker.peek_deadletter(request.match_info["queue"], max(1, min(limit, 1000)))
        return web.json_response([m.as_json() for m in msgs])

    @routes.post(PREFIX + "/queues/{queue}/deadletter/resubmit")
    async def resubmit(request: web.Request) -> web.Response:
        assert host.broker is not None
        seqs: list[int] | None = None
        if request.can_read_body:
            try:
                doc = await request.json()
                raw = doc.get("sequence_numbers") if isinstance(doc, dict) else None
                seqs = [int(s) for s in raw] if raw else None
            except (ValueError, TypeError, AttributeError):
                return _bad("expected {'sequence_numbers': [int, ...]}")
        queue = request.match_info["queue"]
        moved = host.broker.resubmit_deadletter(queue, seqs)
        host.wake(queue)
        return web.json_response({"resubmitted": moved})

    host.web_app.add_routes(routes)
