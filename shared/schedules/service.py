"""Schedule use cases: create, read, list, update, delete; the minute handoff run; shift swaps.

Writes check ``Action.CONFIGURE`` on the owning team(s) — moving a schedule to another team
needs the right on both — and reads check ``Action.READ``. Overrides and swaps have their own
endpoints (``shared.schedules.overrides`` and below), so an edit of the layers keeps them.

``run_handoffs`` loads every schedule and its last recorded on-call state, calls the pure
:func:`~shared.schedules.handoff.plan_handoffs`, writes the new state with the state document's
ETag (two overlapping runs: the loser skips that schedule, the winner's notices stand), and
returns notification jobs. Every notice carries the planner's deterministic idempotency key, so
a re-run minute, a redelivered timer or a lost ETag race never sends one twice (the delivery
side deduplicates on the key).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from shared.auth.access import require
from shared.auth.models import Action, Principal, TeamRole, User
from shared.auth.owned import list_owned, new_id
from shared.auth.service import list_team_members
from shared.catalog.references import Ref, check_references, refusal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from shared.schedules import limits, links, stored
from shared.schedules.handoff import Handoff, Intent, ScheduleState, plan_handoffs
from shared.schedules.ical import export_shifts
from shared.schedules.models import OnCall, Override, Schedule, ScheduleBody, Shift, ShiftSwap
from shared.schedules.overrides import change, with_overrides
from shared.schedules.people import layer_people, names, require_people, schedule_refs
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

STATE = "oncall_state"
#: Longest range ``/schedules/{id}/final`` computes (a quarter): bounded work per request.
MAX_FINAL_RANGE = timedelta(days=93)


# --- CRUD ------------------------------------------------------------------------------------
async def create_schedule(
    *, store: DocumentStore, principal: Principal, body: ScheduleBody
) -> Schedule:
    require(principal, Action.CONFIGURE, [body.team_id])
    await require_people(store, layer_people(body.layers))
    await check_references(store, team_id=body.team_id, refs=schedule_refs(body.layers, ()))
    schedule = Schedule(id=new_id("sched"), version=1, **body.model_dump())
    await stored.save_schedule(store, schedule, etag=None)
    return schedule


async def get_schedule(
    *, store: DocumentStore, principal: Principal, schedule_id: str
) -> tuple[Schedule, str]:
    schedule, etag = await stored.load_schedule(store, schedule_id)
    require(principal, Action.READ, [schedule.team_id])
    return schedule, etag


async def list_schedules(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[stored.ListedSchedule], str | None]:
    """Every schedule answers, one that breaks a newer rule with its ``problems``."""
    return await list_owned(
        store,
        stored.SCHEDULES,
        stored.ListedSchedule,
        principal,
        team_id=team_id,
        limit=limit,
        continuation=continuation,
        read=stored.listed,
    )


async def update_schedule(
    *,
    store: DocumentStore,
    principal: Principal,
    schedule_id: str,
    body: ScheduleBody,
    etag: str | None,
) -> Schedule:
    """A new version of the layers. A stored schedule that breaks a newer rule in its layers
    is replaced by this PUT (the rest is kept), so it can be fixed without deleting it."""
    doc = await stored.load_schedule_doc(store, schedule_id)
    if doc is None:
        raise NotFound(f"Schedule {schedule_id!r} does not exist.")
    try:
        old = stored.load(doc)
    except stored.NeedsRepair:
        old = stored.load({**doc, "layers": []})
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await require_people(store, layer_people(body.layers))
    await check_references(store, team_id=body.team_id, refs=schedule_refs(body.layers, ()))
    # Overrides and swaps have their own endpoints and survive edits of the rotation.
    schedule = Schedule(
        id=old.id,
        version=old.version + 1,
        overrides=old.overrides,
        swaps=old.swaps,
        ical_token_hash=old.ical_token_hash,
        **body.model_dump(),
    )
    await stored.save_schedule(store, schedule, etag=etag or str(doc["_etag"]))
    return schedule


async def delete_schedule(*, store: DocumentStore, principal: Principal, schedule_id: str) -> None:
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    require(principal, Action.CONFIGURE, [schedule.team_id])
    await stored.delete_schedule_doc(store, schedule_id)


async def who_is_on_call(
    *, store: DocumentStore, principal: Principal, schedule_id: str, at: datetime
) -> OnCall:
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    return await limits.compute(on_call, schedule, at)


async def final(
    *, store: DocumentStore, principal: Principal, schedule_id: str, start: datetime, end: datetime
) -> list[Shift]:
    if end <= start:
        raise InvalidInput("end must be after start.", field="end")
    if end - start > MAX_FINAL_RANGE:
        raise InvalidInput(f"The range may span at most {MAX_FINAL_RANGE.days} days.", field="end")
    schedule, _ = await get_schedule(store=store, principal=principal, schedule_id=schedule_id)
    return await limits.compute(final_schedule, schedule, start, end)


# --- handoffs --------------------------------------------------------------------------------
async def _admins(store: DocumentStore, team_id: str) -> list[str]:
    members, _ = await list_team_members(store=store, team_id=team_id, limit=100)
    return [u.id for u in members if u.teams.get(team_id) == TeamRole.ADMIN]


def _job(intent: Intent, schedule: Schedule, user_id: str) -> dict[str, Any]:
    when = f"{intent.shift_start:%a %d %b %H:%M} UTC"
    if intent.kind == "now_on_call":
        subject = f"You are now on call: {schedule.name}"
        text = f"Your shift in {schedule.name} started at {when}."
        importance = "default"
    elif intent.kind == "shift_reminder":
        lead = intent.lead_minutes or 0
        ahead = f"{lead // 60} h" if lead >= 60 else f"{lead} min"
        subject = f"Your on-call shift starts in {ahead}: {schedule.name}"
        text = f"You are on call in {schedule.name} from {when}."
        importance = "default"
    else:
        subject = f"Nobody is on call in {schedule.name} from {when}"
        text = (
            f"Schedule {schedule.name} has a gap starting {when}: pages routed to it will "
            "reach nobody. Add an override or fix the rotation."
        )
        importance = "important"
    return {
        "type": "direct",
        "user_id": user_id,
        "idempotency_key": f"{intent.idempotency_key}|{user_id}",
        "subject": subject,
        "text": text,
        "importance": importance,
    }


async def run_handoffs(
    *, store: DocumentStore, now: datetime, limit: int = 1000
) -> tuple[list[dict[str, Any]], list[Handoff]]:
    """One minute of handoffs for every schedule: (notification jobs, handoffs recorded)."""
    jobs: list[dict[str, Any]] = []
    handoffs: list[Handoff] = []
    continuation: str | None = None
    seen = 0
    while seen < limit:
        page = await stored.query_schedules(store, continuation=continuation)
        for doc in page.items:
            seen += 1
            try:
                schedule = stored.load(doc)
            except stored.NeedsRepair as exc:
                # Stored before a rule it breaks (e.g. a FREQ=SECONDLY layer): that schedule
                # waits for a fix; every other schedule's handoffs go out.
                log.error("Schedule %s cannot be read: %s", doc.get("id"), exc.detail)
                continue
            state_doc = await store.get(STATE, schedule.id, schedule.id)
            previous = (
                ScheduleState.model_validate(state_doc["state"]) if state_doc else ScheduleState()
            )
            try:
                states, made, intents = await limits.compute(
                    plan_handoffs, [schedule], {schedule.id: previous}, now, reminder_prefs={}
                )
            except limits.ScheduleTooComplex as exc:
                # That schedule's handoffs wait for a fix; every other schedule's go out.
                log.error("Handoffs of schedule %s not computed: %s", schedule.id, exc.detail)
                continue
            new_state = {
                "id": schedule.id,
                "pk": schedule.id,
                "schedule_id": schedule.id,
                "state": states[schedule.id].model_dump(mode="json"),
                "updated_at": utc_iso(now),
            }
            try:
                if state_doc is None:
                    await store.create(STATE, new_state)
                else:
                    await store.replace(STATE, new_state, if_match=state_doc["_etag"])
            except (Conflict, PreconditionFailed):
                continue  # an overlapping run took this schedule
            handoffs.extend(made)
            for intent in intents:
                targets = [intent.user] if intent.user else await _admins(store, schedule.team_id)
                for user_id in targets:
                    # Someone who left the team since the schedule was saved gets no notices.
                    ref = Ref("user", user_id, "user")
                    if await refusal(store, schedule.team_id, ref) is None:
                        jobs.append(_job(intent, schedule, user_id))
        continuation = page.continuation
        if continuation is None:
            break
    return jobs, handoffs


# --- shift swaps -----------------------------------------------------------------------------
async def request_swap(
    *,
    store: DocumentStore,
    schedule_id: str,
    requester: User,
    start: datetime,
    end: datetime,
    taker_id: str | None,
    now: datetime,
) -> ShiftSwap:
    """A asks B (None: anyone in the team) to take [start, end). A must be on call for all of
    it; B must not be A."""
    if end - start < limits.MIN_SHIFT or end - start > timedelta(days=31):
        raise InvalidInput("A swap covers 15 minutes to 31 days.", field="end")
    if start < now - timedelta(minutes=1):
        raise InvalidInput("A swap cannot start in the past.", field="start")
    if taker_id == requester.id:
        raise InvalidInput("Swap with someone else.", field="taker_id")
    if taker_id is not None:
        await require_people(store, [("taker_id", taker_id)])
    schedule, etag = await stored.load_schedule(store, schedule_id)
    if taker_id is not None:
        await check_references(
            store, team_id=schedule.team_id, refs=[Ref("user", taker_id, "taker_id")]
        )
    # A swap hands over the asker's own time only: covering anyone else's shifts is an
    # override, which takes a team admin.
    shifts = await limits.compute(final_schedule, schedule, start, end)
    away = [s for s in shifts if requester.id not in (s.user or "").split(",")]
    if away and away[0].start <= start:
        raise InvalidInput("You are not on call at the start of that range.", field="start")
    if away:
        raise InvalidInput(
            f"You are on call only until {away[0].start:%Y-%m-%dT%H:%M}Z in that range; a swap "
            "covers your own shifts (ask a team admin for an override beyond them).",
            field="end",
        )
    swap = ShiftSwap(
        id=f"swap-{secrets.token_hex(6)}",
        requester_id=requester.id,
        taker_id=taker_id,
        start=start,
        end=end,
        status="requested",
        created_at=now,
    )
    await stored.save_schedule(
        store, schedule.model_copy(update={"swaps": (*schedule.swaps, swap)}), etag=etag
    )
    return swap


_DECIDED = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}


def _decide(swap: ShiftSwap, user: User, decision: str, now: datetime) -> str:
    """The swap's new status, or raise why this person cannot decide this now."""
    if decision not in _DECIDED:
        raise InvalidInput("decision is accept, decline or cancel.", field="decision")
    parties = (swap.requester_id, swap.taker_id)
    if swap.status == "accepted" and decision == "cancel":
        # Taking an accepted swap back is either party's right, until the swap starts.
        if user.id not in parties:
            raise Forbidden("Only the two people in a swap can cancel it.")
        if swap.start <= now:
            raise Conflict("The swap has started; add an override instead of cancelling it.")
        return "cancelled"
    if swap.status != "requested":
        raise Conflict(f"The swap is already {swap.status}.")
    if swap.taker_id is None and decision in ("accept", "decline"):
        # An offer to anyone: nobody in particular was asked, so nobody declines it for all.
        if user.id == swap.requester_id:
            raise Forbidden("You offered this shift; cancel the offer instead.")
        if decision == "decline":
            raise Conflict("An offer to anyone is not declined; leave it for someone else.")
    elif decision in ("accept", "decline") and user.id != swap.taker_id:
        raise Forbidden("Only the person asked can accept or decline a swap.")
    if decision == "cancel" and user.id != swap.requester_id:
        raise Forbidden("Only the person who asked can cancel a swap.")
    status = _DECIDED[decision]
    return "expired" if status == "accepted" and swap.end <= now else status


async def decide_swap(
    *,
    store: DocumentStore,
    schedule_id: str,
    swap_id: str,
    user: User,
    decision: str,
    now: datetime,
) -> ShiftSwap:
    """The taker accepts or declines (an offer to anyone: any other team member accepts, and
    becomes the taker); the requester cancels a request; either cancels an accepted swap
    before it starts. Accepted: an override for the taker; cancelled after
    acceptance: that override is removed."""
    if decision == "accept":
        # Accepting writes an override: the taker must still be one of the team's members
        # (checked when asked too, but memberships change while a request waits).
        # An offer to anyone is taken by whoever accepts: they must be the team's.
        schedule, _ = await stored.load_schedule(store, schedule_id)
        swap = next((s for s in schedule.swaps if s.id == swap_id), None)
        if swap is not None:
            taker = swap.taker_id or user.id
            await check_references(
                store, team_id=schedule.team_id, refs=[Ref("user", taker, "taker_id")]
            )

    def apply(schedule: Schedule) -> tuple[Schedule, ShiftSwap]:
        swap = next((s for s in schedule.swaps if s.id == swap_id), None)
        if swap is None:
            raise NotFound(f"Swap {swap_id!r} does not exist.")
        if swap.status == _DECIDED.get(decision) and (
            decision != "accept" or swap.taker_id == user.id
        ):
            return schedule, swap  # idempotent (an open offer taken by another: refused below)
        status = _decide(swap, user, decision, now)
        taker = swap.taker_id or (user.id if status == "accepted" else None)
        decided = swap.model_copy(update={"status": status, "decided_at": now, "taker_id": taker})
        swaps = tuple(decided if s.id == swap_id else s for s in schedule.swaps)
        kept = tuple(o for o in schedule.overrides if o.swap_id != swap_id)
        added: tuple[Override, ...] = ()
        if status == "accepted":
            added = (
                Override(
                    user=decided.taker_id or user.id,
                    start=swap.start,
                    end=swap.end,
                    source="swap",
                    swap_id=swap_id,
                ),
            )
        changed = with_overrides(schedule, kept, added, path="Accepting the swap")
        return changed.model_copy(update={"swaps": swaps}), decided

    return await change(store, schedule_id, apply)


# --- calendars -------------------------------------------------------------------------------
async def issue_ical_link(*, store: DocumentStore, schedule_id: str) -> str:
    """A new secret for the subscription URL (the previous link stops working)."""
    token, digest = links.new_token()
    for _ in range(5):
        schedule, etag = await stored.load_schedule(store, schedule_id)
        try:
            await stored.save_schedule(
                store, schedule.model_copy(update={links.TOKEN_HASH: digest}), etag=etag
            )
        except PreconditionFailed:
            continue
        return token
    raise Conflict("The schedule is changing too fast; try again.")


async def subscribed_calendar(
    *, store: DocumentStore, schedule_id: str, token: str, now: datetime
) -> bytes:
    """The calendar behind a subscription URL: 7 days back, 60 ahead. Unknown schedule and
    wrong token answer the same NotFound, so links cannot be probed."""
    # The token is checked on the stored field before the schedule is read, so only a holder
    # of the link learns that the schedule needs repair (a 409 naming the rule).
    doc = links.check_token(await stored.load_schedule_doc(store, schedule_id), token)
    schedule = stored.load(doc)
    shifts = await limits.compute(
        final_schedule, schedule, now - timedelta(days=7), now + timedelta(days=60)
    )
    people = await names(store, (u for s in shifts if s.user for u in s.user.split(",")))
    return export_shifts(schedule, shifts, now=now, people=people)
