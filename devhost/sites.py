"""What devhost serves beside the app's functions, for the web console: the development
identity provider with its sign-in (people from the product's store), the same application over
TLS (MSAL accepts only https authorities), and the built console at ``/``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from devhost.idp_users import StoreDirectory


def install_idp(
    web_app: web.Application, *, base_url: str, https_url: str | None, state_dir: Path
) -> StoreDirectory | None:
    """The identity provider and its sign-in; the directory to close at shutdown, if any."""
    # Imported only when the IdP is on: the directory reads the product's store.
    from devhost import idp, idp_oauth
    from devhost.idp_users import StoreDirectory

    site = idp.install(web_app, base_url=base_url, state_dir=state_dir, https_base_url=https_url)
    if site is None:
        return None
    directory = StoreDirectory()
    idp_oauth.install(web_app, site, directory)
    return directory


async def start_tls(runner: web.AppRunner, *, host: str, port: int, state_dir: Path) -> Path:
    """Listen with TLS on ``port`` (a self-signed certificate from ``state_dir``); returns the
    certificate's file, for clients to trust."""
    from devhost.idp_tls import ensure_certificate, server_context

    cert, key = ensure_certificate(state_dir)
    tls = web.TCPSite(runner, host, port, ssl_context=server_context(cert, key), reuse_address=True)
    await tls.start()
    return cert


def install_console(web_app: web.Application, dist: Path) -> None:
    """The built console at ``/``; after every other route (its route catches the rest)."""
    from devhost import console

    console.install(web_app, dist)
