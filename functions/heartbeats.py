"""Every minute: open incidents for heartbeat integrations that stopped pinging."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import azure.functions as func

from functions.runtime import runtime
from shared.pipeline.heartbeats import check_heartbeats

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("heartbeat_monitor")
@bp.timer_trigger(schedule="0 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=True)
async def heartbeat_monitor(timer: func.TimerRequest) -> None:
    rt = await runtime()
    results = await check_heartbeats(ports=rt.process, now=datetime.now(UTC))
    opened = [r for r in results if not r.skipped]
    if opened:
        log.warning("missed heartbeats: %d incident(s) opened or updated", len(opened))
