"""Every minute: on-call handoffs, shift reminders and gap warnings for every schedule."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import azure.functions as func

from functions.bindings import CONNECTION, NOTIFICATIONS_QUEUE
from functions.runtime import runtime
from shared.schedules.service import run_handoffs

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("schedule_handoffs")
@bp.timer_trigger(schedule="0 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=True)
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def schedule_handoffs(timer: func.TimerRequest, outbox: func.Out[list[str]]) -> None:
    rt = await runtime()
    jobs, handoffs = await run_handoffs(store=rt.store, now=datetime.now(UTC))
    outbox.set([json.dumps(j) for j in jobs])
    for h in handoffs:
        log.info("handoff in schedule %s: %s -> %s", h.schedule_id, h.from_users, h.to_users)
