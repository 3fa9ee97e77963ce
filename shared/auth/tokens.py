"""Entra ID v2 access-token validation (pyjwt + the tenant's JWKS, fetched with httpx).

One validator per process, created at composition time with an injected ``httpx.AsyncClient``.
Production and devhost run this same code; only ``authority`` differs (devhost points it at its
development identity provider).

Failure policy:

- A token that fails any check raises :class:`~shared.errors.Unauthenticated` with one generic
  message, and the reason is logged. Only the checks of what the holder can read in its own
  token — issuer, audience, tenant, expiry, not-before, a signing key id the issuer does not
  publish — are also named in the 401's ``WWW-Authenticate`` ``error_description`` (a token
  minted for another devhost port, or for another app, says so); signature and algorithm
  failures stay unexplained, so a caller cannot probe the cryptographic checks.
- When the identity provider cannot be reached and no usable cached key exists, the validator
  raises :class:`IdentityProviderUnavailable` (503): the request fails closed (nothing is
  allowed), but the caller is told to retry instead of being told its credentials are bad.
  That matters for a pager: Azure Monitor retries a secure webhook on 503, not on 401, and a
  console should not sign a user out because Entra ID blipped.
- Cached keys outlive their TTL (up to ``max_stale_s``) while refreshes fail, so an identity
  provider outage does not stop sign-in for tokens signed with a known key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import httpx
import jwt
from pydantic import ValidationError

from shared.auth.models import TokenClaims
from shared.errors import Unauthenticated, Unavailable

log = logging.getLogger(__name__)

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
#: The only signature algorithm Entra ID uses for access tokens. Pinned: ``none`` and HS256
#: (with the public key as the HMAC secret) are the classic downgrade attacks.
ALGORITHM = "RS256"
#: Clock skew tolerated on ``exp``/``nbf``, seconds.
LEEWAY_S = 60.0
#: Tokens longer than this are rejected before parsing (Entra tokens are ~1.5-3 KB).
MAX_TOKEN_CHARS = 16_384

INVALID_TOKEN = "The bearer token is not valid."
UNREACHABLE = "The identity provider could not be reached; try again shortly."


class IdentityProviderUnavailable(Unavailable):
    type_slug = "identity-provider-unavailable"
    title = "Identity provider unavailable"


def issuer_for(authority: str, tenant_id: str) -> str:
    """The v2 issuer of a single tenant: ``https://login.microsoftonline.com/{tid}/v2.0``."""
    return f"{authority.rstrip('/')}/{tenant_id}/v2.0"


def default_audiences(client_id: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """v2 tokens carry the client id as ``aud``; tokens requested for ``api://<id>`` resources
    through older clients carry the application id URI instead. Both are ours."""
    auds = [client_id, f"api://{client_id}", *(a.strip() for a in extra)]
    return tuple(dict.fromkeys(a for a in auds if a))


class JwksCache:
    """Signing keys of one issuer, by ``kid``.

    - Refreshed when older than ``ttl_s`` and when a token names an unknown ``kid`` (key
      rotation), but forced refreshes are at least ``min_refresh_interval_s`` apart so a flood of
      tokens with made-up kids costs the identity provider one request per interval.
    - Concurrent callers share one in-flight refresh (single flight under a lock).
    """

    def __init__(
        self,
        *,
        issuer: str,
        http: httpx.AsyncClient,
        ttl_s: float = 3600.0,
        min_refresh_interval_s: float = 60.0,
        max_stale_s: float = 86_400.0,
        timeout_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        metadata_url: str | None = None,
    ) -> None:
        self.issuer = issuer
        #: OpenID metadata; standard place unless the issuer publishes elsewhere (ACS does).
        self.metadata_url = metadata_url or f"{issuer}/.well-known/openid-configuration"
        self._http = http
        self._ttl_s = ttl_s
        self._min_interval_s = min_refresh_interval_s
        self._max_stale_s = max_stale_s
        self._timeout_s = timeout_s
        self._now = monotonic
        self._keys: dict[str, jwt.PyJWK] = {}
        #: The JWKS entries behind ``_keys``, for members beyond the key (Bot Framework
        #: ``endorsements``).
        self._entries: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._last_attempt_failed = False
        self._lock = asyncio.Lock()
        #: Number of fetch attempts; read by tests and the bench.
        self.fetch_count = 0

    async def get_key(self, kid: str) -> jwt.PyJWK:
        if self._is_expired():
            await self._refresh_if(self._is_expired, reason="ttl")
        key = self._keys.get(kid)
        if key is not None:
            return key
        await self._refresh_if(lambda: kid not in self._keys, reason="unknown kid", forced=True)
        key = self._keys.get(kid)
        if key is None:
            log.info("token rejected: unknown signing key id %r", kid[:64])
            raise Unauthenticated(
                INVALID_TOKEN,
                why=f"the token's signing key is not one {self.issuer} publishes",
            )
        return key

    async def get_entry(self, kid: str) -> tuple[jwt.PyJWK, dict[str, Any]]:
        """The key and its whole JWKS entry (same refresh rules as :meth:`get_key`)."""
        key = await self.get_key(kid)
        return key, self._entries.get(kid, {})

    def _is_expired(self) -> bool:
        return self._fetched_at is None or self._now() - self._fetched_at >= self._ttl_s

    async def _refresh_if(
        self, still_needed: Callable[[], bool], *, reason: str, forced: bool = False
    ) -> None:
        """Refresh unless unnecessary or throttled. ``forced`` = for an unknown kid: stale keys
        cannot help then, so a failure is always :class:`IdentityProviderUnavailable`."""
        async with self._lock:
            # Another caller may have refreshed while this one waited for the lock.
            if not still_needed():
                return
            now = self._now()
            recent = (
                self._attempted_at is not None and now - self._attempted_at < self._min_interval_s
            )
            # Within the interval after an attempt, answer from what is known: no request.
            if recent and (forced or self._last_attempt_failed):
                if not self._last_attempt_failed:
                    return  # fresh keys were just fetched and the kid is not among them
                if not forced and self._stale_ok(now):
                    return
                raise IdentityProviderUnavailable(UNREACHABLE)
            self._attempted_at = now
            self.fetch_count += 1
            try:
                keys, entries = await self._fetch()
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                self._last_attempt_failed = True
                stale_ok = not forced and self._stale_ok(now)
                log.warning(
                    "JWKS refresh (%s) from %s failed: %s%s",
                    reason,
                    self.issuer,
                    exc,
                    "; serving cached keys" if stale_ok else "",
                )
                if stale_ok:
                    return
                raise IdentityProviderUnavailable(UNREACHABLE) from exc
            self._keys, self._entries = keys, entries
            self._fetched_at = now
            self._last_attempt_failed = False
            log.info("JWKS refreshed (%s) from %s: %d keys", reason, self.issuer, len(keys))

    def _stale_ok(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._max_stale_s

    async def _fetch(self) -> tuple[dict[str, jwt.PyJWK], dict[str, dict[str, Any]]]:
        meta = await self._get_json(self.metadata_url)
        if meta.get("issuer") != self.issuer:
            # A misconfigured authority/tenant; never trust keys published for another issuer.
            raise ValueError(f"metadata issuer {meta.get('issuer')!r} is not {self.issuer!r}")
        jwks_uri = meta["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise TypeError("jwks_uri is not a string")
        jwks = await self._get_json(jwks_uri)
        keys: dict[str, jwt.PyJWK] = {}
        entries: dict[str, dict[str, Any]] = {}
        for entry in jwks["keys"]:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA":
                continue
            kid = entry.get("kid")
            if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK(entry, algorithm=ALGORITHM)
                entries[kid] = entry
            except jwt.PyJWTError as exc:
                log.warning("skipping unusable JWKS key %r: %s", kid, exc)
        if not keys:
            raise ValueError("the JWKS holds no usable RSA signing key")
        return keys, entries

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._http.get(url, timeout=self._timeout_s)
        response.raise_for_status()
        doc = response.json()
        if not isinstance(doc, dict):
            raise TypeError(f"{url} did not return a JSON object")
        return doc


class EntraTokenValidator:
    """Validates Entra ID v2 access tokens for one tenant and a set of audiences.

    Multi-tenant apps are not supported: the issuer is the one tenant's exact issuer, and ``tid``
    must be that tenant. Checks: RS256 only, signature by a key of the tenant's JWKS, ``iss``,
    ``aud``, ``exp``/``nbf`` (60 s leeway), and the presence of ``oid`` and ``tid``.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        audiences: Sequence[str],
        http: httpx.AsyncClient,
        authority: str = DEFAULT_AUTHORITY,
        leeway_s: float = LEEWAY_S,
        jwks_ttl_s: float = 3600.0,
        min_refresh_interval_s: float = 60.0,
        max_stale_s: float = 86_400.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not tenant_id or not audiences:
            raise ValueError("tenant_id and at least one audience are required")
        self.tenant_id = tenant_id
        self.audiences = tuple(audiences)
        self.issuer = issuer_for(authority, tenant_id)
        self._leeway_s = leeway_s
        self.jwks = JwksCache(
            issuer=self.issuer,
            http=http,
            ttl_s=jwks_ttl_s,
            min_refresh_interval_s=min_refresh_interval_s,
            max_stale_s=max_stale_s,
            monotonic=monotonic,
        )

    async def validate(self, token: str) -> TokenClaims:
        # A compact JWS is ASCII (base64url and dots); anything else is not worth decoding.
        if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            _reject("empty, oversized or non-ASCII token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            _reject(f"malformed token: {exc}")
        alg = header.get("alg")
        if alg != ALGORITHM:
            _reject(f"algorithm {alg!r} is not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            _reject("no key id")
        key = await self.jwks.get_key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=self._leeway_s,
                options={"require": ["exp", "nbf", "iss", "aud", "oid", "tid"]},
            )
        except jwt.PyJWTError as exc:
            _reject(f"{type(exc).__name__}: {exc}", why=self._why(exc))
        if claims.get("tid") != self.tenant_id:
            _reject("tid is not the configured tenant", why="the token is for another tenant")
        try:
            return TokenClaims.model_validate(_known_claims(claims))
        except ValidationError as exc:
            _reject(f"claims of the wrong shape: {exc.error_count()} errors")

    def _why(self, exc: jwt.PyJWTError) -> str | None:
        if isinstance(exc, jwt.ExpiredSignatureError):
            return "the token has expired"
        if isinstance(exc, jwt.ImmatureSignatureError):
            return "the token is not valid yet (nbf is in the future)"
        if isinstance(exc, jwt.InvalidIssuerError):
            return f"the token's issuer is not {self.issuer}"
        if isinstance(exc, jwt.InvalidAudienceError):
            return f"the token's audience is not one of {', '.join(self.audiences)}"
        if isinstance(exc, jwt.MissingRequiredClaimError):
            return f"the token has no {exc.claim} claim"
        return None


def _known_claims(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k in TokenClaims.model_fields}


def _reject(reason: str, *, why: str | None = None) -> NoReturn:
    log.info("token rejected: %s", reason)
    raise Unauthenticated(INVALID_TOKEN, why=why)
