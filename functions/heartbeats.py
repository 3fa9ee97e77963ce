"""Every minute: open incidents for heartbeat integrations that stopped pinging."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.durable_functions as df
import azure.functions as func

from functions.runtime import runtime
from shared.pipeline.heartbeats import check_heartbeats

bp = df.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("heartbeat_monitor")
@bp.timer_trigger(schedule="0 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=True)
@bp.durable_client_input(client_name="client")
async def heartbeat_monitor(
    timer: func.TimerRequest, client: df.DurableOrchestrationClient
) -> None:
    rt = await runtime()
    ports = rt.process.with_escalation(rt.escalation(client))
    results = await check_heartbeats(ports=ports, now=datetime.now(UTC))
    opened = [r for r in results if not r.skipped]
    if opened:
        log.warning("missed heartbeats: %d incident(s) opened or updated", len(opened))
