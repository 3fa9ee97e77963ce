"""A heartbeat's state: the timer's rule (missed after the interval without a ping, counted from
the creation when it never pinged), for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.catalog.models import Integration, IntegrationSettings
from shared.pipeline.heartbeat_status import status_of

MADE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def beat(interval: int | None = 300, *, enabled: bool = True) -> Integration:
    return Integration(
        id="hb",
        name="nightly backup",
        service_id="svc",
        team_id="t",
        format="heartbeat",
        key_prefix="p",
        key_hash="h",
        settings=IntegrationSettings(heartbeat_interval_seconds=interval),
        enabled=enabled,
        created_at=MADE,
    )


@pytest.mark.parametrize(
    ("integration", "last", "after", "state"),
    [
        (beat(), None, 300, "waiting"),
        (beat(), None, 301, "missed"),
        (beat(), MADE + timedelta(minutes=10), 600 + 300, "ok"),
        (beat(), MADE + timedelta(minutes=10), 600 + 301, "missed"),
        (beat(None), MADE, 10**6, "unmonitored"),
        (beat(enabled=False), None, 10**6, "disabled"),
    ],
)
def test_state(integration: Integration, last: datetime | None, after: int, state: str) -> None:
    got = status_of(integration, last, MADE + timedelta(seconds=after))
    assert got.state == state
    if integration.settings.heartbeat_interval_seconds:
        assert got.due_at == (last or MADE) + timedelta(seconds=300)
