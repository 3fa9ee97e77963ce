"""Process the ``alerts`` queue: one envelope per message, idempotent per message.

An exception abandons the message (the host retries it up to the queue's max delivery count,
then dead-letters it with the exception as the reason); ``python -m devhost deadletter resubmit
alerts`` (or Service Bus Explorer in Azure) replays dead-lettered envelopes after a fix.
"""

from __future__ import annotations

import logging

import azure.durable_functions as df
import azure.functions as func

from functions.bindings import ALERTS_QUEUE, CONNECTION
from functions.runtime import runtime
from shared.pipeline.models import Envelope
from shared.pipeline.process import is_first_delivery, process_envelope

bp = df.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("process_alerts")
@bp.service_bus_queue_trigger(arg_name="msg", queue_name=ALERTS_QUEUE, connection=CONNECTION)
@bp.durable_client_input(client_name="client")
async def process_alerts(
    msg: func.ServiceBusMessage, client: df.DurableOrchestrationClient
) -> None:
    envelope = Envelope.model_validate_json(msg.get_body())
    rt = await runtime()
    # The durable client comes with each invocation (it is a binding), so the escalation port
    # is built per message around it.
    ports = rt.process.with_escalation(rt.escalation(client))
    first = is_first_delivery(msg.delivery_count, envelope.received_at, ports.clock())
    result = await process_envelope(envelope, ports=ports, first_delivery=first)
    if result.skipped:
        log.info("envelope %s already processed (redelivery)", envelope.id)
    else:
        log.info(
            "envelope %s: %s",
            envelope.id,
            ", ".join(f"{o.decision} {o.incident_id}" for o in result.outcomes) or "no events",
        )
