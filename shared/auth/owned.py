"""Team-owned documents: reading one by id, and listing the ones a caller may read.

Every domain that keeps documents with a ``team_id`` (services, integrations, escalation
policies, schedules, webhooks) lists them the same way: a caller sees the teams
:func:`~shared.auth.access.team_scope` gives them, and asking for one team needs the READ right
in it. The rule lives here once so no domain can list more than the caller may read.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from shared.auth.access import require, team_scope
from shared.auth.models import Action, Principal
from shared.errors import NotFound
from shared.store.codec import from_doc
from shared.store.port import Condition, Doc, DocumentStore, eq, in_

M = TypeVar("M", bound=BaseModel)


def new_id(kind: str) -> str:
    """A server-made id, ``<kind>-<random>``: ids are never taken from the caller."""
    return f"{kind}-{secrets.token_hex(8)}"


async def get_doc(store: DocumentStore, container: str, doc_id: str, what: str) -> Doc:
    """The document of a container partitioned by its own id, or NotFound naming ``what``."""
    doc = await store.get(container, doc_id, doc_id)
    if doc is None:
        raise NotFound(f"{what} {doc_id!r} does not exist.")
    return doc


def model_of(model: type[M], doc: Doc) -> M:
    return from_doc(model, {k: v for k, v in doc.items() if k != "pk"})


async def list_owned(
    store: DocumentStore,
    container: str,
    model: type[M],
    principal: Principal,
    *,
    team_id: str | None,
    where: Sequence[Condition] = (),
    limit: int,
    continuation: str | None,
    read: Callable[[Doc], M] | None = None,
) -> tuple[list[M], str | None]:
    """One page of ``container``'s documents of the teams the caller may read (of ``team_id``
    only when given, which needs READ there)."""
    scope = team_scope(principal, Action.READ)
    conditions = list(where)
    if team_id is not None:
        require(principal, Action.READ, [team_id])
        conditions.append(eq("team_id", team_id))
    elif not scope.all_teams:
        if not scope.team_ids:
            return [], None
        conditions.append(in_("team_id", sorted(scope.team_ids)))
    page = await store.query(container, where=conditions, limit=limit, continuation=continuation)
    if read is None:
        return [model_of(model, d) for d in page.items], page.continuation
    return [read(d) for d in page.items], page.continuation


async def list_documents(
    *,
    store: DocumentStore,
    principal: Principal,
    container: str,
    model: type[M],
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[M], str | None]:
    """Team-owned documents the caller may read (webhooks and the like)."""
    return await list_owned(
        store, container, model, principal, team_id=team_id, limit=limit, continuation=continuation
    )
