"""Shared HTTP edge helpers: RFC 9457 problem+json and JSON responses."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

from shared.errors import OpenAlertError, RateLimited, Unauthenticated

PROBLEM_TYPE_BASE = "https://openalert.dev/problems/"


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> func.HttpResponse:
    return func.HttpResponse(
        body=json.dumps(body, separators=(",", ":"), default=str),
        status_code=status,
        mimetype="application/json",
        headers=headers,
    )


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> func.HttpResponse:
    """An RFC 9457 problem document. ``type`` is stable per error kind so clients can branch."""
    doc: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    doc.update(extensions)
    return func.HttpResponse(
        body=json.dumps(doc, default=str),
        status_code=status,
        mimetype="application/problem+json",
        headers=headers,
    )


def error_response(exc: OpenAlertError) -> func.HttpResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = exc.challenge()
    elif exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="openalert"'
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        headers=headers or None,
        **exc.extensions,
    )
