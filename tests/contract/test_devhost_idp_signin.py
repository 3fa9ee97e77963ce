"""The development IdP's sign-in page when the store cannot be read: still a page (sign in by
e-mail), never a 500."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from devhost import idp, idp_oauth
from devhost.idp_people import IdpUser

TENANT = "00000000-0000-4000-8000-00000000a11e"


async def broken_directory() -> list[IdpUser]:
    raise OSError("store unreachable")


async def test_the_page_survives_an_unreadable_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("DEVHOST_IDP_ENABLED", "true")
    monkeypatch.setenv("ENTRA_AUTHORITY", base + idp.IDP_PATH)
    app = web.Application()
    site = idp.install(app, base_url=base, state_dir=tmp_path)
    assert site is not None
    idp_oauth.install(app, site, broken_directory)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        async with httpx.AsyncClient() as http:
            r = await http.get(
                f"{base}{idp.IDP_PATH}/{TENANT}/oauth2/v2.0/authorize",
                params={
                    "client_id": "c",
                    "redirect_uri": "http://localhost:5173/",
                    "response_type": "code",
                    "code_challenge": "x" * 43,
                    "code_challenge_method": "S256",
                },
            )
        assert r.status_code == 200
        assert "No people in the store yet." in r.text and 'name="email"' in r.text
    finally:
        await runner.cleanup()
