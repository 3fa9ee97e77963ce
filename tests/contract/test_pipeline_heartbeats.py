"""Missed heartbeats against the real SQLite store: open once per silence, resolve on ping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.catalog.models import Integration, IntegrationSettings, Service
from shared.pipeline.heartbeats import check_heartbeats
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.escalation import RecordedEscalation

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def test_missed_heartbeat_opens_one_incident_and_a_ping_resolves_it(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        await store.upsert("services", to_doc(Service(id="svc", name="svc", team_id="t")))
        hb = Integration(
            id="int-hb",
            name="nightly backup",
            service_id="svc",
            team_id="t",
            format="heartbeat",
            key_prefix="x",
            key_hash="y",
            settings=IntegrationSettings(heartbeat_interval_seconds=600),
            created_at=T0,
        )
        await store.upsert("integrations", to_doc(hb))
        escalation = RecordedEscalation()
        ports = ProcessPorts(store=store, claim_check=None, escalation=escalation, clock=lambda: T0)

        assert await check_heartbeats(ports=ports, now=T0 + timedelta(minutes=5)) == []
        first = await check_heartbeats(ports=ports, now=T0 + timedelta(minutes=11))
        again = await check_heartbeats(ports=ports, now=T0 + timedelta(minutes=12))
        assert [o.decision for o in first[0].outcomes] == ["create"]
        assert again[0].skipped  # the same silence: no second incident
        [incident] = (
            await store.query("incidents", where=[eq("dedup_key", "heartbeat:nightly-backup")])
        ).items
        assert (
            incident["title"] == "Heartbeat nightly-backup missed" and incident["severity"] == "P2"
        )
        assert [c[0] for c in escalation.calls] == ["start"]

        ping = Envelope(
            id="ping-0001",
            integration_id="int-hb",
            format="heartbeat",
            received_at=T0 + timedelta(minutes=13),
            kind="heartbeat",
            action={"name": "nightly-backup"},
        )
        resolved = await process_envelope(ping, ports=ports)
        assert [o.decision for o in resolved.outcomes] == ["resolve"]
        assert await check_heartbeats(ports=ports, now=T0 + timedelta(minutes=20)) == []
        # Silent again after the ping: a new silence opens a new incident.
        later = await check_heartbeats(ports=ports, now=T0 + timedelta(minutes=24))
        assert [o.decision for o in later[0].outcomes] == ["create"]
    finally:
        await store.close()
