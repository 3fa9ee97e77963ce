"""Liveness and readiness probes (public: no credentials, no secrets in the answer)."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.http_edge import json_response, problem
from functions.runtime import runtime
from shared.catalog.stored import probe
from shared.errors import OpenAlertError

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("health_live")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health_live(req: func.HttpRequest) -> func.HttpResponse:
    return json_response({"status": "ok"})


@bp.function_name("health_ready")
@bp.route(route="health/ready", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def health_ready(req: func.HttpRequest) -> func.HttpResponse:
    """Store and claim-check storage reachable. Failures name the dependency, not its error
    (the detail goes to the log: the probe is public)."""
    checks: dict[str, str] = {}
    try:
        rt = await runtime()
        await probe(rt.store)
        checks["store"] = "ok"
        if rt.claim_check is not None:
            await rt.claim_check.ping()
            checks["claim_check_storage"] = "ok"
        else:
            checks["claim_check_storage"] = "not configured"
    except (OpenAlertError, OSError) as exc:
        failed = "claim_check_storage" if "store" in checks else "store"
        log.warning("readiness check failed for %s: %s", failed, exc)
        return problem(
            503, "Not ready", f"{failed} is unreachable", type_slug="not-ready", checks=checks
        )
    return json_response({"status": "ready", "checks": checks})
