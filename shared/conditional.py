"""Conditional GET for the management API (``shared.api.router`` applies it): every JSON
answer to a GET has an ``ETag``, and a request whose ``If-None-Match`` names it gets
``304 Not Modified`` with no body.

The console polls its lists every few seconds; an unchanged list then costs one small answer
and no re-render. The tag is the resource's store etag where the handler set one (what
``If-Match`` takes on a write), else a digest of the answer's JSON, so it changes exactly when
the answer does (a list page, counts, a view assembled from several documents).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: Private: answers depend on who asks. ``no-cache``: a browser may keep them but must ask again.
CACHE_CONTROL = "private, no-cache"


def body_etag(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison: ``W/`` is ignored; ``*`` matches any current representation."""
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def conditional(
    method: str,
    request_headers: Mapping[str, str],
    status: int,
    body: Any,
    headers: Mapping[str, str],
    content_type: str,
) -> tuple[int, Any, dict[str, str]]:
    """The (status, body, headers) to send for a handler's answer."""
    if method.upper() != "GET" or status != 200 or content_type != "application/json":
        return status, body, dict(headers)
    etag = headers.get("ETag") or body_etag(body)
    out = {"Cache-Control": CACHE_CONTROL, **headers, "ETag": etag}
    if_none_match = _header(request_headers, "if-none-match")
    if if_none_match and _matches(if_none_match, etag):
        return 304, None, {"ETag": etag, "Cache-Control": out["Cache-Control"]}
    return status, body, out
