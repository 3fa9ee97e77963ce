"""The Durable Functions adapter: starting an incident's escalation and signalling it.

Only the client side lives here (the orchestrator itself is :mod:`shared.escalation.orchestrator`).
The Functions SDK is never imported: :class:`DurableClient` names the part of its client used,
so devhost's engine and test doubles fit the same port.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.durable import OrchestrationStarter
from shared.escalation.freeze import freeze_policy
from shared.escalation.models import SIGNAL_EVENT, EscalationInput, SignalKind, SignalPayload
from shared.escalation.timeline import write_line
from shared.incidents.models import Incident
from shared.incidents.stored import load_incident
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

ORCHESTRATOR = "escalation_orchestrator"


class DurableClient(OrchestrationStarter, Protocol):
    """The part of ``DurableOrchestrationClient`` escalation uses."""

    async def raise_event(
        self, instance_id: str, event_name: str, event_data: Any = None
    ) -> None: ...

    async def get_status(
        self,
        instance_id: str,
        show_history: bool = False,
        show_history_output: bool = False,
        show_input: bool = False,
    ) -> Any: ...

    async def terminate(self, instance_id: str, reason: str) -> None: ...


def already_running(exc: Exception) -> bool:
    return "already exists" in str(exc)


def gone(exc: Exception) -> bool:
    text = str(exc)
    return "No instance with ID" in text or "is gone" in text


@dataclass
class DurableEscalation:
    """:class:`shared.pipeline.process.EscalationPort` backed by Durable Functions.

    ``start`` is idempotent: a re-delivered start finds the orchestration running and does
    nothing. ``signal`` to an incident without a running orchestration (never paged, already
    finished) is not an error.
    """

    client: DurableClient
    store: DocumentStore
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    async def start(self, incident: Incident) -> None:
        if not incident.page:
            return
        snapshot = await freeze_policy(store=self.store, incident=incident)
        if snapshot is None:
            await write_line(
                self.store,
                incident.id,
                self.clock(),
                "No escalation policy: nobody is paged for this incident",
                entry_id=f"esc:{incident.id}:no-policy",
            )
            return
        payload = EscalationInput(snapshot=snapshot).model_dump(mode="json")
        try:
            await self.client.start_new(ORCHESTRATOR, incident.id, payload)
        except Exception as exc:
            if already_running(exc):
                log.info("escalation for incident %s is already running", incident.id)
                return
            raise

    async def signal(self, incident_id: str, signal: SignalKind, *, from_source: bool) -> None:
        until: datetime | None = None
        if signal == "snoozed":
            incident = await load_incident(self.store, incident_id)
            if incident is not None:
                until = incident.snoozed_until
        payload = SignalPayload(signal=signal, from_source=from_source, until=until)
        try:
            await self.client.raise_event(
                incident_id, SIGNAL_EVENT, payload.model_dump(mode="json")
            )
        except Exception as exc:
            if gone(exc):
                log.info("no running escalation for incident %s (%s ignored)", incident_id, signal)
                return
            raise
