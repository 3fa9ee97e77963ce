"""Integration-key extraction, key format, resolver cache, and Grafana HMAC verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.auth.headers import basic_credentials, bearer_token, get_header, parse_authorization
from shared.auth.integration_keys import (
    GRAFANA_SIGNATURE_HEADER,
    GRAFANA_TIMESTAMP_HEADER,
    KeyResolver,
    extract_integration_key,
    grafana_signature,
    verify_grafana_signature,
)
from shared.auth.keys import API_KEY, INTEGRATION_KEY
from shared.auth.secret_hash import secret_hash as hash_key
from shared.auth.secret_hash import secret_matches as key_matches
from shared.errors import InvalidInput, Unauthenticated


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- extraction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path_key", "headers", "body", "expected"),
    [
        ("pathkey", {"Authorization": "Bearer other"}, None, "pathkey"),
        (None, {"Authorization": "Bearer k1"}, None, "k1"),
        (None, {"authorization": "bearer   k1  "}, None, "k1"),
        (None, {"Authorization": basic("alertmanager", "k2")}, None, "k2"),
        (None, {"Authorization": basic("k3", "")}, None, "k3"),
        (None, {"Authorization": basic("u", "pa:ss")}, None, "pa:ss"),
        (None, {"Authorization": "GenieKey eb243592-faa2"}, None, "eb243592-faa2"),
        (None, {}, {"routing_key": "rk", "event_action": "trigger"}, "rk"),
        ("", {"Authorization": "Token x"}, {"routing_key": "rk"}, "rk"),
    ],
)
def test_extract_integration_key(
    path_key: str | None, headers: dict[str, str], body: Any, expected: str
) -> None:
    assert extract_integration_key(path_key, headers, body) == expected


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, None),
        ({"Authorization": "Token abc"}, None),
        ({}, {"routing_key": ""}),
        ({}, {"routing_key": 42}),
        ({}, ["routing_key"]),
        ({"Authorization": basic("", "")}, None),
    ],
)
def test_no_integration_key(headers: dict[str, str], body: Any) -> None:
    with pytest.raises(Unauthenticated):
        extract_integration_key(None, headers, body)


@pytest.mark.parametrize(
    "value", ["Bearer", "Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(), "Bé x"]
)
def test_malformed_authorization(value: str) -> None:
    with pytest.raises(Unauthenticated):
        extract_integration_key(None, {"Authorization": value}, None)


def test_header_helpers() -> None:
    assert get_header({"X-Foo": "1"}, "x-foo") == "1"
    assert get_header({}, "x-foo") is None
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token(None) is None
    assert parse_authorization("  ") is None
    assert basic_credentials(base64.b64encode(b"a:b:c").decode()) == ("a", "b:c")
    with pytest.raises(Unauthenticated):
        parse_authorization("Bearer " + "x" * 20_000)


# Arbitrary text, including control characters, non-ASCII and surrogates.
header_text = st.text(max_size=300)
b64ish = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:é ")


@given(value=st.one_of(header_text, b64ish.map(lambda s: "Basic " + s), st.none()))
def test_parse_authorization_only_raises_unauthenticated(value: str | None) -> None:
    try:
        parsed = parse_authorization(value)
    except (Unauthenticated, InvalidInput):
        return
    if parsed is not None:
        scheme, credentials = parsed
        assert scheme == scheme.lower() and credentials == credentials.strip() and credentials


@given(credentials=st.one_of(header_text, b64ish))
def test_basic_credentials_only_raises_unauthenticated(credentials: str) -> None:
    try:
        basic_credentials(credentials)
    except (Unauthenticated, InvalidInput):
        pass


@given(
    path_key=st.one_of(st.none(), header_text),
    scheme=st.sampled_from(["Bearer", "Basic", "GenieKey", "bearer", "Token", ""]),
    credentials=st.one_of(header_text, b64ish),
    body=st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["routing_key", "x"]), st.one_of(header_text, st.none())),
        st.lists(st.integers()),
    ),
)
def test_extract_integration_key_only_raises_unauthenticated(
    path_key: str | None, scheme: str, credentials: str, body: Any
) -> None:
    try:
        key = extract_integration_key(path_key, {"Authorization": f"{scheme} {credentials}"}, body)
    except (Unauthenticated, InvalidInput):
        return
    assert isinstance(key, str) and key


@given(text=header_text)
def test_key_id_parser_only_raises_unauthenticated(text: str) -> None:
    for fmt in (API_KEY, INTEGRATION_KEY):
        try:
            key_id = fmt.key_id(text)
        except (Unauthenticated, InvalidInput):
            continue
        assert len(key_id) == 12


# --- key format and resolver ---------------------------------------------------------------


def test_issued_keys_parse_and_match() -> None:
    issued = INTEGRATION_KEY.issue()
    assert issued.secret.startswith("oai_") and len(issued.secret) == 4 + 12 + 1 + 43
    assert INTEGRATION_KEY.key_id(issued.secret) == issued.key_id
    assert issued.key_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert key_matches(issued.secret, issued.key_hash)
    other_last = "B" if issued.secret.endswith("A") else "A"
    assert not key_matches(issued.secret[:-1] + other_last, issued.key_hash)
    assert INTEGRATION_KEY.issue().secret != issued.secret
    with pytest.raises(Unauthenticated):
        API_KEY.key_id(issued.secret)  # an integration key is not an API key
    assert hash_key("x") == hashlib.sha256(b"x").hexdigest()


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


async def test_resolver_caches_hits_and_misses_and_always_checks_the_secret() -> None:
    issued = INTEGRATION_KEY.issue()
    table: dict[str, tuple[str, str]] = {issued.key_id: (issued.key_hash, "integration-1")}

    async def lookup(key_id: str) -> tuple[str, str] | None:
        return table.get(key_id)

    clock = Clock()
    resolver: KeyResolver[str] = KeyResolver(lookup=lookup, ttl_s=60, monotonic=clock)
    assert await resolver.resolve(issued.secret) == "integration-1"
    assert await resolver.resolve(issued.secret) == "integration-1"
    assert resolver.lookups == 1
    wrong = issued.secret[:-2] + ("AA" if not issued.secret.endswith("AA") else "BB")
    with pytest.raises(Unauthenticated):
        await resolver.resolve(wrong)
    assert resolver.lookups == 1  # cached entry, secret still compared

    unknown = INTEGRATION_KEY.issue()
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await resolver.resolve(unknown.secret)
    assert resolver.lookups == 2  # the miss is cached too

    # Rotation: the old key keeps working until the TTL passes, then stops.
    del table[issued.key_id]
    assert await resolver.resolve(issued.secret) == "integration-1"
    clock.t += 61
    with pytest.raises(Unauthenticated):
        await resolver.resolve(issued.secret)
    with pytest.raises(Unauthenticated):
        await resolver.resolve("oai_garbage")
    resolver.forget(issued.key_id)


# --- Grafana HMAC ---------------------------------------------------------------------------

SECRET = "grafana-shared-secret"
BODY = b'{"receiver":"oa","status":"firing","alerts":[]}'
NOW = 1_790_000_000.0


def test_grafana_signature_matches_reference_hmac() -> None:
    assert grafana_signature(SECRET, BODY) == hmac.new(SECRET.encode(), BODY, "sha256").hexdigest()
    expected = hmac.new(SECRET.encode(), b"1790000000:" + BODY, "sha256").hexdigest()
    assert grafana_signature(SECRET, BODY, "1790000000") == expected


def test_grafana_body_only_signature() -> None:
    headers = {GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY)}
    verify_grafana_signature(body=BODY, headers=headers, secret=SECRET, now=NOW)
    upper = {GRAFANA_SIGNATURE_HEADER.lower(): grafana_signature(SECRET, BODY).upper()}
    verify_grafana_signature(body=BODY, headers=upper, secret=SECRET, now=NOW)
    # Custom header name (Grafana's older code default).
    custom = {"X-Grafana-Alert-Signature": grafana_signature(SECRET, BODY)}
    verify_grafana_signature(
        body=BODY,
        headers=custom,
        secret=SECRET,
        signature_header="X-Grafana-Alert-Signature",
        now=NOW,
    )


def test_grafana_timestamped_signature() -> None:
    stamp = str(int(NOW) - 30)
    headers = {
        GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY, stamp),
        GRAFANA_TIMESTAMP_HEADER: stamp,
    }
    verify_grafana_signature(
        body=BODY,
        headers=headers,
        secret=SECRET,
        timestamp_header=GRAFANA_TIMESTAMP_HEADER,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("headers", "timestamp_header"),
    [
        ({}, None),
        ({GRAFANA_SIGNATURE_HEADER: "00" * 32}, None),
        ({GRAFANA_SIGNATURE_HEADER: grafana_signature("other", BODY)}, None),
        ({GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY + b" ")}, None),
        ({GRAFANA_SIGNATURE_HEADER: "é"}, None),
        # timestamp required but missing / stale / future / not a number / not the signed one
        ({GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY)}, GRAFANA_TIMESTAMP_HEADER),
        (
            {
                GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY, "1789999000"),
                GRAFANA_TIMESTAMP_HEADER: "1789999000",
            },
            GRAFANA_TIMESTAMP_HEADER,
        ),
        (
            {
                GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY, "1790001000"),
                GRAFANA_TIMESTAMP_HEADER: "1790001000",
            },
            GRAFANA_TIMESTAMP_HEADER,
        ),
        (
            {
                GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY, "-1"),
                GRAFANA_TIMESTAMP_HEADER: "-1",
            },
            GRAFANA_TIMESTAMP_HEADER,
        ),
        (
            {
                GRAFANA_SIGNATURE_HEADER: grafana_signature(SECRET, BODY, "1790000001"),
                GRAFANA_TIMESTAMP_HEADER: "1790000000",
            },
            GRAFANA_TIMESTAMP_HEADER,
        ),
    ],
)
def test_grafana_bad_signatures(headers: dict[str, str], timestamp_header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        verify_grafana_signature(
            body=BODY, headers=headers, secret=SECRET, timestamp_header=timestamp_header, now=NOW
        )


@given(signature=header_text, stamp=header_text, body=st.binary(max_size=200))
def test_grafana_verifier_only_raises_unauthenticated(
    signature: str, stamp: str, body: bytes
) -> None:
    headers = {GRAFANA_SIGNATURE_HEADER: signature, GRAFANA_TIMESTAMP_HEADER: stamp}
    for timestamp_header in (None, GRAFANA_TIMESTAMP_HEADER):
        try:
            verify_grafana_signature(
                body=body,
                headers=headers,
                secret=SECRET,
                timestamp_header=timestamp_header,
                now=NOW,
            )
        except (Unauthenticated, InvalidInput):
            continue
        raise AssertionError("an arbitrary signature was accepted")
