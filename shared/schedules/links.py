"""Secret calendar links: the one way a subscription token is issued and checked.

A link is ``.../{id}/{token}.ics``; the store keeps only ``ical_token_hash`` (SHA-256 of the
token) on the schedule or user document, so a leaked store does not leak working links, and
issuing a new token makes the old link stop working. An unknown id and a wrong token answer the
same :class:`NotFound`, so links cannot be probed."""

from __future__ import annotations

import secrets

from shared.auth.documents import load_user_doc, set_user_fields
from shared.auth.models import User
from shared.auth.secret_hash import secret_hash, secret_matches
from shared.errors import NotFound
from shared.store.codec import from_doc
from shared.store.port import Doc, DocumentStore

#: The field holding the token's digest, on schedule and user documents alike.
TOKEN_HASH = "ical_token_hash"


def new_token() -> tuple[str, str]:
    """A fresh token and the digest to store for it."""
    token = secrets.token_urlsafe(24)
    return token, secret_hash(token)


def check_token(doc: Doc | None, token: str) -> Doc:
    """``doc`` if ``token`` opens it; otherwise the same NotFound as an unknown id."""
    if doc is None or not secret_matches(token, str(doc.get(TOKEN_HASH) or "")):
        raise NotFound("No such calendar.")
    return doc


async def issue_user_link(*, store: DocumentStore, user_id: str) -> str:
    """A new token for the person's own calendar (the previous link stops working)."""
    token, digest = new_token()
    await set_user_fields(store, user_id, {TOKEN_HASH: digest})
    return token


async def user_for_link(*, store: DocumentStore, user_id: str, token: str) -> User:
    """The person whose calendar link this is."""
    doc = check_token(await load_user_doc(store, user_id), token)
    return from_doc(User, doc)
