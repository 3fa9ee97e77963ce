"""Alert ingest endpoints: authenticate, validate, enqueue on Service Bus ``alerts``, answer 202.

The enqueue is the output binding: the host sends it only when the function returns
successfully, and answers the sender only after that, so a 202 means the alert is queued. If the
host cannot send, it answers 500 and the sender retries (Alertmanager, Grafana, Datadog and
PagerDuty senders retry 5xx; Azure Monitor retries 503 — what we return for our own
dependencies, e.g. the claim-check storage).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime

import azure.functions as func

from functions.bindings import ALERTS_QUEUE, CONNECTION
from functions.http_edge import error_response, json_response
from functions.runtime import runtime
from shared.alerts.models import InvalidPayload, SourceFormat
from shared.alerts.sources import opsgenie, pagerduty, pagerduty_change
from shared.errors import NotFound, OpenAlertError
from shared.pipeline import ingest
from shared.pipeline.request_status import request_status

bp = func.Blueprint()
log = logging.getLogger(__name__)


def _headers(req: func.HttpRequest) -> dict[str, str]:
    return dict(req.headers.items())


def _enqueue(out: func.Out[str], accepted: ingest.Accepted) -> None:
    out.set(accepted.envelope.model_dump_json())


async def _accept_body(
    req: func.HttpRequest, endpoint: SourceFormat | None, path_key: str | None
) -> ingest.Accepted:
    rt = await runtime()
    return await ingest.accept_body(
        endpoint=endpoint,
        path_key=path_key,
        headers=_headers(req),
        body=req.get_body(),
        received_at=datetime.now(UTC),
        ports=rt.ingest,
    )


def _pagerduty_error(exc: OpenAlertError) -> func.HttpResponse:
    """PagerDuty's own answer for an invalid event. PagerDuty answers an unknown routing key
    with 400 "invalid event" too; we keep 401 so monitoring tools surface the
    misconfiguration, with PagerDuty's body shape."""
    if isinstance(exc, InvalidPayload):
        status, body = pagerduty.invalid(exc)
        return json_response(body, status=status)
    if exc.status == 401:
        return json_response(
            {"status": "unauthorized", "message": exc.detail, "errors": [exc.detail]}, status=401
        )
    return error_response(exc)


@bp.function_name("ingest_integration")
# The key is optional in the path: senders that keep it out of URLs (which end up in logs)
# post to /api/integrations with it as a Bearer token or the Basic-auth password.
@bp.route(route="integrations/{key?}", methods=["POST", "PUT"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_integration(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    try:
        accepted = await _accept_body(req, None, req.route_params.get("key"))
    except OpenAlertError as exc:
        return error_response(exc)
    _enqueue(out, accepted)
    return json_response({"id": accepted.envelope.id, "status": "accepted"}, status=202)


@bp.function_name("ingest_heartbeat")
@bp.route(
    route="integrations/{key}/heartbeat",
    methods=["GET", "POST"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_heartbeat(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    try:
        rt = await runtime()
        accepted = await ingest.accept_heartbeat(
            path_key=req.route_params["key"],
            headers=_headers(req),
            received_at=datetime.now(UTC),
            ports=rt.ingest,
        )
    except OpenAlertError as exc:
        return error_response(exc)
    _enqueue(out, accepted)
    return json_response({"id": accepted.envelope.id, "status": "accepted"}, status=202)


@bp.function_name("ingest_pagerduty")
@bp.route(route="pagerduty/v2/enqueue", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_pagerduty(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    """PagerDuty Events API v2 compatible: PagerDuty's own response bodies and status codes."""
    try:
        accepted = await _accept_body(req, SourceFormat.PAGERDUTY, None)
    except OpenAlertError as exc:
        return _pagerduty_error(exc)
    _enqueue(out, accepted)
    status, body = pagerduty.accepted(accepted.dedup_key or "")
    return json_response(body, status=status)


@bp.function_name("ingest_pagerduty_change")
@bp.route(
    route="pagerduty/v2/change/enqueue", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS
)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_pagerduty_change(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    """PagerDuty Change Events compatible: kept as a change of the integration's service."""
    try:
        rt = await runtime()
        accepted = await ingest.accept_change(
            headers=_headers(req),
            body=req.get_body(),
            received_at=datetime.now(UTC),
            ports=rt.ingest,
        )
    except OpenAlertError as exc:
        return _pagerduty_error(exc)
    _enqueue(out, accepted)
    status, body = pagerduty_change.accepted()
    return json_response(body, status=status)


def _opsgenie_error(exc: OpenAlertError, request_id: str, started: float) -> func.HttpResponse:
    status = 422 if isinstance(exc, InvalidPayload) else exc.status
    code, body = opsgenie.error(
        status, exc.detail, request_id or uuid.uuid4().hex, time.perf_counter() - started
    )
    headers = (
        {"Retry-After": str(max(1, round(getattr(exc, "retry_after", 1))))}
        if status == 429
        else None
    )
    return json_response(body, status=code, headers=headers)


@bp.function_name("ingest_opsgenie_create")
@bp.route(route="opsgenie/v2/alerts", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_opsgenie_create(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    """Opsgenie Alert API v2 compatible create: ``202 {result, took, requestId}``."""
    started = time.perf_counter()
    try:
        accepted = await _accept_body(req, SourceFormat.OPSGENIE, None)
    except OpenAlertError as exc:
        return _opsgenie_error(exc, "", started)
    _enqueue(out, accepted)
    status, body = opsgenie.accepted(accepted.envelope.id, time.perf_counter() - started)
    return json_response(body, status=status)


@bp.function_name("ingest_opsgenie_action")
@bp.route(
    route="opsgenie/v2/alerts/{identifier}/{action:regex(^(acknowledge|close|notes)$)}",
    methods=["POST"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
@bp.service_bus_queue_output(arg_name="out", queue_name=ALERTS_QUEUE, connection=CONNECTION)
async def ingest_opsgenie_action(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    started = time.perf_counter()
    try:
        rt = await runtime()
        accepted = await ingest.accept_opsgenie_action(
            action=req.route_params["action"],
            identifier=req.route_params["identifier"],
            identifier_type=req.params.get("identifierType"),
            headers=_headers(req),
            body=req.get_body(),
            received_at=datetime.now(UTC),
            ports=rt.ingest,
        )
    except OpenAlertError as exc:
        return _opsgenie_error(exc, "", started)
    _enqueue(out, accepted)
    status, body = opsgenie.accepted(accepted.envelope.id, time.perf_counter() - started)
    return json_response(body, status=status)


@bp.function_name("ingest_opsgenie_update")
@bp.route(
    route="opsgenie/v2/alerts/{identifier}/{field:regex(^(message|description)$)}",
    methods=["PUT"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def ingest_opsgenie_update(req: func.HttpRequest) -> func.HttpResponse:
    """Opsgenie's Update Alert Message / Description (Alertmanager's ``update_alerts``)."""
    started = time.perf_counter()
    try:
        rt = await runtime()
        request_id = await ingest.accept_opsgenie_update(
            field=req.route_params["field"],
            identifier=req.route_params["identifier"],
            headers=_headers(req),
            body=req.get_body(),
            ports=rt.ingest,
        )
    except OpenAlertError as exc:
        return _opsgenie_error(exc, "", started)
    status, body = opsgenie.accepted(request_id, time.perf_counter() - started)
    return json_response(body, status=status)


@bp.function_name("opsgenie_request_status")
@bp.route(
    route="opsgenie/v2/alerts/requests/{request_id}",
    methods=["GET"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def opsgenie_request_status(req: func.HttpRequest) -> func.HttpResponse:
    """Opsgenie's Get Request Status (the SDK's ``retrieve_result()`` polls it after a create)."""
    started = time.perf_counter()
    try:
        rt = await runtime()
        integration = await ingest.authenticate(_headers(req), rt.ingest)
        data = await request_status(
            rt.store, request_id=req.route_params["request_id"], integration_id=integration.id
        )
    except OpenAlertError as exc:
        return _opsgenie_error(exc, "", started)
    took = round(time.perf_counter() - started, 3)
    return json_response({"data": data, "took": took, "requestId": uuid.uuid4().hex})


@bp.function_name("opsgenie_unsupported")
@bp.route(
    route="opsgenie/{*rest}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def opsgenie_unsupported(req: func.HttpRequest) -> func.HttpResponse:
    """Every other Opsgenie API call: Opsgenie's JSON error shape, so a sender's SDK reports it
    as an API error instead of failing to parse a text body."""
    rest = req.route_params.get("rest", "")
    return _opsgenie_error(
        NotFound(f"{req.method} /{rest} is not part of OpenAlert's Opsgenie-compatible API"),
        "",
        time.perf_counter(),
    )
