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
from shared.errors import InvalidInput
from shared.escalation.models import (
    CallWebhook,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicyBody,
)
from shared.schedules.models import Layer, Override
from shared.schedules.stored import SCHEDULES
from shared.store.port import DocumentStore

RefKind = Literal["policy", "schedule", "service", "team", "user", "webhook"]

#: The container holding each kind of referenced document.
CONTAINERS: dict[RefKind, str] = {
    "policy": "escalation_policies",
    "schedule": SCHEDULES,
    "service": "services",
    "team": "teams",
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


def step_refs(step: object, field: str) -> list[Ref]:
    """The references one escalation step holds."""
    if isinstance(step, NotifyUsers):
        return [Ref("user", u, f"{field}.user_ids.{i}") for i, u in enumerate(step.user_ids)]
    if isinstance(step, NotifySchedule):
        return [Ref("schedule", step.schedule_id, f"{field}.schedule_id")]
    if isinstance(step, NotifyTeam | NotifyRoundRobin):
        return [Ref("team", step.team_id, f"{field}.team_id")]
    if isinstance(step, CallWebhook):
        return [Ref("webhook", step.webhook_id, f"{field}.webhook_id")]
    return []


def policy_refs(body: PolicyBody) -> list[Ref]:
    return [ref for i, step in enumerate(body.steps) for ref in step_refs(step, f"steps.{i}")]


def schedule_refs(layers: Iterable[Layer], overrides: Iterable[Override]) -> list[Ref]:
    """The people a schedule names: layer participants and override takers."""
    refs = [
        Ref("user", user_id, f"layers.{i}.participants.{j}")
        for i, layer in enumerate(layers)
        for j, user_id in enumerate(layer.participants)
    ]
    refs += [Ref("user", o.user, f"overrides.{k}.user") for k, o in enumerate(overrides)]
    return refs
