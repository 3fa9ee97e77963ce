""" "Who would be paged, and when": a policy (saved, or a body not yet saved) run forward from a
chosen moment without paging anyone.

The walk is the engine's own: :func:`~shared.escalation.plan.plan_step` decides each step, the
waits and time windows move the clock as the orchestrator's timers would, and each notify step's
people are resolved as the activity resolves them *at the moment that step fires* (schedules on
call then, the same team-boundary checks, people who left the team skipped with the reason).
Round-robin shows whose turn comes next without taking it. Each person's contact methods and
delays come from their notification rules (:mod:`shared.notifications.preview`).

Nobody acknowledges in a preview, so it shows the whole policy, repeats included; an alert-count
condition is taken as met (the note says so), since the count depends on alerts yet to come.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel, Field

from shared.auth.access import require
from shared.auth.documents import user_display_name
from shared.auth.models import Action, Principal
from shared.catalog.references import check_references
from shared.escalation import policies
from shared.escalation.boundaries import permitted, policy_refs, step_refusal
from shared.escalation.models import (
    AlertCountCondition,
    CallWebhook,
    Cursor,
    NotifyRoundRobin,
    NotifyTeam,
    PolicyBody,
    PolicySnapshot,
    PostToChannel,
    ResolveIncident,
)
from shared.escalation.plan import NeedAlertCount, NotifyStep, plan_step
from shared.escalation.targets import next_round_robin, resolve_targets
from shared.notifications.contacts import contact_methods, get_rules
from shared.notifications.models import ContactMethod, NotificationRules
from shared.notifications.preview import PersonPlan, person_plan
from shared.schedules import limits, stored
from shared.store.port import DocumentStore

#: Steps a preview walks at most (50 steps repeated 10 times would be 550).
MAX_FIRED = 100
#: People shown per step with their plans (a team step pages up to 500).
MAX_PEOPLE = 25


class PagedPerson(BaseModel):
    user_id: str
    name: str
    plan: PersonPlan


class FiredStep(BaseModel):
    #: 1-based, as the timeline numbers steps.
    step: int
    type: str
    at: datetime
    #: 0 for the first pass, n after the n-th repeat.
    round: int
    people: list[PagedPerson] = Field(default_factory=list)
    #: People beyond the first 25 (paged too, not detailed here).
    more_people: int = 0
    #: Why someone (or the whole step) would not be paged.
    skipped: list[str] = Field(default_factory=list)
    target: str | None = Field(default=None, description="The channel or webhook id it posts to.")


class PolicyPreview(BaseModel):
    at: datetime
    policy_id: str | None
    version: int | None
    fired: list[FiredStep]
    #: The walk's reasoning, in order: waits, windows, repeats, where it stops.
    notes: list[str]
    #: True when the walk stopped at 100 steps before the policy ended.
    truncated: bool = False


class _Turns:
    """Round-robin turns a preview would take: the next one of each team, then the one after."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.taken: dict[str, int] = {}

    async def next(self, team_id: str) -> list[str]:
        skip = self.taken.get(team_id, 0)
        self.taken[team_id] = skip + 1
        return await next_round_robin(self.store, team_id, skip=skip)


async def _targets(
    store: DocumentStore, team_id: str, step: NotifyStep, at: datetime, turns: _Turns
) -> tuple[list[str], list[str]]:
    """As the notify activity resolves them: ``(paged, reasons others are not)``."""
    reason = await step_refusal(store, team_id, step)
    if reason is not None:
        return [], [reason]
    if isinstance(step, NotifyRoundRobin):
        return await turns.next(step.team_id), []
    if isinstance(step, NotifyTeam):
        # The team's own members by construction, as the activity takes them.
        return await resolve_targets(store, step, at), []
    try:
        resolved = await resolve_targets(store, step, at)
    except (stored.NeedsRepair, limits.ScheduleTooComplex) as exc:
        return [], [f"the schedule could not be resolved: {exc.detail}"]
    return await permitted(store, team_id, resolved)


Prefs = tuple[str, NotificationRules | None, list[ContactMethod]]


async def _people(
    store: DocumentStore,
    user_ids: list[str],
    step: NotifyStep,
    at: datetime,
    known: dict[str, Prefs],
) -> list[PagedPerson]:
    """Each person's plan; ``known`` keeps what was read of them for the rest of the walk."""
    out = []
    for user_id in user_ids[:MAX_PEOPLE]:
        if user_id not in known:
            known[user_id] = (
                await user_display_name(store, user_id),
                await get_rules(store, user_id),
                await contact_methods(store, user_id),
            )
        name, rules, methods = known[user_id]
        # Quiet hours are found minute by minute (milliseconds each): off the event loop.
        plan = await asyncio.to_thread(person_plan, rules, methods, step.importance, at)
        out.append(PagedPerson(user_id=user_id, name=name, plan=plan))
    return out


async def walk(
    store: DocumentStore, snapshot: PolicySnapshot, at: datetime
) -> tuple[list[FiredStep], list[str], bool]:
    """Run the policy forward from ``at``: (fired steps, notes, truncated)."""
    fired: list[FiredStep] = []
    notes: list[str] = []
    turns = _Turns(store)
    known: dict[str, Prefs] = {}
    cursor: Cursor | None = Cursor()
    now = at
    count: int | None = None
    # Each pass fires a step or moves the clock; the bound only guards against a policy shape
    # the engine's validation has not met yet.
    for _ in range(10 * MAX_FIRED):
        if cursor is None:
            return fired, notes, False
        result = plan_step(snapshot, cursor, now=now, alerts_in_window=count)
        count = None
        if isinstance(result, NeedAlertCount):
            step = snapshot.steps[cursor.position]
            assert isinstance(step, AlertCountCondition)
            notes.append(
                f"step {cursor.position + 1}: continues only if more than {step.threshold} "
                f"alert(s) arrive in {step.window_minutes:g} min (taken as met here)"
            )
            count = step.threshold + 1
            continue
        for effect in result.effects:
            if len(fired) >= MAX_FIRED:
                return fired, notes, True
            line = FiredStep(
                step=effect.position + 1,
                type=effect.step.type,
                at=now,
                round=cursor.repeats_done,
            )
            if isinstance(effect.step, PostToChannel):
                line.target = effect.step.channel_id
            elif isinstance(effect.step, CallWebhook):
                line.target = effect.step.webhook_id
            elif not isinstance(effect.step, ResolveIncident):
                paged, line.skipped = await _targets(
                    store, snapshot.team_id, effect.step, now, turns
                )
                line.people = await _people(store, paged, effect.step, now, known)
                line.more_people = max(0, len(paged) - MAX_PEOPLE)
            fired.append(line)
        notes.extend(result.notes)
        cursor = result.next
        if result.wait_until is not None:
            now = result.wait_until
        # A repeat comes back with the cursor at the start and the repeat counted.
    return fired, notes, True


def _snapshot(
    body: PolicyBody, policy_id: str | None, version: int | None, at: datetime
) -> PolicySnapshot:
    return PolicySnapshot(
        policy_id=policy_id or "preview",
        policy_version=version or 1,
        incident_id="preview",
        incident_number=0,
        team_id=body.team_id,
        severity="P1",
        steps=body.steps,
        ack_timeout_minutes=body.ack_timeout_minutes,
        source_acks_count=body.source_acks_count,
        frozen_at=at,
    )


async def preview(
    *,
    store: DocumentStore,
    principal: Principal,
    at: datetime,
    policy_id: str | None = None,
    body: PolicyBody | None = None,
) -> PolicyPreview:
    """A saved policy (read right on its team) or an unsaved body (the rights and checks a save
    needs), walked from ``at``."""
    version: int | None = None
    if body is None:
        assert policy_id is not None
        policy, _ = await policies.get_policy(store=store, principal=principal, policy_id=policy_id)
        body, version = policy, policy.version
    else:
        require(principal, Action.CONFIGURE, [body.team_id])
        await check_references(store, team_id=body.team_id, refs=policy_refs(body))
    fired, notes, truncated = await walk(store, _snapshot(body, policy_id, version, at), at)
    return PolicyPreview(
        at=at, policy_id=policy_id, version=version, fired=fired, notes=notes, truncated=truncated
    )
