"""How authentication's records are stored in the document store.

Both containers (``shared.store.containers``) are partitioned by the document's own id
(``pk`` = ``id``): every hot-path access — the caller's user record, an API key by its id — is a
point read, and nothing needs a partition-wide query.

This module owns the ``users`` container for readers outside ``shared.auth``: they call
:func:`load_user`, :func:`load_user_label`, :func:`user_display_name`, :func:`user_exists`,
:func:`user_id_by_email` and :func:`list_users` (and, for a calendar link's token,
:func:`load_user_doc` and :func:`set_user_fields`), never the container by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.auth.models import ApiKey, User
from shared.errors import NotFound
from shared.store.codec import from_doc, to_doc
from shared.store.port import Doc, DocumentStore, eq

USERS = "users"
API_KEYS = "api_keys"


def user_doc(user: User) -> Doc:
    """``teams_list`` (the user's team ids) is a declared query field, so a team's members are
    ``query(USERS, where=[array_contains("teams_list", team_id)])``."""
    return to_doc(user, teams_list=sorted(user.teams))


def api_key_doc(key: ApiKey) -> Doc:
    """``owner_id`` (the creator) is a declared query field, for "my keys" lists."""
    return to_doc(key, owner_id=key.created_by)


async def load_user(store: DocumentStore, user_id: str) -> User | None:
    """The user record, or None for an id nobody has (yet)."""
    doc = await store.get(USERS, user_id, user_id)
    return from_doc(User, doc) if doc is not None else None


@dataclass(frozen=True)
class UserLabel:
    """How a person is shown: read without validating the whole record, so a name on a page or
    a timeline line never fails on a field only sign-in cares about."""

    name: str
    email: str | None


async def load_user_label(store: DocumentStore, user_id: str) -> UserLabel | None:
    doc = await store.get(USERS, user_id, user_id)
    if doc is None:
        return None
    return UserLabel(name=str(doc.get("name") or ""), email=doc.get("email"))


async def user_display_name(store: DocumentStore, user_id: str) -> str:
    """A person as messages name them: name, else e-mail, else id."""
    label = await load_user_label(store, user_id)
    return (label.name or label.email or user_id) if label else user_id


async def user_exists(store: DocumentStore, user_id: str) -> bool:
    return await store.get(USERS, user_id, user_id) is not None


async def user_id_by_email(store: DocumentStore, email: str) -> str | None:
    """The id of the user with this e-mail (stored lower-case), or None."""
    page = await store.query(USERS, where=[eq("email", email.lower())], limit=1)
    return str(page.items[0]["id"]) if page.items else None


async def list_users(
    store: DocumentStore, *, limit: int, continuation: str | None
) -> tuple[list[User], str | None]:
    """One page of everyone, in the store's order."""
    page = await store.query(USERS, limit=limit, continuation=continuation)
    return [from_doc(User, d) for d in page.items], page.continuation


async def load_user_doc(store: DocumentStore, user_id: str) -> Doc | None:
    """The stored record as it is, for a reader that checks a stored field before trusting the
    record (a calendar link's token hash)."""
    return await store.get(USERS, user_id, user_id)


async def set_user_fields(store: DocumentStore, user_id: str, fields: Doc) -> None:
    """Set ``fields`` on the stored record, guarded by the ETag of the read it changes (a
    concurrent write is :class:`~shared.errors.PreconditionFailed`); NotFound without one."""
    doc = await store.get(USERS, user_id, user_id)
    if doc is None:
        raise NotFound(f"User {user_id!r} does not exist.")
    await store.replace(USERS, {**doc, **fields}, if_match=doc["_etag"])


async def put_user(store: DocumentStore, user: User) -> None:
    """Write the record as it is, created or replaced without an ETag guard (seeding only:
    people are provisioned on sign-in by :mod:`shared.auth.service`)."""
    await store.upsert(USERS, user_doc(user))
