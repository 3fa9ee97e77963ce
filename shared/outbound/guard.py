"""Which addresses a user-configured outbound call may reach: the pure decision of the guard.

A team admin or any person can point a webhook at an address of their choosing, so without a
guard the app would call into its own network for them (SSRF): the instance metadata service
at 169.254.169.254, loopback services, a VNet's private endpoints. The rule: only globally
routable unicast addresses, checked on the addresses a name resolved to (the connector connects
to exactly those), unless the operator's ``OUTBOUND_ALLOW`` names the address range or host.

IPv6 forms that carry an IPv4 address (mapped, compatible, 6to4, Teredo, NAT64) are refused
outright: a legitimate webhook has no need of them, and each is a way to smuggle a private IPv4
address past a check that looks only at the IPv6 address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class OutboundBlocked(Exception):
    """A user-configured call the guard refused; ``reason`` names why, never the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: Ranges refused whatever the interpreter's ``ipaddress`` tables say (they have changed
#: between Python releases); the ``is_*`` checks below cover the rest.
_DENIED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches loopback on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, Azure IMDS (169.254.169.254) and WireServer peers
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",
        "::1/128",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
        "100::/64",  # discard
        "2001:db8::/32",  # documentation
    )
)
#: IPv6 ranges that embed an IPv4 address.
_EMBEDDING: tuple[tuple[IPNetwork, str], ...] = (
    (ipaddress.ip_network("::ffff:0:0/96"), "IPv4-mapped IPv6"),
    (ipaddress.ip_network("::/96"), "IPv4-compatible IPv6"),
    (ipaddress.ip_network("64:ff9b::/96"), "NAT64 IPv6"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "NAT64 IPv6"),
    (ipaddress.ip_network("2002::/16"), "6to4 IPv6"),
    (ipaddress.ip_network("2001::/32"), "Teredo IPv6"),
)


@dataclass(frozen=True)
class OutboundPolicy:
    """The guard's settings: ``OUTBOUND_ALLOW`` (CIDRs and host names) and
    ``OUTBOUND_ALLOW_HTTP``."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)
    allow_http: bool = False

    @classmethod
    def parse(cls, allow: str, *, allow_http: bool = False) -> OutboundPolicy:
        """``allow`` is comma-separated CIDRs (or single addresses) and host names."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for item in (part.strip() for part in allow.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                hosts.add(_host_key(item))
        return cls(tuple(networks), frozenset(hosts), allow_http)

    def host_allowed(self, host: str) -> bool:
        return _host_key(host) in self.hosts

    def check_scheme(self, scheme: str) -> None:
        if scheme == "https" or (scheme == "http" and self.allow_http):
            return
        if scheme == "http":
            raise OutboundBlocked("only https targets are allowed")
        raise OutboundBlocked(f"the {scheme or 'missing'} scheme is not allowed")

    def check_address(self, address: str) -> None:
        """Raise :class:`OutboundBlocked` unless the resolved ``address`` may be called."""
        reason = blocked_reason(address, self.networks)
        if reason is not None:
            raise OutboundBlocked(reason)

    def check_literal(self, host: str) -> None:
        """Numeric host forms other than dotted quads (``127.1``, ``2130706433``,
        ``0x7f000001``, ``0177.0.0.1``) are refused: resolvers decode them differently, which
        is how they slip past checks."""
        if self.host_allowed(host) or ":" in host:
            return
        try:
            packed = socket.inet_aton(host)
        except OSError:
            return
        canonical = socket.inet_ntoa(packed)
        if host.rstrip(".") != canonical:
            raise OutboundBlocked("the host is a non-canonical numeric address")

    def check_target(self, url: str) -> None:
        """At save, what can be decided without DNS: the scheme, a non-canonical numeric
        host, a literal address. A host name is checked on its resolved addresses at connect
        time only (what it resolves to when saved says nothing about when it is called)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 -- raises on a port that is not a number in range
        except ValueError:
            raise OutboundBlocked("the URL cannot be parsed") from None
        self.check_scheme(parts.scheme)
        if not host:
            raise OutboundBlocked("the URL has no host")
        if self.host_allowed(host):
            return
        self.check_literal(host)
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return
        self.check_address(host)


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def blocked_reason(address: str, allowed: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why a call to the resolved ``address`` is refused, or None when it may go out."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "the address is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # Allowed ranges are written as IPv4; the mapped form still reaches that IPv4 host.
        if _within(ip.ipv4_mapped, allowed):
            return None
    if _within(ip, allowed):
        return None
    for network in _DENIED:
        if ip.version == network.version and ip in network:
            return f"the address is in the {_kind(ip)} range {network}"
    if isinstance(ip, ipaddress.IPv6Address):
        for embedding, what in _EMBEDDING:
            if ip in embedding:
                return f"the address is {what} (embeds an IPv4 address)"
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return f"the address is not globally routable ({_kind(ip)})"
    return None


def _within(ip: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)


def _kind(ip: IPAddress) -> str:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    return "reserved"
