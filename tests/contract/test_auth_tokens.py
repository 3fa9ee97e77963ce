"""Entra ID token validation against a real OpenID metadata + JWKS server on loopback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.auth.access import principal_for_app, principal_for_user
from shared.auth.models import AppRole, PrincipalKind
from shared.auth.tokens import (
    INVALID_TOKEN,
    EntraTokenValidator,
    IdentityProviderUnavailable,
    JwksCache,
    default_audiences,
)
from shared.errors import Unauthenticated, Unavailable

TENANT = "72f988bf-0000-4000-8000-0000000000aa"
OTHER_TENANT = "72f988bf-0000-4000-8000-0000000000bb"
CLIENT_ID = "6b1c0d2e-0000-4000-8000-0000000000cc"
OID = "00000000-0000-4000-8000-000000000001"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def rsa_keys() -> list[rsa.RSAPrivateKey]:
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "x5t": kid}


@dataclass
class FakeEntra:
    """Serves Entra-shaped OpenID metadata and JWKS; what it serves can change mid-test."""

    base: str = ""
    jwks: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    metadata_issuer: str | None = None
    jwks_hits: int = 0

    def issuer(self, tenant: str = TENANT) -> str:
        return f"{self.base}/{tenant}/v2.0"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def entra() -> AsyncIterator[FakeEntra]:
    state = FakeEntra()

    async def metadata(request: web.Request) -> web.Response:
        if state.status != 200:
            return web.Response(status=state.status)
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "issuer": state.metadata_issuer or state.issuer(tenant),
                "jwks_uri": f"{state.base}/{tenant}/discovery/v2.0/keys",
            }
        )

    async def keys(request: web.Request) -> web.Response:
        state.jwks_hits += 1
        if state.status != 200:
            return web.Response(status=state.status)
        return web.json_response({"keys": state.jwks})

    app = web.Application()
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", metadata)
    app.router.add_get("/{tenant}/discovery/v2.0/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.base = f"http://{host}:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_validator(
    entra: FakeEntra, http: httpx.AsyncClient, clock: Clock
) -> Callable[..., EntraTokenValidator]:
    def make(**kwargs: Any) -> EntraTokenValidator:
        options: dict[str, Any] = {
            "tenant_id": TENANT,
            "audiences": default_audiences(CLIENT_ID),
            "http": http,
            "authority": entra.base,
            "monotonic": clock,
        }
        options.update(kwargs)
        return EntraTokenValidator(**options)

    return make


@pytest.fixture
def validator(
    entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey], make_validator: Callable[..., Any]
) -> EntraTokenValidator:
    entra.jwks = [jwk_of(rsa_keys[0], "k1")]
    v: EntraTokenValidator = make_validator()
    return v


def claims(entra: FakeEntra, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "aud": CLIENT_ID,
        "iss": entra.issuer(),
        "iat": now - 5,
        "nbf": now - 5,
        "exp": now + 600,
        "tid": TENANT,
        "oid": OID,
        "sub": "pairwise-sub",
        "name": "Alice Example",
        "preferred_username": "alice@example.com",
        "roles": ["OpenAlert.Responder"],
        "scp": "access_as_user",
        "azp": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "ver": "2.0",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: rsa.RSAPrivateKey, payload: dict[str, Any], kid: str = "k1") -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def sign_raw(key: rsa.RSAPrivateKey, header: dict[str, Any], payload: dict[str, Any]) -> str:
    """RS256 over any JSON, bypassing pyjwt's own claim checks on encode."""
    unsigned = forge(header, payload).rsplit(".", 1)[0]
    signature = key.sign(unsigned.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{unsigned}.{_b64(signature)}"


def forge(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(payload).encode())
    return f"{head}.{body}.{_b64(signature)}"


ANY_WHY = "<not checked>"


async def assert_rejected(
    validator: EntraTokenValidator, token: str, why: str | None = ANY_WHY
) -> None:
    """``why``: a phrase of the WWW-Authenticate error_description, or None for none at all."""
    with pytest.raises(Unauthenticated) as info:
        await validator.validate(token)
    # One message whatever failed: the reason goes to the log; only the reasons the holder can
    # read in its own token are named, in the challenge.
    assert info.value.detail == INVALID_TOKEN
    if why is ANY_WHY:
        return
    if why is None:
        assert info.value.why is None
        assert "error_description" not in info.value.challenge()
    else:
        assert why in (info.value.why or "")
        assert f'error_description="{info.value.why}"' in info.value.challenge()


async def test_valid_user_token(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    result = await validator.validate(sign(rsa_keys[0], claims(entra)))
    assert (result.oid, result.tid, result.mail) == (OID, TENANT, "alice@example.com")
    assert not result.is_app
    principal = principal_for_user(result, None)
    assert principal.kind is PrincipalKind.USER
    assert principal.roles == {AppRole.RESPONDER}


async def test_application_id_uri_audience_and_app_token(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    token = sign(
        rsa_keys[0],
        claims(
            entra,
            aud=f"api://{CLIENT_ID}",
            scp=None,
            name=None,
            preferred_username=None,
            azp="461e8683-5575-4561-ac7f-899cc907d62a",
            roles=["ActionGroupsSecureWebhook"],
        ),
    )
    result = await validator.validate(token)
    assert result.is_app
    principal = principal_for_app(result)
    assert principal.app_id == "461e8683-5575-4561-ac7f-899cc907d62a"
    assert principal.token_roles == {"ActionGroupsSecureWebhook"}
    assert principal.roles == frozenset()


async def test_expiry_and_not_before_with_leeway(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    now = int(time.time())
    key = rsa_keys[0]
    await assert_rejected(validator, sign(key, claims(entra, exp=now - 120)), why="expired")
    await assert_rejected(validator, sign(key, claims(entra, nbf=now + 300)), why="not valid yet")
    await assert_rejected(
        validator, sign(key, claims(entra, aud="api://someone-else")), why="audience"
    )
    await assert_rejected(
        validator, sign(key, claims(entra, iss=entra.issuer(OTHER_TENANT))), why="issuer"
    )
    # Inside the 60 s clock-skew leeway both are accepted.
    await validator.validate(sign(key, claims(entra, exp=now - 20)))
    await validator.validate(sign(key, claims(entra, nbf=now + 20)))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "api://someone-else"},
        {"aud": None},
        {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
        {"iss": f"https://sts.windows.net/{TENANT}/"},
        {"exp": None},
        {"nbf": None},
        {"oid": None},
        {"tid": None},
        {"tid": OTHER_TENANT},
        {"roles": "OpenAlert.Admin"},
    ],
    ids=str,
)
async def test_claim_checks(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    overrides: dict[str, Any],
) -> None:
    await assert_rejected(validator, sign(rsa_keys[0], claims(entra, **overrides)))


async def test_another_tenants_issuer_is_rejected(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    token = sign(rsa_keys[0], claims(entra, iss=entra.issuer(OTHER_TENANT), tid=OTHER_TENANT))
    await assert_rejected(validator, token)


async def test_alg_none_is_rejected(validator: EntraTokenValidator, entra: FakeEntra) -> None:
    await assert_rejected(validator, forge({"alg": "none", "typ": "JWT"}, claims(entra)))
    await assert_rejected(validator, forge({"alg": "none", "kid": "k1"}, claims(entra)))


async def test_hs256_signed_with_the_public_key_is_rejected(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    public_pem = (
        rsa_keys[0]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    unsigned = forge(header, claims(entra)).rsplit(".", 1)[0]
    signature = hmac.new(public_pem, unsigned.encode("ascii"), hashlib.sha256).digest()
    await assert_rejected(validator, f"{unsigned}.{_b64(signature)}")
    # Same with the JWK's modulus as the secret, the other variant of the attack.
    await assert_rejected(validator, forge({**header, "alg": "RS512"}, claims(entra), b"x"))


async def test_tampered_payload_and_foreign_signature(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    token = sign(rsa_keys[0], claims(entra))
    head, _, sig = token.split(".")
    evil = _b64(json.dumps(claims(entra, roles=["OpenAlert.Admin"])).encode())
    # Signature failures are never explained (no error_description to probe with).
    await assert_rejected(validator, f"{head}.{evil}.{sig}", why=None)
    # Signed by another key under a kid the JWKS knows.
    await assert_rejected(validator, sign(rsa_keys[1], claims(entra), kid="k1"), why=None)
    await assert_rejected(validator, "not-a-jwt")
    await assert_rejected(validator, "")
    await assert_rejected(validator, "a.b.c")


async def test_unknown_kid_refreshes_once_then_is_rejected_and_floods_are_throttled(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    clock: Clock,
) -> None:
    await validator.validate(sign(rsa_keys[0], claims(entra)))
    assert entra.jwks_hits == 1
    clock.t += 61  # past the minimum refresh interval
    await assert_rejected(validator, sign(rsa_keys[1], claims(entra), kid="nope"))
    assert entra.jwks_hits == 2
    for i in range(50):
        await assert_rejected(validator, sign(rsa_keys[1], claims(entra), kid=f"bad{i}"))
    assert entra.jwks_hits == 2  # no new fetch inside the interval
    # The known key keeps working throughout.
    await validator.validate(sign(rsa_keys[0], claims(entra)))


async def test_key_rotation_new_kid_accepted_after_refresh(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    clock: Clock,
) -> None:
    await validator.validate(sign(rsa_keys[0], claims(entra)))
    entra.jwks = [jwk_of(rsa_keys[0], "k1"), jwk_of(rsa_keys[2], "k2")]
    clock.t += 61
    result = await validator.validate(sign(rsa_keys[2], claims(entra), kid="k2"))
    assert result.oid == OID
    assert entra.jwks_hits == 2


async def test_ttl_expiry_refetches(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    clock: Clock,
) -> None:
    token = sign(rsa_keys[0], claims(entra))
    await validator.validate(token)
    clock.t += 3599
    await validator.validate(token)
    assert entra.jwks_hits == 1
    clock.t += 2
    await validator.validate(token)
    assert entra.jwks_hits == 2


async def test_cold_cache_concurrent_requests_share_one_fetch(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    token = sign(rsa_keys[0], claims(entra))
    results = await asyncio.gather(*(validator.validate(token) for _ in range(20)))
    assert len(results) == 20
    assert entra.jwks_hits == 1


async def test_idp_down_with_cold_cache_is_unavailable_not_unauthenticated(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    entra.status = 500
    with pytest.raises(IdentityProviderUnavailable) as info:
        await validator.validate(sign(rsa_keys[0], claims(entra)))
    assert isinstance(info.value, Unavailable) and info.value.status == 503


async def test_idp_unreachable_is_unavailable(
    make_validator: Callable[..., EntraTokenValidator],
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
) -> None:
    # A port that was free a moment ago: connection refused.
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    await runner.cleanup()
    v = make_validator(authority=f"http://{host}:{port}")
    with pytest.raises(IdentityProviderUnavailable):
        await v.validate(sign(rsa_keys[0], claims(entra)))


async def test_idp_down_with_warm_cache_serves_stale_keys(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    clock: Clock,
) -> None:
    token = sign(rsa_keys[0], claims(entra))
    await validator.validate(token)
    entra.status = 503
    clock.t += 7200  # TTL passed, refresh fails: the cached key still verifies
    assert (await validator.validate(token)).oid == OID
    hits = validator.jwks.fetch_count
    for _ in range(20):  # and the outage is not hammered: one attempt per interval
        assert (await validator.validate(token)).oid == OID
    assert validator.jwks.fetch_count == hits
    clock.t += 61
    await validator.validate(token)
    assert validator.jwks.fetch_count == hits + 1
    clock.t += 86_400  # past the stale limit: refuse, as "try again"
    with pytest.raises(IdentityProviderUnavailable):
        await validator.validate(token)
    # An unknown kid while the IdP is down: fail closed, but as "try again".
    clock.t += 61
    with pytest.raises(IdentityProviderUnavailable):
        await validator.validate(sign(rsa_keys[1], claims(entra), kid="rotated"))
    # Inside the refresh interval the answer stays 503, without hammering the IdP.
    hits = validator.jwks.fetch_count
    with pytest.raises(IdentityProviderUnavailable):
        await validator.validate(sign(rsa_keys[1], claims(entra), kid="rotated"))
    assert validator.jwks.fetch_count == hits


async def test_metadata_for_another_issuer_is_not_trusted(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    entra.metadata_issuer = "https://evil.example/v2.0"
    with pytest.raises(IdentityProviderUnavailable):
        await validator.validate(sign(rsa_keys[0], claims(entra)))


async def test_non_rsa_and_encryption_keys_are_ignored(
    validator: EntraTokenValidator, entra: FakeEntra, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    entra.jwks = [
        {"kty": "oct", "kid": "k1", "k": _b64(b"secret")},
        {**jwk_of(rsa_keys[1], "enc"), "use": "enc"},
        jwk_of(rsa_keys[0], "k1"),
    ]
    await validator.validate(sign(rsa_keys[0], claims(entra)))
    await assert_rejected(validator, sign(rsa_keys[1], claims(entra), kid="enc"))


def test_validator_needs_tenant_and_audience(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError):
        EntraTokenValidator(tenant_id="", audiences=[CLIENT_ID], http=http)
    with pytest.raises(ValueError):
        EntraTokenValidator(tenant_id=TENANT, audiences=[], http=http)
    assert default_audiences(CLIENT_ID, [" api://custom ", ""]) == (
        CLIENT_ID,
        f"api://{CLIENT_ID}",
        "api://custom",
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
CLAIM_NAMES = [
    "aud",
    "iss",
    "exp",
    "nbf",
    "oid",
    "tid",
    "roles",
    "scp",
    "idtyp",
    "name",
    "email",
    "azp",
]


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(st.sampled_from(CLAIM_NAMES), json_values, max_size=4))
async def test_arbitrary_signed_claims_only_raise_unauthenticated(
    validator: EntraTokenValidator,
    entra: FakeEntra,
    rsa_keys: list[rsa.RSAPrivateKey],
    extra: dict[str, Any],
) -> None:
    token = sign_raw(rsa_keys[0], {"alg": "RS256", "kid": "k1"}, claims(entra, **extra))
    try:
        result = await validator.validate(token)
    except Unauthenticated:
        return
    assert result.tid == TENANT and isinstance(result.oid, str)


token_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/é\ud800"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=st.one_of(
        st.text(max_size=300),
        st.lists(st.text(alphabet=token_alphabet, max_size=40), min_size=1, max_size=4).map(
            ".".join
        ),
        st.builds(
            lambda header, rest: _b64(json.dumps(header).encode()) + "." + rest,
            st.dictionaries(st.sampled_from(["alg", "kid", "typ"]), json_values, max_size=3),
            st.text(alphabet=token_alphabet + ".", max_size=60),
        ),
    )
)
async def test_arbitrary_token_text_only_raises_unauthenticated(
    validator: EntraTokenValidator, token: str
) -> None:
    with pytest.raises(Unauthenticated):
        await validator.validate(token)


async def test_a_keys_whole_jwks_entry_comes_with_it(
    entra: FakeEntra, http: httpx.AsyncClient, rsa_keys: list[rsa.RSAPrivateKey]
) -> None:
    """Bot Framework keys carry ``endorsements`` (the channels a key may sign for): the one
    JWKS cache hands the Teams validator the entry along with the key."""
    entra.jwks = [{**jwk_of(rsa_keys[0], "k1"), "endorsements": ["msteams"]}]
    cache = JwksCache(issuer=entra.issuer(), http=http)
    key, entry = await cache.get_entry("k1")
    assert entry["endorsements"] == ["msteams"]
    assert key.key_id == "k1"
