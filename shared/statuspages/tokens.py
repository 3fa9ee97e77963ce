"""Signed subscriber tokens: the confirm link of a double opt-in and the one-click unsubscribe
link. Pure (HMAC-SHA256 over the claims; no store).

A token is ``<claims>.<mac>``, both base64url without padding. The claims name the page, the
subscriber (whose id is a hash of page and normalised address, :func:`subscriber_id`), the
purpose and an expiry; the MAC covers all of them under the ``STATUS_TOKEN_SECRET`` app setting.
So a token cannot be made without the secret, nor used for another page, another address or
the other purpose: changing any claim breaks the MAC. Replaying a token for its own address is
harmless: confirming twice or unsubscribing twice changes nothing the second time.

Confirm tokens expire after 7 days (an unanswered sign-up lapses); unsubscribe tokens after
400 days, so the link in any e-mail a subscriber still has keeps working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Literal

from shared.errors import InvalidInput, Unavailable

Purpose = Literal["confirm", "unsubscribe"]
LIFETIME: dict[Purpose, timedelta] = {
    "confirm": timedelta(days=7),
    "unsubscribe": timedelta(days=400),
}
#: Shortest secret accepted: 32 bytes of entropy as base64 is 43 characters.
MIN_SECRET_CHARS = 32
MAX_TOKEN_CHARS = 600


class BadToken(InvalidInput):
    type_slug = "status-token-invalid"
    title = "Invalid or expired link"


class TokensOff(Unavailable):
    type_slug = "status-subscriptions-off"
    title = "Subscriptions are not configured"


def check_secret(secret: str) -> bytes:
    """The HMAC key, or :class:`TokensOff` when the setting is unusable: empty, short, or an
    unresolved Key Vault reference (App Service leaves the reference text in the setting when it
    cannot resolve it, and that text is no secret)."""
    if len(secret) < MIN_SECRET_CHARS or secret.startswith("@Microsoft.KeyVault("):
        raise TokensOff("STATUS_TOKEN_SECRET is not set to a secret of 32 or more characters.")
    return secret.encode()


def normalise_address(email: str) -> str:
    return email.strip().lower()


def subscriber_id(page_id: str, email: str) -> str:
    """The subscriber document id for an address on a page (stable, not the address itself)."""
    digest = hashlib.sha256(f"{page_id}\n{normalise_address(email)}".encode()).hexdigest()
    return f"sub-{digest[:32]}"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, claims: str) -> str:
    return _b64(hmac.new(key, claims.encode(), hashlib.sha256).digest())


def issue(*, secret: str, page_id: str, email: str, purpose: Purpose, now: datetime) -> str:
    key = check_secret(secret)
    claims = {
        "p": page_id,
        "s": subscriber_id(page_id, email),
        "u": purpose,
        "x": int((now + LIFETIME[purpose]).timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(key, body)}"


def verify(*, secret: str, token: str, page_id: str, purpose: Purpose, now: datetime) -> str:
    """The subscriber id the token was issued for; :class:`BadToken` when it was not issued
    by us for this page and purpose, or has expired."""
    key = check_secret(secret)
    bad = BadToken("This link is not valid (or has expired).", field="token")
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise bad
    body, mac = token.split(".")
    if not hmac.compare_digest(_mac(key, body).encode(), mac.encode()):
        raise bad
    try:
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(claims, dict):
        raise bad
    expiry = claims.get("x")
    if (
        claims.get("p") != page_id
        or claims.get("u") != purpose
        or not isinstance(claims.get("s"), str)
        or type(expiry) is not int
        or expiry < now.timestamp()
    ):
        raise bad
    return str(claims["s"])
