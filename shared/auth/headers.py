"""Parsers for credential-carrying headers (RFC 9110 ``Authorization``, RFC 7617 Basic).

Every parser takes arbitrary client input and raises only
:class:`~shared.errors.Unauthenticated`: a malformed credential is a missing credential.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from shared.errors import Unauthenticated

#: Longest Authorization value accepted (an Entra token is ~1.5-3 KB).
MAX_AUTHORIZATION_CHARS = 16_384

MALFORMED = "The Authorization header is malformed."


def get_header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup over any mapping (the Functions request headers already
    are case-insensitive; plain dicts from tests and devhost may not be)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def parse_authorization(value: str | None) -> tuple[str, str] | None:
    """``(scheme in lower case, credentials)``, or None when there is no header."""
    if value is None or not value.strip():
        return None
    if len(value) > MAX_AUTHORIZATION_CHARS:
        raise Unauthenticated(MALFORMED)
    scheme, _, credentials = value.strip().partition(" ")
    credentials = credentials.strip()
    if not scheme or not credentials or not scheme.isascii() or not scheme.isalnum():
        raise Unauthenticated(MALFORMED)
    return scheme.lower(), credentials


def bearer_token(value: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when the header is absent or uses
    another scheme."""
    parsed = parse_authorization(value)
    if parsed is None or parsed[0] != "bearer":
        return None
    return parsed[1]


def required_bearer(value: str | None, refusal: str) -> str:
    """The token of ``Authorization: Bearer <token>``; ``Unauthenticated(refusal)`` when the
    header is absent, malformed or of another scheme (for endpoints that take only a bearer
    token and say whose)."""
    try:
        token = bearer_token(value)
    except Unauthenticated:
        token = None
    if token is None:
        raise Unauthenticated(refusal)
    return token


def basic_credentials(credentials: str) -> tuple[str, str]:
    """``(user, password)`` from the base64 part of ``Authorization: Basic ...``."""
    try:
        raw = base64.b64decode(credentials.encode("ascii"), validate=True)
        text = raw.decode("utf-8")
    except (UnicodeError, binascii.Error, ValueError) as exc:
        raise Unauthenticated(MALFORMED) from exc
    user, sep, password = text.partition(":")
    if not sep:
        raise Unauthenticated(MALFORMED)
    return user, password
