"""The guard's decision on resolved addresses. No packet leaves the machine: every non-loopback
case is decided here, on the address alone."""

from __future__ import annotations

import pytest

from shared.outbound.guard import OutboundBlocked, OutboundPolicy, blocked_reason

REFUSED = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # Azure IMDS
    "169.254.0.1",
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::ffff:8.8.8.8",  # mapped forms are refused even for a public IPv4
    "::127.0.0.1",  # IPv4-compatible
    "::a9fe:a9fe",  # IPv4-compatible 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",
    "2001:db8::1",
    "not-an-address",
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert blocked_reason(address) is not None
    with pytest.raises(OutboundBlocked):
        OutboundPolicy().check_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "20.50.2.1", "2606:4700:4700::1111", "1.1.1.1"])
def test_global_unicast_addresses_pass(address: str) -> None:
    assert blocked_reason(address) is None


def test_the_reason_names_the_range_not_the_target() -> None:
    assert blocked_reason("169.254.169.254") == (
        "the address is in the link-local range 169.254.0.0/16"
    )
    assert "IPv4-mapped" in (blocked_reason("::ffff:127.0.0.1") or "")


def test_the_allow_list_opens_exactly_its_ranges_and_hosts() -> None:
    policy = OutboundPolicy.parse(" 10.1.0.0/16, 127.0.0.1 ,[::1], hooks.internal.example. ")
    policy.check_address("10.1.2.3")
    policy.check_address("127.0.0.1")
    policy.check_address("::ffff:127.0.0.1")  # the mapped form of an allowed IPv4 address
    policy.check_address("::1")
    for address in ("10.2.0.1", "127.0.0.2", "169.254.169.254", "::ffff:10.2.0.1"):
        with pytest.raises(OutboundBlocked):
            policy.check_address(address)
    assert policy.host_allowed("HOOKS.internal.example")
    assert not policy.host_allowed("other.internal.example")


def test_an_empty_allow_list_allows_nothing() -> None:
    policy = OutboundPolicy.parse("")
    assert policy.networks == () and policy.hosts == frozenset()


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "10.1"]
)
def test_non_canonical_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(OutboundBlocked, match="non-canonical"):
        OutboundPolicy.parse("127.0.0.0/8,10.0.0.0/8").check_literal(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "example.com", "::1", "1.2.3.4"])
def test_canonical_hosts_pass_the_literal_check(host: str) -> None:
    OutboundPolicy().check_literal(host)


def test_https_only_unless_the_development_setting_allows_http() -> None:
    OutboundPolicy().check_scheme("https")
    with pytest.raises(OutboundBlocked, match="only https"):
        OutboundPolicy().check_scheme("http")
    OutboundPolicy(allow_http=True).check_scheme("http")
    with pytest.raises(OutboundBlocked):
        OutboundPolicy(allow_http=True).check_scheme("ftp")
