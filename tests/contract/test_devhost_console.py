"""devhost's console serving (devhost.console) over a real socket, with a temporary build."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from devhost import console


async def serve(dist: Path) -> tuple[web.AppRunner, str]:
    app = web.Application()

    async def api(request: web.Request) -> web.Response:
        return web.json_response({"api": True}, status=404)

    # As in devhost: the Functions routes first, the console's catch-all last.
    app.router.add_route("*", "/api/{tail:.*}", api)
    console.install(app, dist)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def built(tmp_path: Path) -> AsyncIterator[str]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>index</title>")
    (dist / "redirect.html").write_text("<!doctype html><title>bridge</title>")
    (dist / "assets" / "app-1a2b3c.js").write_text("console.log(1)")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    runner, base = await serve(dist)
    yield base
    await runner.cleanup()


async def test_spa_fallback_and_cache_headers(built: str) -> None:
    async with httpx.AsyncClient(base_url=built) as http:
        # /tab is the Teams personal tab's contentUrl; /tab/... its pages.
        for path in (
            "/",
            "/incidents/inc-1",
            "/on-call",
            "/index.html",
            "/tab",
            "/tab/incidents/x",
        ):
            r = await http.get(path)
            assert r.status_code == 200 and "<title>index</title>" in r.text, path
            assert r.headers["cache-control"] == "no-cache", path
        asset = await http.get("/assets/app-1a2b3c.js")
        assert asset.status_code == 200 and asset.text == "console.log(1)"
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "javascript" in asset.headers["content-type"]
        bridge = await http.get("/redirect.html")
        assert bridge.headers["cache-control"] == "no-store" and "bridge" in bridge.text
        assert (await http.get("/favicon.svg")).status_code == 200


async def test_api_paths_and_missing_assets_are_not_the_index(built: str) -> None:
    async with httpx.AsyncClient(base_url=built) as http:
        api = await http.get("/api/v1/incidents")
        assert api.json() == {"api": True}
        missing = await http.get("/assets/app-old.js")
        assert missing.status_code == 404
        assert (await http.get("/admin/devhost/nothing")).status_code == 404
        # No way out of the build directory.
        out = await http.get("/%2e%2e/secret.txt")
        assert "outside the build" not in out.text
        assert (await http.post("/incidents/inc-1")).status_code == 405
        # Names the file system refuses are not files: the console's route, not a 500.
        for odd in ("/a%00b", "/" + "x" * 5000, "/assets/" + "y" * 300 + ".js"):
            r = await http.get(odd)
            assert r.status_code in (200, 404), (odd[:20], r.status_code)


async def test_a_missing_build_says_how_to_build_it(tmp_path: Path) -> None:
    runner, base = await serve(tmp_path / "no-dist")
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            r = await http.get("/incidents/inc-1")
        assert r.status_code == 503
        assert "npm run build" in r.text and str(tmp_path / "no-dist") in r.text
    finally:
        await runner.cleanup()
