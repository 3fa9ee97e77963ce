"""Development identity provider: Entra-ID-shaped OpenID metadata, JWKS and tokens for devhost.

The product validates these tokens with the same code as real Entra ID tokens
(``shared.auth.tokens``); only ``ENTRA_AUTHORITY`` points elsewhere:
``{base_url}/.devhost/idp``, so the issuer is ``{base_url}/.devhost/idp/{tenant}/v2.0`` and the
metadata lives where Entra ID keeps it, under ``{issuer}/.well-known/openid-configuration``.

Nothing here runs unless ``DEVHOST_IDP_ENABLED=true``. The RSA key is generated once per state
directory (``idp-signing-key.pem``, mode 0600) and shared by the server and the token command.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import logging
import os
import re
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.models import TeamRole, TokenClaims
from shared.auth.tokens import ALGORITHM, issuer_for
from shared.config import Settings

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


def install(web_app: web.Application, *, base_url: str, state_dir: Path) -> None:
    """Serve the IdP's OpenID metadata and JWKS on ``web_app`` if ``DEVHOST_IDP_ENABLED``.

    The product finds them only if ``ENTRA_AUTHORITY`` is ``{base_url}/.devhost/idp``; devhost
    sets that in the worker's environment when it picks the port.
    """
    settings = Settings()
    if not settings.DEVHOST_IDP_ENABLED:
        log.info("development identity provider disabled (DEVHOST_IDP_ENABLED is not true)")
        return
    base = base_url.rstrip("/")
    authority = base + IDP_PATH
    if settings.ENTRA_AUTHORITY.rstrip("/") != authority:
        log.warning(
            "ENTRA_AUTHORITY is %r but the development identity provider is at %r; tokens it "
            "issues will be rejected",
            settings.ENTRA_AUTHORITY,
            authority,
        )
    jwks = {"keys": [public_jwk(load_or_create_key(state_dir))]}

    def tenant_of(request: web.Request) -> str:
        tenant = request.match_info["tenant"]
        if not _TENANT.match(tenant):
            raise web.HTTPNotFound()
        return tenant

    async def metadata(request: web.Request) -> web.Response:
        tenant = tenant_of(request)
        issuer = issuer_for(authority, tenant)
        return web.json_response(
            {
                "issuer": issuer,
                "jwks_uri": f"{authority}/{tenant}/discovery/v2.0/keys",
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "subject_types_supported": ["pairwise"],
                "response_types_supported": ["token"],
                "claims_supported": ["aud", "iss", "iat", "nbf", "exp", "oid", "tid", "roles"],
                "tenant_region_scope": "devhost",
            }
        )

    async def keys(request: web.Request) -> web.Response:
        tenant_of(request)
        return web.json_response(jwks, headers={"Cache-Control": "max-age=3600"})

    web_app.router.add_get(IDP_PATH + "/{tenant}/v2.0/.well-known/openid-configuration", metadata)
    web_app.router.add_get(IDP_PATH + "/{tenant}/discovery/v2.0/keys", keys)
    log.info("development identity provider: issuer %s/<tenant>/v2.0", authority)


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
        oid = user_oid(email)
        claims.update(
            azp=AZURE_CLI_APP_ID,
            azpacr="0",
            name=name or _default_name(email),
            oid=oid,
            preferred_username=email,
            email=email,
            scp="access_as_user",
            sub=base64.urlsafe_b64encode(hashlib.sha256(oid.encode()).digest()[:24]).decode(),
        )
    else:
        raise ValueError("either email or app_id is required")
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": public_jwk(key)["kid"]})


def _default_name(email: str) -> str:
    return email.split("@", 1)[0].replace(".", " ").title()


def _local_settings(path: Path) -> Settings:
    """Settings as devhost would see them: ``local.settings.json`` Values, except that
    variables already in the environment win (the Core Tools rule)."""
    values: dict[str, Any] = {}
    if not path.exists() and path.name == "local.settings.json":
        path = path.with_name("local.settings.example.json")  # devhost's fallback too
    if path.exists():
        doc = json.loads(path.read_text(encoding="utf-8"))
        values = {
            k: v
            for k, v in doc.get("Values", {}).items()
            if k in Settings.model_fields and k not in os.environ
        }
    return Settings.model_validate(values)


def token_main(argv: list[str]) -> int:
    """``python -m devhost token --user alice@example.com --role Admin``: print a signed token."""
    parser = argparse.ArgumentParser(
        prog="python -m devhost token",
        description="Print an access token from the development identity provider.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="e-mail address of the user the token is for")
    who.add_argument("--app", metavar="APP_ID", help="issue an application (client) token")
    parser.add_argument("--name", help="display name (default: from the e-mail address)")
    parser.add_argument(
        "--role",
        action="append",
        default=[],
        help="Admin, Responder, Viewer (-> OpenAlert.<Role>) or any app role; repeatable",
    )
    parser.add_argument(
        "--team",
        action="append",
        default=[],
        metavar="TEAM[:admin]",
        help="make the user a member (or admin) of a team in the configured store; repeatable",
    )
    parser.add_argument("--minutes", type=float, default=60.0, help="lifetime (default 60)")
    parser.add_argument("--state", type=Path, default=Path(".devhost"), help="devhost state dir")
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("local.settings.json"),
        help="local settings file (default local.settings.json, else the example)",
    )
    parser.add_argument(
        "--authority", help="override ENTRA_AUTHORITY (e.g. http://localhost:7072/.devhost/idp)"
    )
    args = parser.parse_args(argv)

    settings = _local_settings(args.settings)
    if not settings.DEVHOST_IDP_ENABLED:
        print("DEVHOST_IDP_ENABLED is not true in " + str(args.settings), file=sys.stderr)
        return 2
    if not settings.ENTRA_TENANT_ID or not settings.ENTRA_CLIENT_ID:
        print("ENTRA_TENANT_ID and ENTRA_CLIENT_ID must be set", file=sys.stderr)
        return 2
    if args.minutes <= 0 or args.minutes > 24 * 60:
        print("--minutes must be in (0, 1440]", file=sys.stderr)
        return 2
    if args.team and args.user is None:
        print("--team applies to --user tokens only", file=sys.stderr)
        return 2
    authority = args.authority or settings.ENTRA_AUTHORITY
    key = load_or_create_key(args.state)
    token = mint_token(
        key,
        issuer=issuer_for(authority, settings.ENTRA_TENANT_ID),
        tenant_id=settings.ENTRA_TENANT_ID,
        audience=settings.ENTRA_CLIENT_ID,
        roles=args.role,
        minutes=args.minutes,
        email=args.user,
        name=args.name,
        app_id=args.app,
    )
    if args.team:
        try:
            memberships = [_parse_team(t) for t in args.team]
        except ValueError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        claims = TokenClaims(
            oid=user_oid(args.user),
            tid=settings.ENTRA_TENANT_ID,
            name=args.name or _default_name(args.user),
            email=args.user,
        )
        asyncio.run(_record_memberships(settings, claims, memberships))
    print(token)
    return 0


def _parse_team(spec: str) -> tuple[str, TeamRole]:
    team_id, _, role = spec.partition(":")
    if not team_id:
        raise ValueError(f"--team {spec!r}: expected TEAM or TEAM:admin or TEAM:member")
    try:
        return team_id, TeamRole(role or TeamRole.MEMBER.value)
    except ValueError:
        raise ValueError(f"--team {spec!r}: the role must be 'admin' or 'member'") from None


async def _record_memberships(
    settings: Settings, claims: TokenClaims, memberships: list[tuple[str, TeamRole]]
) -> None:
    """Write the user and their team roles to the configured store through the same use cases
    the management API uses, so the token is usable with team rights at once."""
    from shared.auth import service
    from shared.store.factory import open_store

    store = await open_store(settings)
    try:
        now = service.utc_now()
        await service.provision_user(store=store, claims=claims, now=now)
        for team_id, role in memberships:
            await service.set_team_role(
                store=store, user_id=claims.oid, team_id=team_id, role=role, now=now
            )
    finally:
        await store.close()
