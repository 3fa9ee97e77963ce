"""The one HTTP client for user-configured targets (webhook contacts, outgoing webhooks, Teams
Workflows URLs): httpx's API over aiohttp's pool, guarded where the connection is made.

The check sits in the aiohttp connector, after name resolution: the connector resolves a host
once, :class:`GuardedConnector` vets every address of the answer and the connector then connects
to exactly those addresses. A name that resolves to a public address when saved and to
169.254.169.254 when called (DNS rebinding) is therefore refused at call time, and no request
option, redirect or URL spelling can reach a socket without passing the check. Redirects are
never followed (the transport passes ``allow_redirects=False``), and proxies from the
environment are not used (``trust_env=False``), so the checked address is the peer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from httpx_aiohttp import AiohttpTransport

from shared.outbound.guard import OutboundBlocked, OutboundPolicy

if TYPE_CHECKING:
    from aiohttp.tracing import Trace

__all__ = ["GuardedConnector", "OutboundBlocked", "OutboundClient", "OutboundPolicy"]


class GuardedConnector(aiohttp.TCPConnector):
    """A TCP connector that refuses addresses the policy does not allow.

    ``_resolve_host`` is where every aiohttp 3.x connection gets its addresses (IP literals
    included, which skip the resolver). It is not public API: the loopback tests in
    ``tests/contract/outbound/test_client.py`` fail if an aiohttp release stops calling it.
    """

    def __init__(
        self, policy: OutboundPolicy, *, resolver: AbstractResolver | None = None, **kw: Any
    ) -> None:
        super().__init__(resolver=resolver, **kw)
        self.policy = policy

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Trace] | None = None
    ) -> list[ResolveResult]:
        self.policy.check_literal(host)
        hosts = await super()._resolve_host(host, port, traces=traces)
        if self.policy.host_allowed(host):
            return hosts
        if not hosts:
            raise OutboundBlocked("the host did not resolve")
        for resolved in hosts:
            # One refused address refuses the host: trying the others would let a name that
            # answers with a public and a private address reach the private one.
            self.policy.check_address(resolved["host"])
        return hosts


class _GuardedTransport(AiohttpTransport):
    def __init__(
        self, policy: OutboundPolicy, *, resolver: AbstractResolver | None, max_connections: int
    ) -> None:
        limits = httpx.Limits(max_connections=max_connections)
        super().__init__(limits=limits, trust_env=False, client=self._session)
        self.policy = policy
        self._resolver = resolver

    def _session(self) -> aiohttp.ClientSession:
        connector = GuardedConnector(
            self.policy,
            resolver=self._resolver,
            limit=self.limits.max_connections or 100,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_scheme(request.url.scheme)
        return await super().handle_async_request(request)


class OutboundClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose every connection passes the outbound guard. Channels that
    call user-configured URLs take this type, so a plain client cannot be handed to them."""

    def __init__(
        self,
        policy: OutboundPolicy,
        *,
        timeout: float = 10.0,
        max_connections: int = 100,
        resolver: AbstractResolver | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            transport=_GuardedTransport(policy, resolver=resolver, max_connections=max_connections),
        )
        self.policy = policy
