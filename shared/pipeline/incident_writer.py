"""The incident writer: one envelope's reads and etag-guarded writes of incident documents.

Every id it writes derives from the envelope (the incident an event opens, each alert record,
each timeline line), so a redelivery finds its own work; see :mod:`shared.pipeline.process` for
the idempotency model. An alert is recorded on its incident in the same write that counts it;
a lifecycle change writes its timeline lines first, as its intent, then the incident. Every
write is an optimistic-concurrency loop on the incident's etag, through this instance's copy
of the incident (``ProcessPorts.incidents``) where it has one.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from shared.alerts.models import AlertEvent
from shared.catalog.models import Integration, Route, Service
from shared.errors import NotFound
from shared.incidents import alertlog, stored
from shared.incidents.lifecycle import decide
from shared.incidents.models import Action, Actor, Incident, Signal, TimelineEntry
from shared.incidents.service import find_alert, record_timeline
from shared.pipeline.models import Envelope
from shared.pipeline.ports import ProcessPorts
from shared.store.codec import utc_iso
from shared.store.counters import count_up
from shared.store.port import PreconditionFailed
from shared.store.retry import RETRY, Retry, exponential_jitter, optimistic

#: Optimistic-concurrency attempts per read-modify-write; an alert storm on one incident makes
#: every concurrent delivery contend for it, so this is generous and backs off with jitter.
MAX_WRITE_ATTEMPTS = 30
COUNTER_ID = "incident_number"
#: How far an instance's clock may run behind the ingest instance's (see ``_appended_before``).
REDELIVERY_CLOCK_SKEW = timedelta(minutes=5)


def _too_contended(incident_id: str) -> PreconditionFailed:
    return PreconditionFailed(f"incident {incident_id} is too contended; retrying the message")


def derived(envelope_id: str, index: int, suffix: str = "") -> str:
    return f"{envelope_id}-{index}{('-' + suffix) if suffix else ''}"


class IncidentWriter:
    """One envelope's incident reads and writes, with the documents it needs loaded once."""

    def __init__(
        self,
        envelope: Envelope,
        integration: Integration,
        ports: ProcessPorts,
        *,
        first_delivery: bool,
    ) -> None:
        self.env = envelope
        self.integration = integration
        self.ports = ports
        self.store = ports.store
        #: Nothing of this envelope can have been written yet (see :mod:`shared.pipeline.process`).
        self.first_delivery = first_delivery

    # --- lookups --------------------------------------------------------------------------
    async def routes(self) -> list[Route]:
        return await self.ports.catalog.routes(self.store, self.integration.id)

    async def service(self, service_id: str) -> Service:
        service = await self.ports.catalog.service(self.store, service_id)
        if service is None:
            raise NotFound(f"service {service_id} of integration {self.integration.id} is missing")
        return service

    async def incident(self, incident_id: str) -> tuple[Incident, str] | None:
        """A fresh read (and the instance's copy refreshed)."""
        loaded = await stored.load_incident_for_update(self.store, incident_id)
        if loaded is None:
            self.ports.incidents.discard(incident_id)
            return None
        self.ports.incidents.put(incident_id, loaded)
        return loaded

    def _copy_of(self, incident_id: str) -> tuple[Incident, str] | None:
        hit, loaded = self.ports.incidents.get(incident_id)
        return loaded if hit else None

    async def next_number(self) -> int:
        # Atomic on every backend: numbers are unique and increasing; a crash between taking a
        # number and writing the incident leaves a gap, never a duplicate.
        return await count_up(self.store, COUNTER_ID)

    # --- writes ---------------------------------------------------------------------------
    def _alert_record(self, event: AlertEvent, index: int, grouping: str) -> alertlog.AlertRecord:
        """The alert as the incident records it; its id derives from the envelope, so every
        delivery of the envelope names the same alert. ``grouping``: what it did (create,
        append, reopen, resolve). Clipped to a bounded size (``alertlog.clip``)."""
        return alertlog.clip(
            {
                "id": self._alert_id(index),
                "integration_id": self.integration.id,
                "dedup_key": event.dedup_key,
                "action": event.action,
                "grouping": grouping,
                "title": event.title,
                "severity": event.severity,
                "labels": event.labels,
                "links": [link.model_dump() for link in event.links],
                "source_ids": event.source_ids,
                "occurred_at": utc_iso(event.occurred_at),
                "received_at": utc_iso(self.env.received_at),
                "raw_ref": f"{self.env.id}{event.raw_ref}",
            }
        )

    async def _recorded(self, incident: Incident, index: int) -> bool:
        """Whether an earlier delivery of this envelope recorded (and so counted) the alert on
        the incident. Nothing to look up on a first delivery beyond the incident itself."""
        if self.first_delivery:
            return alertlog.held(incident, self._alert_id(index)) is not None
        return await find_alert(self.store, incident, self._alert_id(index)) is not None

    def _with_alert(
        self, incident: Incident, event: AlertEvent, index: int, grouping: str, *, count: bool
    ) -> tuple[Incident, dict[str, Any] | None]:
        updated, chunk = alertlog.add(
            incident,
            self._alert_record(event, index, grouping),
            count=count,
            description=event.description,
        )
        changes: dict[str, Any] = {"updated_at": max(updated.updated_at, self.ports.clock())}
        if count:
            changes["last_alert_at"] = max(
                incident.last_alert_at or event.occurred_at, event.occurred_at
            )
        return updated.model_copy(update=changes), chunk

    async def _write(self, updated: Incident, etag: str, chunk: dict[str, Any] | None) -> None:
        """Replace the incident if it is unchanged since ``etag``; the alert records it no longer
        holds go to their chunk first (see ``alertlog``: a repeat of that create is a no-op)."""
        if chunk is not None:
            await stored.save_chunk(self.store, chunk)
        try:
            new_etag = await stored.replace_incident(self.store, updated, etag=etag)
        except PreconditionFailed:
            self.ports.incidents.discard(updated.id)
            raise
        self.ports.incidents.put(updated.id, (updated, new_etag))

    async def change_incident(
        self,
        incident_id: str,
        action: Action,
        index: int,
        *,
        alert: AlertEvent | None = None,
        count: bool = False,
    ) -> Incident | None:
        """Apply a lifecycle action with an etag-guarded read-modify-write; ``alert`` is recorded
        (and, with ``count``, counted) in the same write.

        The change's timeline lines are written first, as its intent (ids derived from the
        envelope and the action), then the incident. So a delivery that died after the incident
        write still left its lines, and the redelivery — which finds nothing left to change —
        learns from the first line that the change was its own and tells escalation again
        (signals are idempotent). Lines of a change that did not happen after all (someone
        else changed the incident first) are taken back."""
        now = self.ports.clock()
        intents: list[str] = []

        async def attempt(_: int) -> Incident | Retry | None:
            nonlocal intents
            loaded = await self.incident(incident_id)
            if loaded is None:
                await self._withdraw(incident_id, intents)
                return None
            incident, etag = loaded
            outcome = decide(incident, action, now=now)
            updated, chunk = outcome.incident, None
            if alert is not None and not await self._recorded(incident, index):
                updated, chunk = self._with_alert(updated, alert, index, action.kind, count=count)
            # What the action changed is the state machine's word: a note at the instant of the
            # last change leaves an equal incident, and is still a change to keep.
            if not outcome.changed and updated == incident:
                await self._withdraw(incident_id, intents)
                if not intents and not self.first_delivery:
                    await self._signal_again(incident_id, action, index)
                return incident
            ids = await self._intend(outcome.timeline, action, index, outcome.signal)
            await self._withdraw(incident_id, [i for i in intents if i not in ids])
            intents = ids
            try:
                await self._write(updated, etag, chunk)
            except PreconditionFailed:
                return RETRY
            if outcome.signal is not None:
                await self.ports.escalation.signal(
                    incident_id, outcome.signal, from_source=action.actor.kind == "source"
                )
            return updated

        return await optimistic(
            attempt,
            attempts=MAX_WRITE_ATTEMPTS,
            exhausted=lambda: _too_contended(incident_id),
            pause=exponential_jitter,
        )

    def _line_id(self, index: int, action: Action, n: int) -> str:
        return derived(self.env.id, index, f"{action.kind}-{n}")

    async def _intend(
        self,
        entries: tuple[TimelineEntry, ...],
        action: Action,
        index: int,
        signal: Signal | None,
    ) -> list[str]:
        ids: list[str] = []
        for n, entry in enumerate(entries):
            if n == 0 and signal is not None:
                entry = entry.model_copy(
                    update={"data": {**entry.data, "escalation_signal": signal}}
                )
            # An earlier delivery's intent for the same change has the same id: kept as is.
            ids.append(self._line_id(index, action, n))
            await record_timeline(self.store, entry, entry_id=ids[-1])
        return ids

    async def _withdraw(self, incident_id: str, ids: list[str]) -> None:
        for line_id in ids:
            await stored.delete_line(self.store, incident_id, line_id)

    async def _signal_again(self, incident_id: str, action: Action, index: int) -> None:
        first = await stored.load_line_doc(self.store, incident_id, self._line_id(index, action, 0))
        signal = (first or {}).get("data", {}).get("escalation_signal")
        if signal is not None:
            await self.ports.escalation.signal(
                incident_id, signal, from_source=action.actor.kind == "source"
            )

    def source_actor(self) -> Actor:
        return Actor(
            kind="source",
            id=self.integration.id,
            display=f"{self.integration.name} ({self.integration.format})",
        )

    def _own_incident_id(self, index: int) -> str:
        """The id of the incident this event opens, if it opens one: derived, so every delivery
        of the envelope names the same incident."""
        return "inc-" + hashlib.sha256(self._alert_id(index).encode()).hexdigest()[:24]

    def _alert_id(self, index: int) -> str:
        """The id of the alert record this event makes: every delivery names the same one."""
        return derived(self.env.id, index)

    async def _append(
        self,
        incident_id: str,
        event: AlertEvent,
        index: int,
        *,
        loaded: tuple[Incident, str] | None = None,
    ) -> None:
        """Record and count one alert on the open incident, once. ``loaded``: the incident as
        just read or as this instance last knew it, tried first (its etag makes that safe);
        later attempts read it again, and an incident found closed by then sends the caller
        back to decide again (PreconditionFailed)."""

        async def attempt(n: int) -> Retry | None:
            current = loaded
            if n or current is None:
                current = await self.incident(incident_id)
                if current is None:
                    raise PreconditionFailed(f"incident {incident_id} vanished; deciding again")
                if not current[0].is_open:
                    raise PreconditionFailed(f"incident {incident_id} closed; deciding again")
            incident, etag = current
            if await self._recorded(incident, index):
                return None
            updated, chunk = self._with_alert(incident, event, index, "append", count=True)
            try:
                await self._write(updated, etag, chunk)
            except PreconditionFailed:
                return RETRY
            return None

        await optimistic(
            attempt,
            attempts=MAX_WRITE_ATTEMPTS,
            exhausted=lambda: _too_contended(incident_id),
            pause=exponential_jitter,
        )

    async def note(self, event: AlertEvent, incident_id: str, index: int) -> None:
        actor = Actor(
            kind="source", id=self.integration.id, display=event.actor or self.integration.name
        )
        await self.change_incident(
            incident_id,
            Action(
                kind="add_note",
                actor=actor,
                note=event.note or "",
                via=f"source:{self.integration.format}",
            ),
            index,
        )

    async def _appended_before(self, event: AlertEvent, index: int) -> str | None:
        """On a redelivery: the incident an earlier delivery appended this alert to, if any.
        Appends leave no processed marker; the alert record is their evidence, and it is looked
        for on the key's incidents changed since the envelope arrived (the key may have moved on
        to another incident since). A margin covers clock skew between instances."""
        since = utc_iso(self.env.received_at - REDELIVERY_CLOCK_SKEW)
        alert_id = self._alert_id(index)
        continuation: str | None = None
        while True:
            incidents, continuation = await stored.incidents_of_key_since(
                self.store, event.dedup_key, since, limit=50, continuation=continuation
            )
            for incident in incidents:
                if incident.integration_id != self.integration.id:
                    continue
                found = await find_alert(self.store, incident, alert_id)
                if found is not None and found.get("grouping") == "append":
                    return incident.id
            if continuation is None:
                return None
