"""Heartbeats' own records (the ``heartbeats`` container: each one's last ping) and a heartbeat's
state for people: its last ping and whether it is missed.

A heartbeat is an integration of format ``heartbeat`` (created like any integration, with
``settings.heartbeat_interval_seconds``); its last ping is the ``heartbeats`` document the
processing of a ping writes. :func:`is_missed` is the one rule the minute timer
(:mod:`shared.pipeline.heartbeats`) opens incidents by, so the state shown is the timer's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from shared.auth.models import Principal
from shared.catalog import service as catalog
from shared.catalog.models import Integration
from shared.catalog.service import IntegrationRead
from shared.errors import NotFound
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore

HEARTBEATS = "heartbeats"

State = Literal["ok", "waiting", "missed", "unmonitored", "disabled"]


def is_missed(interval_seconds: int, last: datetime, now: datetime) -> bool:
    """No ping for longer than the interval since ``last`` (the last ping, or the creation)."""
    return now - last > timedelta(seconds=interval_seconds)


class HeartbeatStatus(BaseModel):
    integration_id: str
    name: str
    team_id: str
    service_id: str
    interval_seconds: int | None
    last_ping: datetime | None
    #: When the next ping is due before the heartbeat counts as missed.
    due_at: datetime | None
    state: State = Field(
        description="ok: pinged within the interval; waiting: never pinged, still within the "
        "interval since creation; missed: an incident opens (or is open); unmonitored: no "
        "interval set, pings are only recorded; disabled: the integration is off."
    )


def status_of(
    integration: Integration | IntegrationRead, last_ping: datetime | None, now: datetime
) -> HeartbeatStatus:
    """Pure: the state the timer would see at ``now``."""
    interval = integration.settings.heartbeat_interval_seconds
    since = last_ping or integration.created_at
    due = since + timedelta(seconds=interval) if interval and since else None
    state: State
    if not integration.enabled:
        state = "disabled"
    elif interval is None or since is None:
        state = "unmonitored"
    elif is_missed(interval, since, now):
        state = "missed"
    else:
        state = "ok" if last_ping else "waiting"
    return HeartbeatStatus(
        integration_id=integration.id,
        name=integration.name,
        team_id=integration.team_id,
        service_id=integration.service_id,
        interval_seconds=interval,
        last_ping=last_ping,
        due_at=due,
        state=state,
    )


async def record_ping(store: DocumentStore, integration_id: str, at: datetime) -> None:
    await store.upsert(
        HEARTBEATS, {"id": integration_id, "pk": integration_id, "last_ping": utc_iso(at)}
    )


async def last_ping_text(store: DocumentStore, integration_id: str) -> str | None:
    """The last ping as stored (the missed-heartbeat envelope's id derives from this text)."""
    doc = await store.get(HEARTBEATS, integration_id, integration_id)
    return str(doc["last_ping"]) if doc and doc.get("last_ping") else None


async def last_ping(store: DocumentStore, integration_id: str) -> datetime | None:
    text = await last_ping_text(store, integration_id)
    return datetime.fromisoformat(text) if text else None


async def get_heartbeat(
    *, store: DocumentStore, principal: Principal, integration_id: str, now: datetime
) -> HeartbeatStatus:
    integration, _ = await catalog.get_integration(
        store=store, principal=principal, integration_id=integration_id
    )
    if integration.format != "heartbeat":
        raise NotFound(f"Integration {integration_id!r} is not a heartbeat.")
    return status_of(integration, await last_ping(store, integration.id), now)


async def list_heartbeats(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
    now: datetime,
) -> tuple[list[HeartbeatStatus], str | None]:
    items, token = await catalog.list_integrations(
        store=store,
        principal=principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
        fmt="heartbeat",
    )
    return [status_of(i, await last_ping(store, i.id), now) for i in items], token
