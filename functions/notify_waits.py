"""The wake that releases waiting rule steps and bundles at their due time (a durable timer);
the logic is ``shared.notifications.waits``."""

from __future__ import annotations

import json
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from functions.bindings import CONNECTION, NOTIFICATIONS_QUEUE
from functions.runtime import runtime
from shared.notifications import waits

bp = df.Blueprint()


@bp.function_name(waits.ORCHESTRATOR)
@bp.orchestration_trigger(context_name="context")
def notify_wake(context: df.DurableOrchestrationContext) -> Any:
    return waits.orchestrate(context)


@bp.function_name(waits.ACTIVITY_RELEASE)
@bp.activity_trigger(input_name="payload")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def notify_release(payload: dict[str, Any], outbox: func.Out[list[str]]) -> list[Any]:
    rt = await runtime()
    messages, claimed = await waits.release(ports=rt.notify)
    outbox.set([json.dumps(m) for m in messages])
    return claimed


@bp.function_name(waits.ACTIVITY_SETTLE)
@bp.activity_trigger(input_name="payload")
async def notify_settle(payload: list[dict[str, str]]) -> int:
    rt = await runtime()
    return await waits.settle(store=rt.store, released=payload)
