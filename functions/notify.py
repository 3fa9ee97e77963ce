"""Notification delivery: the ``notifications`` queue and the once-a-minute sweep of waiting
rule steps and bundles (each is normally released on time by its wake, functions/notify_waits.py).

A job that fails transiently raises, so Service Bus redelivers it and finally dead-letters it
(``python -m devhost deadletter resubmit notifications`` locally, Service Bus Explorer in Azure).
"""

from __future__ import annotations

import json
import logging

import azure.durable_functions as df
import azure.functions as func

from functions.bindings import CONNECTION, NOTIFICATIONS_QUEUE
from functions.runtime import runtime
from shared.notifications.deferral import flush
from shared.notifications.service import deliver, parse_job
from shared.notifications.waits import schedule_wakes

bp = df.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("notify_deliver")
@bp.service_bus_queue_trigger(arg_name="msg", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION)
@bp.durable_client_input(client_name="client")
async def notify_deliver(
    msg: func.ServiceBusMessage, client: df.DurableOrchestrationClient
) -> None:
    job = parse_job(msg.get_body())
    rt = await runtime()
    outcome = await deliver(job, ports=rt.notify)
    if outcome.wakes:
        await schedule_wakes(client, outcome.wakes)
    if outcome.skipped:
        log.info("%s %s skipped: %s", job.type, job.idempotency_key, outcome.skipped)


# Once a minute, not every few seconds: on Flex Consumption each run is a billed execution and
# keeps an instance awake. It only catches what a wake missed (one that could not be started).
@bp.function_name("notify_flush")
@bp.timer_trigger(
    schedule="15 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False
)
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def notify_flush(timer: func.TimerRequest, outbox: func.Out[list[str]]) -> None:
    rt = await runtime()
    messages = await flush(ports=rt.notify)
    outbox.set([json.dumps(m) for m in messages])
    if messages:
        log.info("notification flush: %d due step(s) and digest(s) queued", len(messages))
