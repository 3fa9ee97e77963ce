"""The guarded client against a real local server: every loopback spelling is refused at connect
time unless the allow-list names it, redirects stay unfollowed, http needs the development
setting. Only loopback is ever connected to."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from shared.outbound.client import GuardedConnector, OutboundClient
from shared.outbound.guard import OutboundBlocked, OutboundPolicy

LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "localhost",
    "rebind.test",  # a name whose DNS answer is loopback
]


class StaticResolver(AbstractResolver):
    """DNS answers from a table (the system resolver for anything else), so a test can have a
    public-looking name resolve to loopback without a DNS server."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table.get(host, ["127.0.0.1"] if host == "localhost" else [])
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
async def server() -> AsyncIterator[dict[str, Any]]:
    """A loopback server on IPv4 and IPv6; counts the requests that reached it."""
    state: dict[str, Any] = {"hits": 0}

    async def hook(request: web.Request) -> web.Response:
        state["hits"] += 1
        return web.Response(text="ok")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://127.0.0.1:{state['port']}/hook")

    app = web.Application()
    app.router.add_post("/hook", hook)
    app.router.add_post("/moved", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    sock4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock4.bind(("127.0.0.1", 0))
    state["port"] = port = sock4.getsockname()[1]
    await web.SockSite(runner, sock4).start()
    try:
        sock6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock6.bind(("::1", port))
        await web.SockSite(runner, sock6).start()
    except OSError:
        pass  # no IPv6 loopback here; the IPv6 spellings are still refused before connecting
    try:
        yield state
    finally:
        await runner.cleanup()


def _client(policy: OutboundPolicy) -> tuple[OutboundClient, StaticResolver]:
    resolver = StaticResolver({"rebind.test": ["127.0.0.1"], "localhost": ["127.0.0.1"]})
    return OutboundClient(policy, resolver=resolver, timeout=5.0), resolver


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
async def test_every_loopback_spelling_is_refused(server: dict[str, Any], host: str) -> None:
    client, _ = _client(OutboundPolicy(allow_http=True))
    async with client:
        with pytest.raises(OutboundBlocked):
            await client.post(f"http://{host}:{server['port']}/hook", content=b"{}")
    assert server["hits"] == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "rebind.test"])
async def test_the_allow_list_is_what_opens_loopback(server: dict[str, Any], host: str) -> None:
    client, _ = _client(OutboundPolicy.parse("127.0.0.0/8,::1", allow_http=True))
    async with client:
        r = await client.post(f"http://{host}:{server['port']}/hook", content=b"{}")
    assert r.status_code == 200 and server["hits"] == 1


async def test_an_allowed_host_name_skips_the_address_check(server: dict[str, Any]) -> None:
    client, _ = _client(OutboundPolicy.parse("rebind.test", allow_http=True))
    async with client:
        r = await client.post(f"http://rebind.test:{server['port']}/hook", content=b"{}")
        with pytest.raises(OutboundBlocked):
            await client.post(f"http://localhost:{server['port']}/hook", content=b"{}")
    assert r.status_code == 200 and server["hits"] == 1


async def test_redirects_are_not_followed(server: dict[str, Any]) -> None:
    client, _ = _client(OutboundPolicy.parse("127.0.0.0/8", allow_http=True))
    async with client:
        r = await client.post(f"http://127.0.0.1:{server['port']}/moved", content=b"{}")
    assert r.status_code == 302 and server["hits"] == 0


async def test_http_needs_the_development_setting(server: dict[str, Any]) -> None:
    client, _ = _client(OutboundPolicy.parse("127.0.0.0/8"))
    async with client:
        with pytest.raises(OutboundBlocked, match="only https"):
            await client.post(f"http://127.0.0.1:{server['port']}/hook", content=b"{}")
    assert server["hits"] == 0


async def test_one_refused_address_refuses_the_whole_answer() -> None:
    """A name answering with a public and a private address is refused before any connection
    (decided in the connector's resolution step; nothing is sent)."""
    resolver = StaticResolver({"mixed.test": ["8.8.8.8", "169.254.169.254"]})
    connector = GuardedConnector(OutboundPolicy(), resolver=resolver)
    try:
        with pytest.raises(OutboundBlocked, match="link-local"):
            await connector._resolve_host("mixed.test", 443)
        resolver.table["ok.test"] = ["8.8.8.8", "2606:4700:4700::1111"]
        hosts = await connector._resolve_host("ok.test", 443)
        assert [h["host"] for h in hosts] == ["8.8.8.8", "2606:4700:4700::1111"]
    finally:
        await connector.close()


async def test_every_lookup_is_checked_so_a_rebound_name_is_refused() -> None:
    """DNS rebinding needs a second lookup between check and connect; there is none: the
    connector's own answer is what was checked."""
    resolver = StaticResolver({"rebind.test": ["8.8.8.8"]})
    connector = GuardedConnector(OutboundPolicy(), resolver=resolver, use_dns_cache=False)
    try:
        hosts = await connector._resolve_host("rebind.test", 443)
        resolver.table["rebind.test"] = ["127.0.0.1"]
        with pytest.raises(OutboundBlocked, match="loopback"):
            await connector._resolve_host("rebind.test", 443)
    finally:
        await connector.close()
    assert [h["host"] for h in hosts] == ["8.8.8.8"] and resolver.calls == ["rebind.test"] * 2
