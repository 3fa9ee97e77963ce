"""Pending users: people added by e-mail before their first sign-in, so schedules can name
them before everyone has logged in. The first Entra sign-in with that e-mail claims the pending
record: the person keeps its team memberships, and every schedule reference moves to their
real id (the Entra object id)."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from shared.auth.documents import USERS, user_doc
from shared.auth.membership import set_team_role
from shared.auth.models import TeamRole, User
from shared.schedules.rename import rename_person
from shared.store.codec import from_doc
from shared.store.port import Conflict, DocumentStore, eq

log = logging.getLogger(__name__)

PREFIX = "pending-"


def pending_id(email: str) -> str:
    return PREFIX + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]


async def by_email(store: DocumentStore, email: str) -> User | None:
    """The user (signed in or pending) with this e-mail, if any."""
    page = await store.query(USERS, where=[eq("email", email.strip().lower())], limit=1)
    if page.items:
        return from_doc(User, page.items[0])
    doc = await store.get(USERS, pending_id(email), pending_id(email))
    return from_doc(User, doc) if doc else None


async def add_pending_user(
    *, store: DocumentStore, email: str, name: str, team_id: str, now: datetime
) -> User:
    """The person with this e-mail, a member of ``team_id``: a pending record if nobody with
    it has signed in yet. Idempotent; a role the person already holds in the team is kept.

    Someone already known (signed in, or added by another team) joins ``team_id`` as well: the
    answer is what the caller will name in that team's schedules, which accept only members."""
    known = await by_email(store, email)
    if known is not None:
        if team_id in known.teams:
            return known
        return await set_team_role(
            store=store, user_id=known.id, team_id=team_id, role=TeamRole.MEMBER, now=now
        )
    user = User(
        id=pending_id(email),
        tenant_id="",
        name=name or email,
        email=email.strip().lower(),
        teams={team_id: TeamRole.MEMBER},
        pending=True,
        created_at=now,
        updated_at=now,
        last_seen_at=now,
    )
    try:
        await store.create(USERS, user_doc(user))
    except Conflict:
        pass  # added concurrently: the same record
    return user


async def claim(store: DocumentStore, email: str | None) -> User | None:
    """At a first sign-in: the pending record for this e-mail, removed once its references
    have moved (the caller creates the real user with its teams first)."""
    if not email:
        return None
    doc = await store.get(USERS, pending_id(email), pending_id(email))
    return from_doc(User, doc) if doc else None


async def finish_claim(store: DocumentStore, pending: User, user: User) -> None:
    await rename_person(store, pending.id, user.id)
    await store.delete(USERS, pending.id, pending.id)
    log.info("user %s claimed pending user %s", user.id, pending.id)
