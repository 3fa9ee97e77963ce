"""Process: turn an envelope into incident changes, idempotently.

For each event of the envelope: route it (the integration's routes pick service, policy, page
or not), find the key's dedup record (one point read), decide with
:func:`shared.incidents.grouping.decide_grouping`, and apply the decision.

Idempotency per envelope (a redelivery after a crash must not double-count): every id written
derives from the envelope id — the new incident's, each alert record's, each timeline line's —
so a replay finds its own work and skips it. An alert is recorded on its incident (see
:mod:`shared.incidents.alertlog`) in the same etag-guarded write that counts it, so "counted"
and "recorded" are one fact; a new incident is written holding its first alert and its
"created" line. A change's other timeline lines are written before the change, as its intent,
so a redelivery that finds nothing left to change still knows to signal escalation again. A
``processed`` marker (TTL 7 days), written last, short-cuts complete replays of envelopes that
resolved, acknowledged, reopened or noted, so a redelivery that comes after later alerts moved
the incident on changes nothing. Envelopes that only opened incidents or appended alerts write
none: on a redelivery each event finds the incident only it can have opened, or its alert
recorded as appended on one of the key's incidents changed since the envelope arrived. Only a
redelivery can be a replay, so those lookups happen only then: a delivery count above 1, or a
first delivery long after the alert was received (a dead letter sent back;
:func:`is_first_delivery`). ``tests/contract/test_pipeline_process.py`` fails each store
operation in turn and redelivers, and redelivers every envelope late.

The incident writes (recording and counting alerts, lifecycle changes with their timeline
intents) are :class:`~shared.pipeline.incident_writer.IncidentWriter`'s; this module routes
and decides.

Concurrency: the dedup record is created with ``create`` (exactly one of two concurrent first
alerts wins; the loser re-reads and appends), incident updates are etag-guarded
read-modify-write loops, and deliveries of one key within an instance take turns
(:class:`~shared.pipeline.keyed_locks.KeyedLocks`).

Store operations on the hot path (the integration, its routes and its service come from the
per-process :class:`~shared.catalog.cache.CatalogCache`): a new alert reads its dedup record,
claims it, takes an incident number and writes the incident (4). A duplicate on an instance
that has seen the key (its record and the incident's etag are in the instance's caches) is one
etag-guarded incident write; on another instance, the record and incident reads come first (3).
Every ``alertlog.RECENT_ALERTS_KEPT``-th alert also writes a chunk of older alert records.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.alerts.models import AlertEvent, SourceFormat
from shared.catalog.routing import RouteDecision, choose_route
from shared.errors import InvalidInput, NotFound
from shared.incidents import alertlog, stored
from shared.incidents.grouping import DedupRecord, decide_grouping
from shared.incidents.models import (
    Action,
    Actor,
    Incident,
    TimelineEntry,
)
from shared.pipeline import early_resolve
from shared.pipeline.events import envelope_events
from shared.pipeline.incident_writer import MAX_WRITE_ATTEMPTS, IncidentWriter
from shared.pipeline.models import Envelope
from shared.pipeline.ports import InstancePorts, ProcessPorts
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import Conflict, PreconditionFailed
from shared.store.retry import RETRY, Retry, exponential_jitter, optimistic

log = logging.getLogger(__name__)

__all__ = [
    "FIRST_DELIVERY_WINDOW",
    "InstancePorts",
    "Outcome",
    "ProcessPorts",
    "ProcessResult",
    "dedup_doc_id",
    "is_first_delivery",
    "process_envelope",
]


@dataclass(frozen=True)
class Outcome:
    decision: str
    incident_id: str | None
    dedup_key: str


@dataclass(frozen=True)
class ProcessResult:
    envelope_id: str
    skipped: bool
    outcomes: tuple[Outcome, ...] = ()


def dedup_doc_id(dedup_key: str) -> str:
    """Dedup keys can be long and contain '/' (Azure alert ids); document ids cannot."""
    return hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:48]


class _Run(IncidentWriter):
    """One envelope's processing: route each event, decide with the key's dedup record, and
    apply the decision through the incident writer it extends."""

    async def create(
        self,
        event: AlertEvent,
        index: int,
        decision: RouteDecision,
        *,
        record: DedupRecord | None,
        record_etag: str | None,
        ensure: bool = False,
    ) -> Outcome:
        """Open an incident for the key. With ``ensure``, ``record`` points at an incident that did
        not exist when it was read (a concurrent or crashed first delivery): that incident id is
        used and the record is left alone; whoever writes the incident document first wins and
        the other appends. Otherwise a new incident claims the key (create, or replace the record
        of a resolved incident, both etag-guarded)."""
        if record is not None and ensure:
            incident_id = record.incident_id
        else:
            incident_id = self._own_incident_id(index)
            new_record = DedupRecord(
                integration_id=self.integration.id,
                dedup_key=event.dedup_key,
                incident_id=incident_id,
                open=True,
                first_seen=event.occurred_at,
                last_seen=event.occurred_at,
            )
            record_doc = to_doc(new_record, pk_field="integration_id", pk=self.integration.id)
            record_doc["id"] = dedup_doc_id(event.dedup_key)
            key = (self.integration.id, event.dedup_key)
            self.ports.records.discard(key)
            claimed: dict[str, Any] | None = None
            if record is None:
                # Conflict: a concurrent first alert claimed the key; the caller re-decides.
                claimed = await self.store.create("dedup", record_doc)
            elif record.incident_id != incident_id:
                claimed = await self.store.replace("dedup", record_doc, if_match=record_etag)
            if claimed is not None:
                # The key's next duplicates here need not read it back (appends only).
                self.ports.records.put(key, claimed)
        fresh = self.first_delivery and not (record is not None and ensure)
        if await self._create_incident(event, index, decision, incident_id, fresh=fresh):
            return Outcome("create", incident_id, event.dedup_key)
        await self._append(incident_id, event, index)
        return Outcome("append", incident_id, event.dedup_key)

    async def _create_incident(
        self,
        event: AlertEvent,
        index: int,
        decision: RouteDecision,
        incident_id: str,
        *,
        fresh: bool,
    ) -> bool:
        """Write the incident, holding its first alert and its "created" line (one write), and
        start escalation. False when another envelope's delivery wrote that incident first (the
        caller then appends); an earlier delivery of this envelope is finished instead.

        ``fresh``: the id derives from this envelope on its first delivery, so nobody can have
        written it and the look before taking a number is skipped."""
        ours = incident_id == self._own_incident_id(index)
        existing = None if fresh else await self.incident(incident_id)
        if existing is not None and not ours:
            return False
        now = self.ports.clock()
        if existing is not None:
            incident = existing[0]
        else:
            service = await self.service(decision.service_id)
            opened = TimelineEntry(
                incident_id=incident_id,
                at=now,
                kind="created",
                actor=self.source_actor(),
                message=f"Incident opened by {self.integration.name}: {event.title}"
                + ("" if decision.page else " (route says don't page)"),
                via=f"source:{self.integration.format}",
                data={"route_id": decision.route_id, "envelope_id": self.env.id},
            )
            first, description = alertlog.described(
                self._alert_record(event, index, "create"), "", event.description
            )
            incident = Incident(
                id=incident_id,
                number=await self.next_number(),
                title=event.title,
                severity=decision.severity,
                team_id=service.team_id,
                service_id=service.id,
                integration_id=self.integration.id,
                dedup_key=event.dedup_key,
                escalation_policy_id=decision.escalation_policy_id or service.escalation_policy_id,
                page=decision.page,
                alert_count=1,
                recent_alerts=(first,),
                description=description,
                opened=opened,
                created_at=now,
                updated_at=now,
                last_alert_at=event.occurred_at,
                labels=event.labels,
            )
            try:
                etag = await stored.create_incident(self.store, incident)
                self.ports.incidents.put(incident_id, (incident, etag))
            except Conflict:
                if not ours:
                    return False  # a concurrent first delivery of the key won
                loaded = await self.incident(incident_id)
                if loaded is None:
                    raise PreconditionFailed(f"incident {incident_id} vanished; retrying") from None
                incident = loaded[0]
        if incident.page and incident.is_open:
            # Idempotent: a redelivery finds the orchestration running. Not for an incident
            # that was resolved since an earlier delivery opened it.
            await self.ports.escalation.start(incident)
        return True

    async def apply(self, event: AlertEvent, index: int) -> Outcome:
        if event.target is not None and event.target.by != "dedup_key":
            return await self.apply_targeted(event, index)
        async with self.ports.keys.hold(f"{self.integration.id}\n{event.dedup_key}"):
            outcome = await self._apply_keyed(event, index)
        if event.note and outcome.incident_id and outcome.decision in ("create", "reopen"):
            # An Opsgenie create's ``note`` goes on the timeline of the incident it opened.
            await self.note(event, outcome.incident_id, index)
        return outcome

    async def _record(
        self, event: AlertEvent, *, cached: bool
    ) -> tuple[dict[str, Any] | None, bool]:
        """The key's dedup record and whether it came from this instance's cache (only asked
        when ``cached``); a read from the store refreshes the cache."""
        key = (self.integration.id, event.dedup_key)
        if cached:
            hit, doc = self.ports.records.get(key)
            if hit:
                return doc, True
        doc = await self.store.get("dedup", self.integration.id, dedup_doc_id(event.dedup_key))
        if doc is None:
            self.ports.records.discard(key)
        else:
            self.ports.records.put(key, doc)
        return doc, False

    async def _apply_keyed(self, event: AlertEvent, index: int) -> Outcome:
        # A trigger on its first delivery may decide from the cached record and this instance's
        # copy of the incident, but only to append to the open incident they name; any other
        # decision is taken again on fresh reads. (A stale record can name only an incident this
        # key had, so "append to it while it is open" stays right, and the append's write is
        # etag-guarded, so a stale copy only costs a re-read; creating, reopening or resolving
        # must see the current record.)
        use_cache = event.action == "trigger" and self.first_delivery
        if not self.first_delivery:
            own = await self.incident(self._own_incident_id(index))
            if own is not None:
                # An earlier delivery of this event opened this incident (only it can have that
                # id), maybe dying before what opening entails, maybe long ago with the key
                # gone on to other incidents since: finish it (each part is idempotent) and
                # apply nothing else.
                decision = choose_route(
                    self.integration, await self.routes(), event, description=event.description
                )
                await self._create_incident(event, index, decision, own[0].id, fresh=False)
                return Outcome("create", own[0].id, event.dedup_key)
            if event.action == "trigger":
                appended_to = await self._appended_before(event, index)
                if appended_to is not None:
                    return Outcome("append", appended_to, event.dedup_key)

        async def attempt(_: int) -> Outcome | Retry:
            nonlocal use_cache
            record_doc, from_cache = await self._record(event, cached=use_cache)
            record = from_doc(DedupRecord, record_doc) if record_doc else None
            loaded, copied = None, False
            if record is not None:
                loaded = self._copy_of(record.incident_id) if use_cache else None
                copied = loaded is not None
                if loaded is None:
                    loaded = await self.incident(record.incident_id)
            status = loaded[0].status if loaded else None
            if event.action == "note":
                if loaded is None:
                    return Outcome("ignore", None, event.dedup_key)
                await self.note(event, loaded[0].id, index)
                return Outcome("note", loaded[0].id, event.dedup_key)
            grouping = decide_grouping(
                action=event.action,
                record=record,
                incident_status=status,
                on_refire=self.integration.on_refire,
            )
            if (from_cache or copied) and grouping.kind != "append":
                use_cache = False
                return RETRY
            try:
                return await self._apply_decision(
                    grouping.kind, event, index, record, record_doc, loaded
                )
            except (Conflict, PreconditionFailed):
                # Lost a race on the dedup record, or the incident closed meanwhile: read again
                # and decide again.
                use_cache = False
                return RETRY

        return await optimistic(
            attempt,
            attempts=MAX_WRITE_ATTEMPTS,
            exhausted=lambda: PreconditionFailed(
                f"dedup key {event.dedup_key!r} is too contended; retrying the message"
            ),
            pause=exponential_jitter,
        )

    async def _apply_decision(
        self,
        kind: str,
        event: AlertEvent,
        index: int,
        record: DedupRecord | None,
        record_doc: dict[str, Any] | None,
        loaded: tuple[Incident, str] | None,
    ) -> Outcome:
        if kind in ("ignore", "resolve"):
            await early_resolve.remember(
                self.store, self.integration.id, event, now=self.ports.clock()
            )
        if kind == "ignore":
            return Outcome("ignore", record.incident_id if record else None, event.dedup_key)
        if (
            kind == "create"
            and (record is None or loaded is not None)
            and await early_resolve.resolved_already(
                self.store, self.integration.id, event, now=self.ports.clock()
            )
        ):
            log.info("late trigger for %r dropped: its resolve came first", event.dedup_key)
            return Outcome("ignore", None, event.dedup_key)
        if kind == "create" or (record is not None and loaded is None):
            # The second case: the record points at an incident a concurrent or crashed first
            # delivery has not written (yet); create() settles who writes it.
            decision = choose_route(
                self.integration, await self.routes(), event, description=event.description
            )
            etag = record_doc["_etag"] if record_doc else None
            return await self.create(
                event,
                index,
                decision,
                record=record,
                record_etag=etag,
                ensure=loaded is None and record is not None,
            )
        assert record is not None and record_doc is not None
        incident_id = record.incident_id
        actor = self.source_actor()
        via = f"source:{self.integration.format}"
        if kind == "append":
            await self._append(incident_id, event, index, loaded=loaded)
            if not record.open:
                # A responder reopened the incident: the record follows (the incident's status
                # decides while it exists; the record only when it does not).
                await self._touch_record(record_doc, event, open_=True)
            return Outcome("append", incident_id, event.dedup_key)
        if kind == "reopen":
            updated = await self.change_incident(
                incident_id,
                Action(kind="reopen", actor=actor, via=via),
                index,
                alert=event,
                count=True,
            )
            await self._touch_record(record_doc, event, open_=True)
            if updated is not None and updated.page:
                await self.ports.escalation.start(updated)
            return Outcome("reopen", incident_id, event.dedup_key)
        if kind == "resolve":
            await self.change_incident(
                incident_id, Action(kind="resolve", actor=actor, via=via), index, alert=event
            )
            await self._touch_record(record_doc, event, open_=False)
            return Outcome("resolve", incident_id, event.dedup_key)
        if kind == "acknowledge":
            await self.change_incident(
                incident_id, Action(kind="acknowledge", actor=actor, via=via), index
            )
            return Outcome("acknowledge", incident_id, event.dedup_key)
        raise InvalidInput(f"unknown grouping decision {kind}")

    async def _touch_record(
        self, record_doc: dict[str, Any], event: AlertEvent, *, open_: bool
    ) -> None:
        last_seen = max(event.occurred_at, datetime.fromisoformat(record_doc["last_seen"]))
        changes: dict[str, Any] = {"open": open_, "last_seen": utc_iso(last_seen)}
        self.ports.records.discard((self.integration.id, event.dedup_key))
        try:
            await self.store.patch("dedup", record_doc["integration_id"], record_doc["id"], changes)
        except NotFound:
            pass

    async def apply_targeted(self, event: AlertEvent, index: int) -> Outcome:
        """An Opsgenie action by incident id or number. It reaches only incidents this
        integration opened, as Opsgenie scopes an API integration's actions to its own alerts
        (by alias the dedup record, kept per integration, scopes it already): any other
        incident, of another integration or team, is an unknown alert and nothing changes."""
        assert event.target is not None
        #: The addressed incident's id and the integration that opened it.
        addressed: tuple[str, object] | None = None
        if event.target.by == "incident_id":
            loaded = await self.incident(event.target.value)
            if loaded is not None:
                addressed = (loaded[0].id, loaded[0].integration_id)
        elif event.target.value.isdigit():
            numbered = await stored.incident_by_number(self.store, int(event.target.value))
            if numbered is not None:
                addressed = (numbered.id, numbered.integration_id)
        if addressed is None or addressed[1] != self.integration.id:
            log.info("opsgenie %s for unknown alert %s ignored", event.action, event.target.value)
            return Outcome("ignore", None, event.dedup_key)
        incident_id = addressed[0]
        actor = Actor(
            kind="source", id=self.integration.id, display=event.actor or self.integration.name
        )
        via = f"source:{self.integration.format}"
        if event.action == "note":
            await self.note(event, incident_id, index)
        else:
            kind = "resolve" if event.action == "resolve" else "acknowledge"
            await self.change_incident(incident_id, Action(kind=kind, actor=actor, via=via), index)
        return Outcome(event.action, incident_id, event.dedup_key)


#: A message delivered for the first time later than this after its alert was received is
#: processed with the redelivery checks. Service Bus counts deliveries per message, and a dead
#: letter sent back to the queue (after a fix, by a person) starts again at 1 although an
#: earlier delivery may have applied part of it. Such a message is older than this; the only
#: other first deliveries that are (a backlog after an outage) pay a few more reads per event.
FIRST_DELIVERY_WINDOW = timedelta(minutes=10)


def is_first_delivery(delivery_count: int | None, received_at: datetime, now: datetime) -> bool:
    """Whether nothing of the envelope can have been applied yet (see ``process_envelope``)."""
    return delivery_count == 1 and now - received_at < FIRST_DELIVERY_WINDOW


async def process_envelope(
    envelope: Envelope, *, ports: ProcessPorts, first_delivery: bool = False
) -> ProcessResult:
    """Apply one envelope. Raises on failures worth retrying (the message is abandoned and, after
    the queue's max deliveries, dead-lettered with the error as its reason).

    ``first_delivery``: nothing of the envelope can have been applied yet (its first delivery,
    soon after it was received: :func:`is_first_delivery`), so the marker and the other
    evidence of earlier deliveries are not looked for. Callers that cannot tell leave it
    False."""
    store = ports.store
    if not first_delivery and await store.get("processed", envelope.id, envelope.id) is not None:
        return ProcessResult(envelope.id, skipped=True)
    integration = await ports.catalog.integration(store, envelope.integration_id)
    if integration is None:
        raise NotFound(f"integration {envelope.integration_id} no longer exists")
    run = _Run(envelope, integration, ports, first_delivery=first_delivery)
    outcomes = [
        await run.apply(event, i)
        for i, event in enumerate(await envelope_events(envelope, integration, ports))
    ]
    if (
        envelope.kind != "body"
        or envelope.format == SourceFormat.OPSGENIE
        or any(o.decision not in ("create", "append") for o in outcomes)
    ):
        # Envelopes that only opened incidents or added alerts to them need no marker: on a
        # redelivery each event finds the incident only it can have opened, or its alert
        # recorded as appended (``_Run._apply_keyed``). Opsgenie senders read it back, though
        # (GET /v2/alerts/requests/{id}: shared.pipeline.request_status).
        await store.upsert(
            "processed",
            {
                "id": envelope.id,
                "pk": envelope.id,
                "at": utc_iso(ports.clock()),
                "integration_id": envelope.integration_id,
                "outcomes": [[o.decision, o.incident_id, o.dedup_key] for o in outcomes],
            },
        )
    return ProcessResult(envelope.id, skipped=False, outcomes=tuple(outcomes))
