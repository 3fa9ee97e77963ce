"""Which references a team's configuration may hold: the one rule, used when saving and when paging.

A team object (a service, a route, an escalation policy, a schedule, a status page) may only
point at things of its *own* team: its escalation policy, schedules, outgoing webhooks and the
services a status page's components follow must have the same ``team_id``, a notified or
rotated team must be that team, and every person it names (policy
steps, schedule participants and overrides, imported calendar shifts) must be a member of it.
There is no cross-team sharing in the model; a person who belongs to two teams can be named by
both. Saving checks the rule (a 400 problem naming the field); the escalation activities check it
again for every target when they page, so a person removed from the team since is skipped with a
timeline line instead of being paged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shared.auth.documents import USERS
from shared.catalog.stored import SERVICES, TEAMS
from shared.errors import InvalidInput
from shared.store.port import DocumentStore

RefKind = Literal["policy", "schedule", "service", "team", "user", "webhook"]

#: The container holding each kind of referenced document. Policies, schedules and webhooks are
#: named here rather than imported from their owners, which build on catalog (they check their
#: own references through this module, or name services): importing them back would make the
#: packages a circle.
CONTAINERS: dict[RefKind, str] = {
    "policy": "escalation_policies",
    "schedule": "schedules",
    "service": SERVICES,
    "team": TEAMS,
    "user": USERS,
    "webhook": "webhooks",
}
NOUNS: dict[RefKind, str] = {
    "policy": "escalation policy",
    "schedule": "schedule",
    "service": "service",
    "team": "team",
    "user": "user",
    "webhook": "outgoing webhook",
}


@dataclass(frozen=True)
class Ref:
    """One reference a team object holds, and the request field it came from."""

    kind: RefKind
    id: str
    field: str


async def refusal(store: DocumentStore, team_id: str, ref: Ref) -> str | None:
    """Why an object of ``team_id`` may not hold ``ref`` (None: it may). One point read."""
    noun = NOUNS[ref.kind]
    if ref.kind == "team":
        # Teams are global documents, so "same team" is the id itself.
        return None if ref.id == team_id else f"{noun} {ref.id!r} is not team {team_id!r}"
    doc = await store.get(CONTAINERS[ref.kind], ref.id, ref.id)
    if doc is None:
        return f"{noun} {ref.id!r} does not exist"
    if ref.kind == "user":
        teams = doc.get("teams") or {}
        if team_id in teams:
            return None
        return f"{noun} {ref.id!r} is not a member of team {team_id!r}"
    if doc.get("team_id") == team_id:
        return None
    return f"{noun} {ref.id!r} belongs to another team"


async def check_references(store: DocumentStore, *, team_id: str, refs: Iterable[Ref]) -> None:
    """Raise :class:`InvalidInput` (400, naming the field) for the first reference an object of
    ``team_id`` may not hold. Repeated references are read once."""
    seen: set[tuple[RefKind, str]] = set()
    for ref in refs:
        if (ref.kind, ref.id) in seen:
            continue
        seen.add((ref.kind, ref.id))
        reason = await refusal(store, team_id, ref)
        if reason is not None:
            raise InvalidInput(
                f"{ref.field}: {reason}; a team's configuration may only use its own team's "
                "policies, schedules, webhooks and members.",
                field=ref.field,
                reference=ref.id,
            )


def policy_ref(policy_id: str | None, field: str = "escalation_policy_id") -> list[Ref]:
    return [Ref("policy", policy_id, field)] if policy_id else []
