"""``python -m devhost token``: print a token from the development identity provider and,
with ``--team``, record the user's team roles in the configured store.

Kept apart from :mod:`devhost.idp` because recording memberships goes through the product's own
use cases (``shared.auth.service``), while the IdP itself must not depend on the product.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from devhost.idp import default_name, load_or_create_key, mint_token, user_oid
from shared.auth.models import TeamRole, TokenClaims
from shared.auth.tokens import issuer_for
from shared.config import Settings


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
            name=args.name or default_name(args.user),
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
