"""``/api/v1``: the management API. One HTTP function hands every request to the operation table
in ``shared.api.v1`` (routing, auth, parsing, OpenAPI all come from that one table)."""

from __future__ import annotations

import json

import azure.durable_functions as df
import azure.functions as func

from functions.runtime import runtime
from shared.api import cors
from shared.api.v1 import API, ApiPorts
from shared.auth.models import Principal
from shared.auth.service import authenticate

bp = df.Blueprint()


@bp.function_name("api_v1")
# HEAD and OPTIONS too, so the operation table answers them: 405 with the exact `Allow`.
@bp.route(route="v1/{*path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@bp.durable_client_input(client_name="client")
async def api_v1(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    rt = await runtime()
    ports = ApiPorts(
        store=rt.store,
        auth=rt.auth,
        escalation=rt.escalation(client),
        notify=rt.notify,
        catalog_cache=rt.process.catalog,
        orchestrations=client,
    )

    async def who(authorization: str | None) -> Principal:
        return await authenticate(authorization=authorization, ports=rt.auth)

    origins = rt.settings.console_origins
    headers = dict(req.headers)
    reply = cors.preflight(req.method, headers, origins) or await API.dispatch(
        method=req.method,
        path=req.route_params.get("path", ""),
        query=dict(req.params),
        headers=headers,
        body=req.get_body() or b"",
        authenticate=who,
        ports=ports,
        # Links we hand out (ingest URLs, calendar links) name the configured address, never
        # the request's Host header, which the caller writes.
        base_url=rt.settings.PUBLIC_BASE_URL.rstrip("/"),
    )
    out = {**reply.headers, **cors.response_headers(headers, origins)}
    if reply.status in (204, 304):
        return func.HttpResponse(status_code=reply.status, headers=out)
    body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, default=str)
    return func.HttpResponse(
        body=body,
        status_code=reply.status,
        headers=out,
        mimetype=reply.content_type,
    )
