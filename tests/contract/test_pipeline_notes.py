"""A note is never taken for a repeat: not when it lands at the very instant of the incident's
last change, nor when two notes share an instant.

The real processing and incident service on the real SQLite store, with a clock that does not
move: the incident's ``updated_at`` is then the note's own time, which is all it changes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.catalog.cache import CatalogCache
from shared.catalog.models import Integration, Service
from shared.incidents.models import Action, Actor
from shared.incidents.service import apply_action
from shared.pipeline.models import Envelope
from shared.pipeline.process import ProcessPorts, process_envelope
from shared.store.codec import to_doc
from shared.store.port import eq
from shared.store.sqlite import SqliteStore
from tests.fixtures.escalation import RecordedEscalation

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ALICE = Actor(kind="user", id="alice", display="Alice")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    await s.upsert("services", to_doc(Service(id="svc", name="Checkout", team_id="t")))
    integration = Integration(
        id="og",
        name="opsgenie",
        service_id="svc",
        team_id="t",
        format="opsgenie",
        key_prefix="k",
        key_hash="h",
        created_at=T0,
    )
    await s.upsert("integrations", to_doc(integration))
    yield s
    await s.close()


def _ports(store: SqliteStore) -> ProcessPorts:
    return ProcessPorts(
        store=store,
        claim_check=None,
        escalation=RecordedEscalation(),
        clock=lambda: T0,
        catalog=CatalogCache(ttl_s=0),
    )


def _create(n: int) -> Envelope:
    body = json.dumps({"message": "disk full", "alias": "disk"})
    return Envelope(
        id=f"env-{n:08d}", integration_id="og", format="opsgenie", received_at=T0, body=body
    )


def _note(n: int, text: str, identifier: str, identifier_type: str) -> Envelope:
    return Envelope(
        id=f"env-{n:08d}",
        integration_id="og",
        format="opsgenie",
        received_at=T0,
        body=json.dumps({"note": text, "user": "ops"}),
        kind="opsgenie_action",
        action={"action": "notes", "identifier": identifier, "identifier_type": identifier_type},
    )


async def _notes(store: SqliteStore, incident_id: str) -> list[str]:
    page = await store.query("timeline", pk=incident_id, where=[eq("kind", "note")], limit=100)
    return sorted(str(doc["message"]) for doc in page.items)


async def test_opsgenie_notes_at_the_instant_of_the_last_change_are_all_kept(
    store: SqliteStore,
) -> None:
    ports = _ports(store)
    created = await process_envelope(_create(1), ports=ports, first_delivery=True)
    incident_id = created.outcomes[0].incident_id
    assert incident_id is not None
    await process_envelope(_note(2, "by alias", "disk", "alias"), ports=ports, first_delivery=True)
    await process_envelope(_note(3, "by id", incident_id, "id"), ports=ports, first_delivery=True)
    assert await _notes(store, incident_id) == ["by alias", "by id"]


async def test_two_notes_by_people_in_the_same_instant_are_both_on_the_timeline(
    store: SqliteStore,
) -> None:
    created = await process_envelope(_create(1), ports=_ports(store), first_delivery=True)
    incident_id = created.outcomes[0].incident_id
    assert incident_id is not None
    for text in ("looking at db", "db is fine"):
        await apply_action(
            store=store,
            incident_id=incident_id,
            action=Action(kind="add_note", actor=ALICE, note=text, via="api"),
            now=T0,
        )
    assert await _notes(store, incident_id) == ["db is fine", "looking at db"]
