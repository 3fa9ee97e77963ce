"""CORS for ``/api/v1``: the one place a browser on another origin is let in.

The console is a Static Web App on its own origin in Azure (docs/deploy.md), so its calls to
the function app are cross-origin. Platform CORS cannot expose response headers and overrides
the app's own, so it stays off in ``infra/`` and this module does it all: a preflight from an
origin in ``CONSOLE_ORIGINS`` gets 204 with the methods and headers the API takes
(``If-None-Match`` included: conditional polling sends it); every answer to such an origin
carries ``Access-Control-Allow-Origin`` and exposes ``ETag`` (and the other headers a client
reads), without which a script cannot see the tag it must send back. Tokens travel in
``Authorization``, never cookies, so credentials mode is not allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from shared.api.router import Reply

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match"
EXPOSED_HEADERS = "ETag, Location, Retry-After, WWW-Authenticate"
#: Browsers cap it anyway (Chromium at 2 hours); 10 minutes keeps a changed list prompt.
MAX_AGE_S = 600


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def allowed_origin(headers: Mapping[str, str], origins: Set[str]) -> str | None:
    origin = _header(headers, "origin")
    return origin if origin is not None and origin.rstrip("/") in origins else None


def preflight(method: str, headers: Mapping[str, str], origins: Set[str]) -> Reply | None:
    """The answer to a CORS preflight from an allowed origin; None for any other request (a
    plain OPTIONS, or another origin's preflight, which gets no grant and fails in the
    browser)."""
    if method.upper() != "OPTIONS" or _header(headers, "access-control-request-method") is None:
        return None
    origin = allowed_origin(headers, origins)
    if origin is None:
        return None
    return Reply(
        204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": str(MAX_AGE_S),
            "Vary": "Origin",
        },
    )


def response_headers(headers: Mapping[str, str], origins: Set[str]) -> dict[str, str]:
    """Headers to add to an answer for the request's origin (none for others)."""
    origin = allowed_origin(headers, origins)
    if origin is None:
        return {"Vary": "Origin"} if origins else {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }
