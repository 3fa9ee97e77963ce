"""Escalation: the per-incident orchestration, its activities, and the auditor timer.

The orchestrator is ``shared.escalation.orchestrator.orchestrate`` (pure replay logic); the
activities are thin adapters over ``shared.escalation.service``, the auditor timer over
``shared.escalation.auditor``. Notification jobs leave through
the ``notifications`` queue, so delivery (retries, bundling, channels) never runs inside
orchestration code.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from functions.bindings import CONNECTION, NOTIFICATIONS_QUEUE
from functions.runtime import runtime
from shared.escalation import auditor, service
from shared.escalation.durable import ORCHESTRATOR
from shared.escalation.models import Cursor, PolicySnapshot
from shared.escalation.orchestrator import (
    ACTIVITY_COUNT_ALERTS,
    ACTIVITY_EXECUTE,
    ACTIVITY_MULTI_ACK,
    ACTIVITY_REESCALATE,
    ACTIVITY_STATUS_UPDATE,
    orchestrate,
)
from shared.incidents import service as incidents

bp = df.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name(ORCHESTRATOR)
@bp.orchestration_trigger(context_name="context")
def escalation_orchestrator(context: df.DurableOrchestrationContext) -> Any:
    return orchestrate(context)


@bp.function_name(ACTIVITY_EXECUTE)
@bp.activity_trigger(input_name="payload")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def escalation_execute(
    payload: dict[str, Any], outbox: func.Out[list[str]]
) -> dict[str, Any]:
    rt = await runtime()
    result = await service.execute(
        store=rt.store,
        snapshot=PolicySnapshot.model_validate(payload["snapshot"]),
        effects=list(payload["effects"]),
        notes=list(payload["notes"]),
        cursor=Cursor.model_validate(payload["cursor"]),
        now=datetime.now(UTC),
    )
    outbox.set([json.dumps(m) for m in result.messages])
    return {"targets": result.targets}


@bp.function_name(ACTIVITY_COUNT_ALERTS)
@bp.activity_trigger(input_name="payload")
async def escalation_count_alerts(payload: dict[str, Any]) -> int:
    rt = await runtime()
    return await incidents.count_alerts(
        store=rt.store,
        incident_id=str(payload["incident_id"]),
        since=datetime.fromisoformat(str(payload["since"])),
    )


@bp.function_name(ACTIVITY_REESCALATE)
@bp.activity_trigger(input_name="payload")
async def escalation_reescalate(payload: dict[str, Any]) -> None:
    rt = await runtime()
    await service.reescalate(
        store=rt.store,
        incident_id=str(payload["incident_id"]),
        now=datetime.now(UTC),
    )


@bp.function_name(ACTIVITY_MULTI_ACK)
@bp.activity_trigger(input_name="payload")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def escalation_multi_ack(payload: dict[str, Any], outbox: func.Out[list[str]]) -> list[str]:
    rt = await runtime()
    pending, messages = await service.multi_ack(
        store=rt.store,
        incident_id=str(payload["incident_id"]),
        key=str(payload["key"]),
        renotify=bool(payload["renotify"]),
        now=datetime.now(UTC),
    )
    outbox.set([json.dumps(m) for m in messages])
    return pending


@bp.function_name(ACTIVITY_STATUS_UPDATE)
@bp.activity_trigger(input_name="payload")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def escalation_status_update(payload: dict[str, Any], outbox: func.Out[list[str]]) -> int:
    rt = await runtime()
    messages = await service.status_updates(
        store=rt.store,
        incident_id=str(payload["incident_id"]),
        event=str(payload["event"]),
        cycle=int(payload["cycle"]),
    )
    outbox.set([json.dumps(m) for m in messages])
    return len(messages)


@bp.function_name("escalation_auditor")
@bp.timer_trigger(schedule="30 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=True)
@bp.durable_client_input(client_name="client")
async def escalation_auditor(
    timer: func.TimerRequest, client: df.DurableOrchestrationClient
) -> None:
    rt = await runtime()
    repairs = await auditor.audit(store=rt.store, client=client, now=datetime.now(UTC))
    if repairs:
        log.warning(
            "escalation auditor repaired %d incident(s): %s",
            len(repairs),
            "; ".join(f"{r.incident_id} ({r.reason})" for r in repairs),
        )
