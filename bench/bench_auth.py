"""Authentication hot paths: what each request pays before any product logic runs.

Figures: Entra token validations/s with a warm JWKS cache (a real loopback JWKS server), the
cost of a cold cache, cached integration-key and API-key resolutions/s, Grafana HMAC checks/s.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import service
from shared.auth.apikeys import ApiKeyCache
from shared.auth.integration_keys import (
    GRAFANA_SIGNATURE_HEADER,
    GRAFANA_TIMESTAMP_HEADER,
    KeyResolver,
    extract_integration_key,
    grafana_signature,
    verify_grafana_signature,
)
from shared.auth.keys import API_KEY, INTEGRATION_KEY
from shared.auth.models import ApiKey, ApiKeyCreate, ApiKeyScope, AppRole, Principal, PrincipalKind
from shared.auth.tokens import EntraTokenValidator
from shared.config import Settings
from shared.store.factory import open_store

TENANT = "00000000-0000-4000-8000-0000000000aa"
CLIENT_ID = "00000000-0000-4000-8000-0000000000cc"


async def _rate(label: str, n: int, op: Callable[[], Awaitable[Any]]) -> None:
    started = time.perf_counter()
    for _ in range(n):
        await op()
    elapsed = time.perf_counter() - started
    print(f"{label:<48} {n / elapsed:>10,.0f}/s  ({elapsed / n * 1e6:,.1f} us each)")


async def _tokens() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1"}
    base = ""

    async def metadata(request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response(
            {"issuer": f"{base}/{tenant}/v2.0", "jwks_uri": f"{base}/{tenant}/keys"}
        )

    async def keys(request: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app = web.Application()
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", metadata)
    app.router.add_get("/{tenant}/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    now = int(time.time())
    token = jwt.encode(
        {
            "aud": CLIENT_ID,
            "iss": f"{base}/{TENANT}/v2.0",
            "tid": TENANT,
            "oid": "o",
            "nbf": now,
            "exp": now + 3600,
            "roles": ["OpenAlert.Admin"],
            "scp": "access_as_user",
        },
        key,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    try:
        async with httpx.AsyncClient() as http:
            cold = []
            for _ in range(5):
                validator = EntraTokenValidator(
                    tenant_id=TENANT, audiences=[CLIENT_ID], http=http, authority=base
                )
                started = time.perf_counter()
                await validator.validate(token)
                cold.append(time.perf_counter() - started)
            print(
                f"{'token validation, cold JWKS cache (median)':<48} "
                f"{sorted(cold)[2] * 1e3:>10.2f} ms"
            )
            await _rate(
                "token validation, warm JWKS cache", 3000, lambda: validator.validate(token)
            )
            await _service_path(validator, token)
    finally:
        await runner.cleanup()


async def _service_path(validator: EntraTokenValidator, token: str) -> None:
    """``service.authenticate`` end to end on the real SQLite store: what an API request pays."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate(
            {"STORE_BACKEND": "sqlite", "SQLITE_PATH": str(Path(tmp) / "bench.sqlite")}
        )
        store = await open_store(settings)
        try:

            async def load(key_id: str) -> ApiKey | None:
                doc = await store.get("api_keys", key_id, key_id)
                return None if doc is None else ApiKey.model_validate(doc)

            ports = service.AuthPorts(
                store=store, validator=validator, api_keys=ApiKeyCache(load=load)
            )
            created = await service.create_api_key(
                store=store,
                creator=Principal(
                    kind=PrincipalKind.USER, id="b", roles=frozenset({AppRole.ADMIN})
                ),
                request=ApiKeyCreate(name="bench", scopes=frozenset({ApiKeyScope.READ})),
                now=datetime.now(UTC),
            )
            bearer, key = "Bearer " + token, "Bearer " + created.secret
            await _rate(
                "authenticate: Entra user (token + user read)",
                2000,
                lambda: service.authenticate(authorization=bearer, ports=ports),
            )
            await _rate(
                "authenticate: API key (cached)",
                20_000,
                lambda: service.authenticate(authorization=key, ports=ports),
            )
        finally:
            await store.close()


async def _keys() -> None:
    issued = INTEGRATION_KEY.issue()

    async def lookup(key_id: str) -> tuple[str, str] | None:
        return (issued.key_hash, "integration") if key_id == issued.key_id else None

    resolver: KeyResolver[str] = KeyResolver(lookup=lookup)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    await _rate(
        "integration key: extract + resolve (cached)",
        50_000,
        lambda: resolver.resolve(extract_integration_key(None, headers, None)),
    )

    api = API_KEY.issue()
    now = datetime.now(UTC)
    record = ApiKey(
        id=api.key_id,
        name="bench",
        key_hash=api.key_hash,
        scopes=frozenset({ApiKeyScope.READ}),
        created_by="bench",
        created_at=now,
    )

    async def load(key_id: str) -> ApiKey | None:
        return record if key_id == api.key_id else None

    cache = ApiKeyCache(load=load)
    await _rate("API key validation (cached)", 50_000, lambda: cache.validate(api.secret, now=now))

    body = json.dumps({"alerts": [{"labels": {"i": str(i)}} for i in range(200)]}).encode()
    stamp = str(int(time.time()))
    signed = {
        GRAFANA_SIGNATURE_HEADER: grafana_signature("s3cret", body, stamp),
        GRAFANA_TIMESTAMP_HEADER: stamp,
    }

    async def verify() -> None:
        verify_grafana_signature(
            body=body,
            headers=signed,
            secret="s3cret",
            timestamp_header=GRAFANA_TIMESTAMP_HEADER,
            now=time.time(),
        )

    await _rate(f"Grafana HMAC verification ({len(body) // 1024} KB body)", 20_000, verify)


def main() -> None:
    asyncio.run(_tokens())
    asyncio.run(_keys())
