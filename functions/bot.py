"""``POST /api/messages``: the Teams bot endpoint (Bot Framework activities).

Platform auth is anonymous like every route; the Bot Framework token is validated in code
(``shared.msteams.auth``) before anything else happens. Card updates for other conversations are
queued on ``notifications``, never sent from here.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial

import azure.durable_functions as df
import azure.functions as func

from functions.bindings import CONNECTION, NOTIFICATIONS_QUEUE
from functions.http_edge import error_response, problem
from functions.runtime import runtime
from shared.errors import OpenAlertError
from shared.incidents.service import act
from shared.msteams.auth import parse_activity
from shared.msteams.service import handle

bp = df.Blueprint()


@bp.function_name("bot_messages")
@bp.route(route="messages", methods=["POST"])
@bp.durable_client_input(client_name="client")
@bp.service_bus_queue_output(
    arg_name="outbox", queue_name=NOTIFICATIONS_QUEUE, connection=CONNECTION
)
async def bot_messages(
    req: func.HttpRequest, client: df.DurableOrchestrationClient, outbox: func.Out[list[str]]
) -> func.HttpResponse:
    rt = await runtime()
    if rt.teams is None or rt.bot_auth is None:
        return problem(503, "Teams bot not configured", "Set BOT_APP_ID.", type_slug="bot-off")
    try:
        activity = parse_activity(req.get_body())
        await rt.bot_auth.validate(req.headers.get("Authorization"), activity)
        escalation = rt.escalation(client)
        ports = dataclasses.replace(
            rt.teams, act=partial(act, store=rt.store, escalation=escalation)
        )
        result = await handle(activity, ports=ports)
    except OpenAlertError as exc:
        return error_response(exc)
    outbox.set([json.dumps(m) for m in result.messages])
    if result.invoke is not None:
        return func.HttpResponse(json.dumps(result.invoke), mimetype="application/json")
    return func.HttpResponse(status_code=200)
