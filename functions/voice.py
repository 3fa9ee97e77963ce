"""``POST /api/voice/callbacks/{token}``: Azure Communication Services Call Automation events.

Public on purpose: ACS cannot send our credentials, so the unguessable per-call token in the
URL is the credential (``shared.notifications.voice``), with Call Automation's signed JWT
checked as well when ``ACS_CALLBACK_AUDIENCE`` is set (401 without it). Unknown token: 404
before the body is read; malformed body: 400. A fall-through page or a Teams card update is
queued on ``notifications``, never delivered from here.
"""

from __future__ import annotations

import json
from functools import partial

import azure.durable_functions as df
import azure.functions as func

from functions.http_edge import error_response, problem
from functions.runtime import runtime
from shared.errors import OpenAlertError
from shared.escalation.durable import DurableEscalation
from shared.incidents.service import act
from shared.notifications.service import fall_through_later
from shared.notifications.voice import VoicePorts, handle_callback

bp = df.Blueprint()


@bp.function_name("voice_callback")
@bp.route(route="voice/callbacks/{token}", methods=["POST"])
@bp.durable_client_input(client_name="client")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name="notifications", connection="ServiceBusConnection"
)
async def voice_callback(
    req: func.HttpRequest, client: df.DurableOrchestrationClient, outbox: func.Out[list[str]]
) -> func.HttpResponse:
    rt = await runtime()
    if rt.calls is None:
        # No calls are placed, so no token can be valid.
        return problem(404, "Not found", "No such call.", type_slug="not-found")
    ports = VoicePorts(
        store=rt.store,
        calls=rt.calls,
        act=partial(
            act, store=rt.store, escalation=DurableEscalation(client=client, store=rt.store)
        ),
        fall_through=partial(fall_through_later, rt.notify),
        authenticator=rt.voice_callbacks,
    )
    try:
        result = await handle_callback(
            req.route_params.get("token", ""),
            req.get_body(),
            ports=ports,
            authorization=req.headers.get("Authorization"),
        )
    except OpenAlertError as exc:
        return error_response(exc)
    outbox.set([json.dumps(m) for m in result.messages])
    return func.HttpResponse(status_code=200)
