"""Processing against the real SQLite store: exactly-once effects whatever point a delivery dies.

A wrapper lets the real adapter run the first ``n`` operations of a delivery and then fails the
next one, as a crash there would (the message is abandoned and delivered again). For every ``n``
the redelivery must leave exactly what one clean delivery leaves: one incident, the right alert
count, one alert document per event and no repeated timeline lines.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.catalog.cache import CatalogCache
from shared.catalog.models import Integration, Service
from shared.incidents import alertlog
from shared.incidents.models import Incident
from shared.pipeline.models import Envelope
from shared.pipeline.process import (
    FIRST_DELIVERY_WINDOW,
    ProcessPorts,
    is_first_delivery,
    process_envelope,
)
from shared.store.codec import from_doc, to_doc
from shared.store.port import DocumentStore
from shared.store.sqlite import SqliteStore
from tests.fixtures.escalation import RecordedEscalation
from tests.fixtures.stores import BACKENDS, open_backend

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
OPS = ("get", "create", "replace", "upsert", "delete", "patch", "query", "increment")


class Crash(Exception):
    pass


class CrashingStore:
    """The real adapter, failing the operation after ``budget`` successful ones (None: never)."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.budget: int | None = None
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in OPS:
            return attr

        async def op(*args: Any, **kwargs: Any) -> Any:
            if self.budget is not None and self.calls >= self.budget:
                raise Crash(f"crash before {name} #{self.calls + 1}")
            self.calls += 1
            return await attr(*args, **kwargs)

        return op


async def _seed(store: DocumentStore) -> None:
    await store.upsert("services", to_doc(Service(id="svc", name="Checkout", team_id="t")))
    integration = Integration(
        id="int-1",
        name="generic",
        service_id="svc",
        team_id="t",
        format="generic",
        key_prefix="k",
        key_hash="h",
        created_at=T0,
    )
    await store.upsert("integrations", to_doc(integration))
    reopening = integration.model_copy(update={"id": "int-2", "on_refire": "reopen"})
    await store.upsert("integrations", to_doc(reopening))
    alertmanager = integration.model_copy(update={"id": "int-am", "format": "alertmanager"})
    await store.upsert("integrations", to_doc(alertmanager))


def _envelope(n: int, key: str, status: str = "firing", integration: str = "int-1") -> Envelope:
    return Envelope(
        id=f"env-{n:08d}",
        integration_id=integration,
        format="generic",
        received_at=T0,
        body=json.dumps({"title": f"disk full {key}", "id": key, "status": status}),
    )


async def _state(store: DocumentStore) -> dict[str, Any]:
    incidents = (await store.query("incidents", limit=100)).items
    alerts: list[dict[str, Any]] = []
    for doc in incidents:
        chunks = (await store.query("alerts", pk=doc["id"], limit=100)).items
        incident = from_doc(Incident, doc)
        alerts += [*alertlog.flatten(chunks, incident), *incident.recent_alerts]
    timeline = (await store.query("timeline", limit=100)).items
    opened = [i["opened"]["kind"] for i in incidents if i.get("opened")]
    return {
        "incidents": sorted((i["dedup_key"], i["alert_count"], i["status"]) for i in incidents),
        # A crash after taking a number leaves a gap; numbers stay unique.
        "numbers_unique": len({i["number"] for i in incidents}) == len(incidents),
        "alerts": sorted(a["id"] for a in alerts),
        "timeline": sorted([*opened, *(e["kind"] for e in timeline)]),
    }


def _ports(inner: DocumentStore, *, cache_ttl_s: float) -> tuple[CrashingStore, ProcessPorts]:
    store = CrashingStore(inner)
    ports = ProcessPorts(
        store=store,  # type: ignore[arg-type]
        claim_check=None,
        escalation=RecordedEscalation(),
        clock=lambda: T0,
        catalog=CatalogCache(ttl_s=cache_ttl_s),
    )
    return store, ports


async def _run_with_crash(tmp: Path, budget: int, envelopes: list[Envelope]) -> dict[str, Any]:
    """Deliver every envelope cleanly except the last, which dies after ``budget`` operations and
    is then delivered again (delivery count 2)."""
    inner = await SqliteStore.open(tmp / f"crash-{budget}.sqlite")
    try:
        await _seed(inner)
        store, ports = _ports(inner, cache_ttl_s=0)
        *before, last = envelopes
        for env in before:
            await process_envelope(env, ports=ports, first_delivery=True)
        store.calls, store.budget = 0, budget
        with pytest.raises(Crash):
            await process_envelope(last, ports=ports, first_delivery=True)
        store.budget = None
        await process_envelope(last, ports=ports, first_delivery=False)
        settled = await _state(inner)
        # A second redelivery after success changes nothing (the marker skips it; an envelope
        # that only opened incidents or appended to them finds its alerts).
        again = await process_envelope(last, ports=ports, first_delivery=False)
        assert again.skipped or all(o.decision in ("create", "append") for o in again.outcomes)
        assert await _state(inner) == settled
        return settled
    finally:
        await inner.close()


async def _clean(
    tmp: Path, envelopes: list[Envelope], *, cache_ttl_s: float = 0, other_instance: bool = False
) -> tuple[dict[str, Any], int]:
    """The state one clean delivery of each envelope leaves, and the last one's operations
    (``other_instance``: delivered to an instance that processed none of the others)."""
    inner = await SqliteStore.open(tmp / f"clean-{cache_ttl_s}.sqlite")
    try:
        await _seed(inner)
        store, ports = _ports(inner, cache_ttl_s=cache_ttl_s)
        *before, last = envelopes
        for env in before:
            await process_envelope(env, ports=ports, first_delivery=True)
        if other_instance:
            warm = _envelope(99_999, "warm-up")  # its catalog cache is warm, as a running one's
            store, ports = _ports(inner, cache_ttl_s=cache_ttl_s)
            await process_envelope(warm, ports=ports, first_delivery=True)
        store.calls = 0
        await process_envelope(last, ports=ports, first_delivery=True)
        return await _state(inner), store.calls
    finally:
        await inner.close()


#: The key's 17th alert: the incident's recent-alert list is full and moves to a chunk.
STORM = [_envelope(n, "a") for n in range(1, alertlog.RECENT_ALERTS_KEPT + 2)]

SCENARIOS = {
    "new alert": [_envelope(1, "a")],
    "duplicate": [_envelope(1, "a"), _envelope(2, "a")],
    "duplicate of a cached key": [_envelope(1, "a"), _envelope(2, "a"), _envelope(3, "a")],
    "a duplicate that moves the recent alerts to a chunk": STORM,
    "resolve": [_envelope(1, "a"), _envelope(2, "a", "resolved")],
    "refire after resolve": [
        _envelope(1, "a"),
        _envelope(2, "a", "resolved"),
        _envelope(3, "a"),
    ],
    # A late redelivery of the duplicate must not add it to the second incident.
    "duplicate, resolve, refire": [
        _envelope(1, "a"),
        _envelope(2, "a"),
        _envelope(3, "a", "resolved"),
        _envelope(4, "a"),
    ],
    "refire reopens": [
        _envelope(1, "a", integration="int-2"),
        _envelope(2, "a", "resolved", integration="int-2"),
        _envelope(3, "a", integration="int-2"),
    ],
    "a batch of events in one envelope": [
        Envelope(
            id=f"env-{n:08d}",
            integration_id="int-am",
            format="alertmanager",
            received_at=T0,
            body=(PAYLOADS / "alertmanager" / name).read_text(),
        )
        for n, name in enumerate(("firing.json", "mixed_batch_without_fingerprints.json"), 1)
    ],
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_a_crash_at_any_operation_changes_nothing_on_redelivery(
    tmp_path: Path, scenario: str
) -> None:
    envelopes = SCENARIOS[scenario]
    expected, ops = await _clean(tmp_path, envelopes)
    assert ops > 0
    for budget in range(ops):
        got = await _run_with_crash(tmp_path, budget, envelopes)
        assert got == expected, f"{scenario}: crash after {budget} of {ops} operations"


async def test_store_operations_per_alert(tmp_path: Path) -> None:
    """The hot path's operation counts (docs: shared/pipeline/process.py). Counted, not timed:
    a change here is a design change to explain, not noise."""
    warm = _envelope(0, "warm-up")  # fills the catalog cache, as a running instance has it
    _, new_ops = await _clean(tmp_path / "new", [warm, _envelope(1, "a")], cache_ttl_s=60)
    # The instance that opened the incident knows the key's record and the incident's etag.
    _, dup_ops = await _clean(
        tmp_path / "dup", [_envelope(1, "a"), _envelope(2, "a")], cache_ttl_s=60
    )
    _, elsewhere_ops = await _clean(
        tmp_path / "other",
        [_envelope(1, "a"), _envelope(2, "a")],
        cache_ttl_s=60,
        other_instance=True,
    )
    # Every RECENT_ALERTS_KEPT-th duplicate also writes a chunk.
    _, chunk_ops = await _clean(tmp_path / "storm", STORM, cache_ttl_s=60)
    assert (new_ops, dup_ops, elsewhere_ops, chunk_ops) == (4, 1, 3, 2)


async def test_a_stale_cached_record_in_one_instance_never_misroutes(tmp_path: Path) -> None:
    """Instance A caches key a -> incident X. Instance B resolves X and opens Y for the same key.
    A's next trigger must land on Y (its cached record leads only to appends to open incidents;
    anything else is decided again on a fresh read)."""
    store = await SqliteStore.open(tmp_path / "two.sqlite")
    try:
        await _seed(store)
        _, a = _ports(store, cache_ttl_s=60)
        _, b = _ports(store, cache_ttl_s=60)
        first = await process_envelope(_envelope(1, "a"), ports=a, first_delivery=True)
        await process_envelope(_envelope(2, "a"), ports=a, first_delivery=True)  # A caches it
        x = first.outcomes[0].incident_id
        await process_envelope(_envelope(3, "a", "resolved"), ports=b, first_delivery=True)
        fresh = await process_envelope(_envelope(4, "a"), ports=b, first_delivery=True)
        y = fresh.outcomes[0].incident_id
        assert fresh.outcomes[0].decision == "create" and y != x
        late = await process_envelope(_envelope(5, "a"), ports=a, first_delivery=True)
        assert (late.outcomes[0].decision, late.outcomes[0].incident_id) == ("append", y)
        incidents = {d["id"]: d for d in (await store.query("incidents", limit=10)).items}
        assert incidents[x]["status"] == "resolved" and incidents[x]["alert_count"] == 2
        assert incidents[y]["status"] == "triggered" and incidents[y]["alert_count"] == 2
    finally:
        await store.close()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_a_late_redelivery_of_any_envelope_changes_nothing(
    tmp_path: Path, scenario: str
) -> None:
    """Every envelope delivered once; then each is delivered again (its completion was lost),
    after the later ones changed the incident: nothing may change."""
    envelopes = SCENARIOS[scenario]
    store = await SqliteStore.open(tmp_path / "late.sqlite")
    try:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        for env in envelopes:
            await process_envelope(env, ports=ports, first_delivery=True)
        settled = await _state(store)
        for env in envelopes:
            again = await process_envelope(env, ports=ports, first_delivery=False)
            # Skipped by its marker, or (an envelope that only opened incidents or appended to
            # them) finding its alerts.
            assert again.skipped or all(
                o.decision in ("create", "append") for o in again.outcomes
            ), env.id
            assert await _state(store) == settled, f"{scenario}: {env.id} was applied twice"
    finally:
        await store.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_late_duplicate_finds_its_alert_in_a_chunk_on_every_backend(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """The lookups only redeliveries make — the key's incidents changed since the envelope
    arrived, and the alert chunks holding an alert id — on each real backend: a duplicate whose
    record moved to a chunk, delivered again after its key moved on to a new incident."""
    key = f"k-{uuid.uuid4().hex}"
    run = uuid.uuid4().hex[:8]

    def env(n: int, status: str = "firing") -> Envelope:
        return _envelope(n, key, status).model_copy(update={"id": f"env-{run}-{n:04d}"})

    async with open_backend(backend, request) as store:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        storm = [env(n) for n in range(1, alertlog.RECENT_ALERTS_KEPT + 2)]
        first = await process_envelope(storm[0], ports=ports, first_delivery=True)
        for e in storm[1:]:
            await process_envelope(e, ports=ports, first_delivery=True)
        await process_envelope(env(500, "resolved"), ports=ports, first_delivery=True)
        refired = await process_envelope(env(501), ports=ports, first_delivery=True)
        old, new = first.outcomes[0].incident_id, refired.outcomes[0].incident_id
        assert old and new and old != new
        chunks = (await store.query("alerts", pk=old, limit=10)).items
        assert [len(c["alerts"]) for c in chunks] == [alertlog.RECENT_ALERTS_KEPT]
        again = await process_envelope(storm[1], ports=ports, first_delivery=False)
        assert [(o.decision, o.incident_id) for o in again.outcomes] == [("append", old)]
        counts = {
            i: (await store.get("incidents", i, i) or {}).get("alert_count") for i in (old, new)
        }
        assert counts == {old: len(storm), new: 1}


def test_only_a_prompt_first_delivery_skips_the_redelivery_checks() -> None:
    soon, late = T0 + timedelta(seconds=30), T0 + FIRST_DELIVERY_WINDOW
    assert is_first_delivery(1, T0, soon)
    assert not is_first_delivery(2, T0, soon)  # a redelivery
    assert not is_first_delivery(None, T0, soon)  # the host could not say
    assert not is_first_delivery(1, T0, late)  # a dead letter sent back, or a backlog


async def test_a_dead_letter_sent_back_after_the_key_moved_on_changes_nothing(
    tmp_path: Path,
) -> None:
    """Its delivery count starts again at 1, but it is old: the checks find its alert."""
    store = await SqliteStore.open(tmp_path / "dlq.sqlite")
    try:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        envelopes = SCENARIOS["duplicate, resolve, refire"]
        for env in envelopes:
            await process_envelope(env, ports=ports, first_delivery=True)
        settled = await _state(store)
        first = is_first_delivery(1, envelopes[1].received_at, T0 + timedelta(hours=2))
        await process_envelope(envelopes[1], ports=ports, first_delivery=first)
        assert await _state(store) == settled
    finally:
        await store.close()


def _described(n: int, key: str, description: str, integration: str = "int-1") -> Envelope:
    body = {"title": f"disk full {key}", "id": key, "description": description}
    return Envelope(
        id=f"env-{n:08d}",
        integration_id=integration,
        format="generic",
        received_at=T0,
        body=json.dumps(body),
    )


async def test_the_newest_description_is_kept_once_not_with_every_duplicate(
    tmp_path: Path,
) -> None:
    store = await SqliteStore.open(tmp_path / "described.sqlite")
    try:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        first = "volume /data is 97% full"
        for n, text in enumerate([first, first, first, "now 99%", ""], 1):
            await process_envelope(_described(n, "d", text), ports=ports, first_delivery=True)
        [doc] = (await store.query("incidents", limit=10)).items
        incident = from_doc(Incident, doc)
        assert incident.description == "now 99%"  # the newest; an empty one changes nothing
        # Only the alerts that brought a new description carry it.
        assert [a.get("description") for a in incident.recent_alerts] == [
            first,
            None,
            None,
            "now 99%",
            None,
        ]
        huge = "x" * (alertlog.DESCRIPTION_MAX_CHARS * 2)
        await process_envelope(_described(9, "d", huge), ports=ports, first_delivery=True)
        [doc] = (await store.query("incidents", limit=10)).items
        kept = from_doc(Incident, doc).description
        assert len(kept) == alertlog.DESCRIPTION_MAX_CHARS
        assert kept.endswith(alertlog.DESCRIPTION_CLIPPED)
    finally:
        await store.close()


async def test_an_opsgenie_create_with_a_note_adds_it_to_the_timeline(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "note.sqlite")
    try:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        ticks = iter(T0 + timedelta(seconds=n) for n in range(1000))
        # A moving clock: a note that changes nothing else still changes updated_at.
        ports = dataclasses.replace(ports, clock=lambda: next(ticks))
        body = {"message": "Queue stuck", "alias": "og-note", "note": "paged by the nightly job"}
        for n in (1, 2):  # the duplicate's note is not added again
            env = Envelope(
                id=f"env-{n:08d}",
                integration_id="int-1",
                format="opsgenie",
                received_at=T0,
                body=json.dumps(body),
            )
            await process_envelope(env, ports=ports, first_delivery=True)
        lines = (await store.query("timeline", limit=100)).items
        notes = [e["message"] for e in lines if e["kind"] == "note"]
        assert notes == ["paged by the nightly job"]
    finally:
        await store.close()


async def test_a_resolve_before_its_trigger_keeps_the_late_trigger_from_opening(
    tmp_path: Path,
) -> None:
    """Azure retries out of order: the Resolved arrives, then its Fired. The late Fired must not
    open an incident nothing would resolve; a firing after the resolve still opens one."""
    resolved = json.loads((PAYLOADS / "azure_monitor" / "metric_static_resolved.json").read_text())
    late = json.loads(json.dumps(resolved))
    late["data"]["essentials"].update(monitorCondition="Fired", resolvedDateTime=None)
    refired = json.loads(json.dumps(late))
    refired["data"]["essentials"]["firedDateTime"] = "2030-01-01T00:00:00Z"

    def envelope(n: int, doc: dict[str, Any]) -> Envelope:
        return Envelope(
            id=f"env-{n:08d}",
            integration_id="int-1",
            format="azure_monitor",
            received_at=T0,
            body=json.dumps(doc),
        )

    store = await SqliteStore.open(tmp_path / "early.sqlite")
    try:
        await _seed(store)
        _, ports = _ports(store, cache_ttl_s=60)
        first = await process_envelope(envelope(1, resolved), ports=ports, first_delivery=True)
        second = await process_envelope(envelope(2, late), ports=ports, first_delivery=True)
        assert [o.decision for o in (*first.outcomes, *second.outcomes)] == ["ignore", "ignore"]
        assert (await store.query("incidents", limit=10)).items == []
        third = await process_envelope(envelope(3, refired), ports=ports, first_delivery=True)
        assert [o.decision for o in third.outcomes] == ["create"]
    finally:
        await store.close()
