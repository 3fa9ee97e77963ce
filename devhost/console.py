"""devhost serves the built web console (``web/dist``) at ``/``, beside the API under ``/api``.

- A path that names a file in the build is that file; any other GET outside ``/api`` and
  devhost's own prefixes is ``index.html`` (the console's router draws ``/incidents/42``, and
  ``/tab``, the Teams personal tab's content URL, and its pages ``/tab/incidents/42``).
- ``/assets/*`` (content-hashed names) are cached for a year as immutable, ``index.html`` is
  ``no-cache`` (a new build is picked up on the next load), and ``/redirect.html`` (MSAL's
  redirect bridge) is ``no-store``, as MSAL requires. A missing asset is a real 404, never
  ``index.html``: a stale page asking for an old chunk must fail visibly.
- Without a build, every console path answers a page saying how to build it.

The same headers are set for Azure in ``web/public/staticwebapp.config.json`` (docs/deploy.md).
"""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path

from aiohttp import web

#: Paths that are never the console's: the Functions routes and devhost's own endpoints.
RESERVED = ("/api/", "/admin/", "/.devhost/", "/runtime/")
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
NO_STORE = "no-store"


def install(web_app: web.Application, dist: Path) -> None:
    """Add the console's catch-all GET route; call it after every other route is added."""
    console = Console(dist.resolve())
    web_app.router.add_get("/{path:.*}", console.handle)


class Console:
    def __init__(self, dist: Path) -> None:
        self.dist = dist

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/api" or path.startswith(RESERVED):
            raise web.HTTPNotFound()
        index = self.dist / "index.html"
        if not index.is_file():
            return _missing_build(self.dist)
        relative = path.lstrip("/")
        target = self._file_of(relative)
        if target is not None:
            return _file(target, _cache_control(relative))
        if relative.startswith("assets/") or relative == "redirect.html":
            return web.Response(status=404, text="not found", headers={"Cache-Control": NO_STORE})
        return _file(index, NO_CACHE)

    def _file_of(self, relative: str) -> Path | None:
        """The build's file at ``relative``; None for anything else (outside the build, a
        directory, a name the file system refuses such as one with a NUL byte)."""
        if not relative:
            return None
        try:
            target = (self.dist / relative).resolve()
            inside = self.dist in target.parents
            return target if inside and target.is_file() else None
        except (OSError, ValueError):
            return None


def _cache_control(relative: str) -> str:
    if relative.startswith("assets/"):
        return IMMUTABLE
    if relative == "redirect.html":
        return NO_STORE
    if relative == "index.html":
        return NO_CACHE
    return "public, max-age=300"


def _file(path: Path, cache_control: str) -> web.FileResponse:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.FileResponse(
        path,
        headers={
            "Cache-Control": cache_control,
            "Content-Type": content_type,
            "X-Content-Type-Options": "nosniff",
        },
    )


def _missing_build(dist: Path) -> web.Response:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>OpenAlert console not built</title></head><body><main>"
        "<h1>The web console is not built</h1>"
        f"<p>devhost serves the console from <code>{html.escape(str(dist))}</code>, which has no "
        "<code>index.html</code>. Build it with <code>cd web &amp;&amp; npm ci &amp;&amp; "
        "npm run build</code> (or run <code>make run</code>, which does), then reload.</p>"
        "<p>The API is at <code>/api/v1</code> meanwhile.</p></main></body></html>"
    )
    return web.Response(
        status=503,
        text=body,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": NO_STORE},
    )
