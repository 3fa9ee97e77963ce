"""Liveness and readiness probes (public: no credentials, no secrets in the answer)."""

from __future__ import annotations

import azure.functions as func

from functions.http_edge import json_response

bp = func.Blueprint()


@bp.function_name("health_live")
@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health_live(req: func.HttpRequest) -> func.HttpResponse:
    return json_response({"status": "ok"})
