"""Development identity provider: Entra-ID-shaped OpenID metadata, JWKS and tokens for devhost.

The product validates these tokens with the same code as real Entra ID tokens
(``shared.auth.tokens``); only ``ENTRA_AUTHORITY`` points elsewhere:
``{base_url}/.devhost/idp``, so the issuer is ``{base_url}/.devhost/idp/{tenant}/v2.0`` and the
metadata lives where Entra ID keeps it, under ``{issuer}/.well-known/openid-configuration``.

Nothing here runs unless ``DEVHOST_IDP_ENABLED=true``. The RSA key is generated once per state
directory (``idp-signing-key.pem``, mode 0600) and shared by the server and the token command.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost.config import flag

log = logging.getLogger(__name__)

KEY_FILE = "idp-signing-key.pem"
IDP_PATH = "/.devhost/idp"
#: Stable namespace for object ids derived from e-mail addresses / app ids.
OID_NAMESPACE = uuid.UUID("7a4f0c2e-5d1b-4c8e-9f3a-0b6d2e8c1a47")
#: Tokens from ``az account get-access-token`` name the Azure CLI as the client (``azp``).
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
SHORT_ROLES = {"admin": "OpenAlert.Admin", "responder": "OpenAlert.Responder"}
SHORT_ROLES["viewer"] = "OpenAlert.Viewer"
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$")
#: What Entra ID signs with and what the product's validator accepts.
ALGORITHM = "RS256"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class IdpSite:
    """Where the IdP is served and what signs its tokens (see :func:`install`)."""

    key: rsa.RSAPrivateKey
    #: ``ENTRA_AUTHORITY``: what the API trusts, so the access tokens' issuer.
    api_authority: str
    #: ``{base}/.devhost/idp`` over http and, when enabled, https.
    http_authority: str
    https_authority: str | None
    #: ``ENTRA_CLIENT_ID``: the API's audience.
    audience: str
    tenant_of: Callable[[web.Request], str]

    def authority_for(self, request: web.Request) -> str:
        if request.secure and self.https_authority:
            return self.https_authority
        return self.http_authority


def cors_headers(request: web.Request) -> dict[str, str]:
    """CORS for a console on any loopback origin: the metadata GET and the token POST are
    cross-origin fetches from the browser (no preflight: MSAL sends no custom headers)."""
    origin = request.headers.get("Origin", "")
    try:
        parts = urlsplit(origin)
        host = parts.hostname
    except ValueError:
        return {}
    if parts.scheme in ("http", "https") and host in LOOPBACK and not parts.path:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def issuer_for(authority: str, tenant_id: str) -> str:
    """The v2 issuer of a single tenant, in Entra ID's shape (``{authority}/{tid}/v2.0``)."""
    return f"{authority.rstrip('/')}/{tenant_id}/v2.0"


def load_or_create_key(state_dir: Path) -> rsa.RSAPrivateKey:
    """The IdP signing key of ``state_dir``; created (2048-bit RSA, file mode 0600) on first use.

    Safe against a concurrent first use by the server and the token command: the key is
    written to a private temporary file and hard-linked into place, so exactly one wins.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / KEY_FILE
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = state_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process created it first; use theirs
        finally:
            tmp.unlink(missing_ok=True)
    os.chmod(path, 0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return loaded


def public_jwk(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The public key as a JWK with an RFC 7638 thumbprint as ``kid`` (stable per key)."""
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": kid, "n": jwk["n"], "e": jwk["e"]}


def install(
    web_app: web.Application,
    *,
    base_url: str,
    state_dir: Path,
    https_base_url: str | None = None,
) -> IdpSite | None:
    """Serve the IdP's OpenID metadata, JWKS and sign-in (``devhost.idp_oauth``) on ``web_app``
    if ``DEVHOST_IDP_ENABLED``.

    The product finds them only if ``ENTRA_AUTHORITY`` is ``{base_url}/.devhost/idp``; devhost
    sets that in the worker's environment when it picks the port. ``https_base_url`` is where
    the same application also listens with TLS (MSAL accepts only https authorities): metadata
    and ID tokens fetched there name that address as issuer. Returns what
    ``devhost.idp_oauth.install`` needs to add the sign-in endpoints (None when disabled).
    """
    # The environment, not the product's Settings: the IdP stands apart from the app it serves.
    if not flag(os.environ.get("DEVHOST_IDP_ENABLED"), False):
        log.info("development identity provider disabled (DEVHOST_IDP_ENABLED is not true)")
        return None
    base = base_url.rstrip("/")
    authority = base + IDP_PATH
    configured = os.environ.get("ENTRA_AUTHORITY") or DEFAULT_AUTHORITY
    if configured.rstrip("/") != authority:
        log.warning(
            "ENTRA_AUTHORITY is %r but the development identity provider is at %r; tokens it "
            "issues will be rejected",
            configured,
            authority,
        )
    jwks = {"keys": [public_jwk(load_or_create_key(state_dir))]}

    def tenant_of(request: web.Request) -> str:
        tenant = request.match_info["tenant"]
        if not _TENANT.match(tenant):
            raise web.HTTPNotFound()
        return tenant

    site = IdpSite(
        key=load_or_create_key(state_dir),
        api_authority=configured.rstrip("/"),
        http_authority=authority,
        https_authority=https_base_url.rstrip("/") + IDP_PATH if https_base_url else None,
        audience=os.environ.get("ENTRA_CLIENT_ID", ""),
        tenant_of=tenant_of,
    )

    async def metadata(request: web.Request) -> web.Response:
        tenant = tenant_of(request)
        served = site.authority_for(request)
        endpoints = f"{served}/{tenant}/oauth2/v2.0"
        return web.json_response(
            {
                "issuer": issuer_for(served, tenant),
                "jwks_uri": f"{served}/{tenant}/discovery/v2.0/keys",
                "authorization_endpoint": f"{endpoints}/authorize",
                "token_endpoint": f"{endpoints}/token",
                "end_session_endpoint": f"{endpoints}/logout",
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "subject_types_supported": ["pairwise"],
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "claims_supported": ["aud", "iss", "iat", "nbf", "exp", "oid", "tid", "roles"],
                "tenant_region_scope": "devhost",
            },
            headers=cors_headers(request),
        )

    async def keys(request: web.Request) -> web.Response:
        tenant_of(request)
        return web.json_response(
            jwks, headers={"Cache-Control": "max-age=3600", **cors_headers(request)}
        )

    web_app.router.add_get(IDP_PATH + "/{tenant}/v2.0/.well-known/openid-configuration", metadata)
    web_app.router.add_get(IDP_PATH + "/{tenant}/discovery/v2.0/keys", keys)
    log.info("development identity provider: issuer %s/<tenant>/v2.0", authority)
    return site


def user_oid(email: str) -> str:
    """A stable object id per e-mail address, so repeated tokens are the same user."""
    return str(uuid.uuid5(OID_NAMESPACE, "user:" + email.strip().lower()))


def app_oid(app_id: str) -> str:
    return str(uuid.uuid5(OID_NAMESPACE, "app:" + app_id.strip().lower()))


def role_claim(role: str) -> str:
    """``Admin`` -> ``OpenAlert.Admin``; any other role name is passed through unchanged."""
    return SHORT_ROLES.get(role.strip().lower(), role.strip())


def mint_token(
    key: rsa.RSAPrivateKey,
    *,
    issuer: str,
    tenant_id: str,
    audience: str,
    roles: list[str],
    minutes: float,
    email: str | None = None,
    name: str | None = None,
    app_id: str | None = None,
    now: float | None = None,
    oid: str | None = None,
    azp: str = AZURE_CLI_APP_ID,
) -> str:
    """A v2-shaped access token: a user token (``email`` given) or an app token (``app_id``)."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "aud": audience,
        "iss": issuer,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(minutes * 60),
        "tid": tenant_id,
        "roles": [role_claim(r) for r in roles],
        "uti": secrets.token_urlsafe(16),
        "ver": "2.0",
    }
    if app_id is not None:
        oid = app_oid(app_id)
        claims.update(azp=app_id, azpacr="1", idtyp="app", oid=oid, sub=oid)
    elif email is not None:
        # A person already in the store signs in as that record (its id is their oid).
        oid = oid or user_oid(email)
        claims.update(
            azp=azp,
            azpacr="0",
            name=name or default_name(email),
            oid=oid,
            preferred_username=email,
            email=email,
            scp="access_as_user",
            sub=base64.urlsafe_b64encode(hashlib.sha256(oid.encode()).digest()[:24]).decode(),
        )
    else:
        raise ValueError("either email or app_id is required")
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": public_jwk(key)["kid"]})


def default_name(email: str) -> str:
    return email.split("@", 1)[0].replace(".", " ").title()
