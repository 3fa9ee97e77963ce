"""Missed-heartbeat detection (run every minute by a timer).

A heartbeat integration with an interval opens an incident "Heartbeat <name> missed" when no
ping arrived for longer than the interval; the next ping resolves it (dedup key
``heartbeat:<name>``). The synthetic envelope's id is derived from the integration and its last
ping, so a re-run minute, two instances running the timer, or a catch-up after downtime all
produce one incident per silence, never several.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from shared.catalog.stored import integrations_of_format
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, ProcessResult, process_envelope
from shared.store.codec import utc_iso


async def check_heartbeats(*, ports: ProcessPorts, now: datetime) -> list[ProcessResult]:
    results: list[ProcessResult] = []
    token: str | None = None
    while True:
        integrations, next_token = await integrations_of_format(
            ports.store, "heartbeat", limit=200, continuation=token
        )
        for integration in integrations:
            interval = integration.settings.heartbeat_interval_seconds
            if not integration.enabled or interval is None:
                continue
            state = await ports.store.get("heartbeats", integration.id, integration.id)
            last_text = state["last_ping"] if state else None
            last = datetime.fromisoformat(last_text) if last_text else integration.created_at
            if last is None or now - last <= timedelta(seconds=interval):
                continue
            marker = f"{integration.id}|{last_text or 'never'}"
            envelope = Envelope(
                id="hbmiss-" + hashlib.sha256(marker.encode()).hexdigest()[:32],
                integration_id=integration.id,
                format="heartbeat",
                received_at=now,
                kind="heartbeat",
                action={
                    "name": integration.name_slug(),
                    "missed": True,
                    "last_ping": utc_iso(last) if last_text else None,
                    "interval": interval,
                },
            )
            results.append(await process_envelope(envelope, ports=ports))
        token = next_token
        if token is None:
            return results
