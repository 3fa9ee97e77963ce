"""Heartbeat pings, by name. A ping means "alive": it resolves the missed-heartbeat incident
whose dedup key is ``heartbeat:<name>`` (the heartbeat timer raises the matching trigger when
pings stop — see the pipeline)."""

from __future__ import annotations

import re
from datetime import datetime

from shared.alerts.models import AlertEvent, InvalidPayload, SourceFormat

_NAME = re.compile(r"^[A-Za-z0-9._~:-]{1,200}$")


def dedup_key(name: str) -> str:
    return f"heartbeat:{name}"


def ping(name: str, *, received_at: datetime) -> AlertEvent:
    if not _NAME.match(name):
        raise InvalidPayload(
            "invalid heartbeat name",
            field="name",
            expected="1-200 characters: letters, digits, . _ ~ : -",
        )
    return AlertEvent(
        source=SourceFormat.HEARTBEAT,
        dedup_key=dedup_key(name),
        action="resolve",
        title=f"Heartbeat {name} is alive",
        occurred_at=received_at,
        source_ids={"heartbeat": name},
    )


def missed(
    name: str, *, last_ping: datetime | None, now: datetime, interval_seconds: int
) -> AlertEvent:
    seen = last_ping.strftime("%Y-%m-%d %H:%M:%S UTC") if last_ping else "never"
    return AlertEvent(
        source=SourceFormat.HEARTBEAT,
        dedup_key=dedup_key(name),
        action="trigger",
        severity="P2",
        title=f"Heartbeat {name} missed",
        description=f"No ping for more than {interval_seconds} s (last ping: {seen}).",
        occurred_at=now,
        source_ids={"heartbeat": name},
    )
