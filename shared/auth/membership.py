"""Team membership: a person's role in a team, kept on their user record.

Both the team API (``shared.catalog``) and pending users (``shared.auth.pending``, a person
added by e-mail joins further teams) change memberships, so the write lives below both and
below the sign-in use cases of :mod:`shared.auth.service`.
"""

from __future__ import annotations

from datetime import datetime

from shared.auth.documents import USERS, user_doc
from shared.auth.models import TeamRole, User
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.store.codec import from_doc
from shared.store.port import DocumentStore
from shared.store.retry import RETRY, Retry, optimistic

#: Tries of the read-modify-write before a caller is told to try again.
WRITE_ATTEMPTS = 5


async def set_team_role(
    *,
    store: DocumentStore,
    user_id: str,
    team_id: str,
    role: TeamRole | None,
    now: datetime,
) -> User:
    """Make the user a member or admin of a team (``role``), or remove them (None). Idempotent.

    Memberships live on the user record because every request of that user reads it anyway;
    the team's member list is a query over ``users`` (``teams`` field), not a second copy."""
    if not team_id:
        raise InvalidInput("team_id must not be empty.", field="team_id")

    async def attempt(_: int) -> User | Retry:
        doc = await store.get(USERS, user_id, user_id)
        if doc is None:
            raise NotFound(f"There is no user {user_id!r}.", field="user_id")
        user = from_doc(User, doc)
        teams = dict(user.teams)
        if role is None:
            teams.pop(team_id, None)
        else:
            teams[team_id] = role
        if teams == user.teams:
            return user
        updated = user.model_copy(update={"teams": teams, "updated_at": now})
        try:
            await store.replace(USERS, user_doc(updated), if_match=doc["_etag"])
        except PreconditionFailed:
            return RETRY
        return updated

    return await optimistic(
        attempt,
        attempts=WRITE_ATTEMPTS,
        exhausted=lambda: Conflict(
            f"The user {user_id!r} is being changed concurrently; try again."
        ),
    )
