"""Team boundaries when paging: which of a step's targets an incident's team may still page.

Policies are checked when saved (the references :func:`policy_refs` lists, against the rule in
:mod:`shared.catalog.references`), but a running escalation
pages from a snapshot frozen when the incident opened, and memberships change in between. The
activities therefore apply the same rule again, target by target, and skip (with a reason for
the timeline) whatever the team may no longer use.
"""

from __future__ import annotations

from shared.catalog.references import Ref, refusal
from shared.escalation.models import (
    CallWebhook,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    PolicyBody,
)
from shared.store.port import DocumentStore


async def permitted(
    store: DocumentStore, team_id: str, user_ids: list[str]
) -> tuple[list[str], list[str]]:
    """``(may be paged, why the others may not)`` for an incident of ``team_id``: one point read
    per person."""
    allowed: list[str] = []
    skipped: list[str] = []
    for user_id in user_ids:
        reason = await refusal(store, team_id, Ref("user", user_id, "user"))
        if reason is None:
            allowed.append(user_id)
        else:
            skipped.append(reason)
    return allowed, skipped


async def step_refusal(
    store: DocumentStore,
    team_id: str,
    step: NotifyUsers | NotifySchedule | NotifyTeam | NotifyRoundRobin,
) -> str | None:
    """Why the step's schedule or team may not be used for an incident of ``team_id``."""
    if isinstance(step, NotifySchedule):
        return await refusal(store, team_id, Ref("schedule", step.schedule_id, "schedule_id"))
    if isinstance(step, NotifyTeam | NotifyRoundRobin):
        return await refusal(store, team_id, Ref("team", step.team_id, "team_id"))
    return None


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
