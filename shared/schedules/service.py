"""Schedule I/O: the minute handoff run, and shift swaps.

``run_handoffs`` loads every schedule and its last recorded on-call state, calls the pure
:func:`~shared.schedules.handoff.plan_handoffs`, writes the new state with the state document's
ETag (two overlapping runs: the loser skips that schedule, the winner's notices stand), and
returns notification jobs. Every notice carries the planner's deterministic idempotency key, so
a re-run minute, a redelivered timer or a lost ETag race never sends one twice (the delivery
side deduplicates on the key).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from shared.auth.models import TeamRole, User
from shared.auth.service import list_team_members
from shared.catalog.references import Ref, check_references, refusal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from shared.schedules.handoff import Handoff, Intent, ScheduleState, plan_handoffs
from shared.schedules.ical import export_shifts, import_shifts
from shared.schedules.models import Override, Schedule, ShiftSwap
from shared.schedules.resolve import final_schedule, on_call
from shared.store.codec import from_doc, utc_iso
from shared.store.port import DocumentStore, eq

log = logging.getLogger(__name__)

STATE = "oncall_state"


def _schedule(doc: dict[str, Any]) -> Schedule:
    return from_doc(Schedule, {k: v for k, v in doc.items() if k != "pk"})


def _doc(schedule: Schedule) -> dict[str, Any]:
    return {**schedule.model_dump(mode="json"), "pk": schedule.id}


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
        page = await store.query("schedules", limit=100, continuation=continuation)
        for doc in page.items:
            seen += 1
            schedule = _schedule(doc)
            state_doc = await store.get(STATE, schedule.id, schedule.id)
            previous = (
                ScheduleState.model_validate(state_doc["state"]) if state_doc else ScheduleState()
            )
            states, made, intents = plan_handoffs(
                [schedule], {schedule.id: previous}, now, reminder_prefs={}
            )
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
async def _load(store: DocumentStore, schedule_id: str) -> tuple[Schedule, str]:
    doc = await store.get("schedules", schedule_id, schedule_id)
    if doc is None:
        raise NotFound(f"Schedule {schedule_id!r} does not exist.")
    return _schedule(doc), str(doc["_etag"])


async def _save(store: DocumentStore, schedule: Schedule, etag: str) -> None:
    await store.replace("schedules", _doc(schedule), if_match=etag)


async def request_swap(
    *,
    store: DocumentStore,
    schedule_id: str,
    requester: User,
    start: datetime,
    end: datetime,
    taker_id: str,
    now: datetime,
) -> ShiftSwap:
    """A asks B to take [start, end). A must be on call for all of it; B must not be A."""
    if end <= start or end - start > timedelta(days=31):
        raise InvalidInput("A swap covers 1 minute to 31 days.", field="end")
    if start < now - timedelta(minutes=1):
        raise InvalidInput("A swap cannot start in the past.", field="start")
    if taker_id == requester.id:
        raise InvalidInput("Swap with someone else.", field="taker_id")
    schedule, etag = await _load(store, schedule_id)
    await check_references(
        store, team_id=schedule.team_id, refs=[Ref("user", taker_id, "taker_id")]
    )
    if requester.id not in on_call(schedule, start).users:
        raise InvalidInput("You are not on call at the start of that range.", field="start")
    swap = ShiftSwap(
        id=f"swap-{secrets.token_hex(6)}",
        requester_id=requester.id,
        taker_id=taker_id,
        start=start,
        end=end,
        status="requested",
        created_at=now,
    )
    await _save(store, schedule.model_copy(update={"swaps": (*schedule.swaps, swap)}), etag)
    return swap


async def decide_swap(
    *,
    store: DocumentStore,
    schedule_id: str,
    swap_id: str,
    user: User,
    decision: str,
    now: datetime,
) -> ShiftSwap:
    """The taker accepts or declines; the requester cancels. Accepted → an override."""
    for _ in range(5):
        schedule, etag = await _load(store, schedule_id)
        swap = next((s for s in schedule.swaps if s.id == swap_id), None)
        if swap is None:
            raise NotFound(f"Swap {swap_id!r} does not exist.")
        if swap.status != "requested":
            if swap.status == {
                "accept": "accepted",
                "decline": "declined",
                "cancel": "cancelled",
            }.get(decision):
                return swap  # idempotent
            raise Conflict(f"The swap is already {swap.status}.")
        if decision in ("accept", "decline") and user.id != swap.taker_id:
            raise Forbidden("Only the person asked can accept or decline a swap.")
        if decision == "cancel" and user.id != swap.requester_id:
            raise Forbidden("Only the person who asked can cancel a swap.")
        if decision not in ("accept", "decline", "cancel"):
            raise InvalidInput("decision is accept, decline or cancel.", field="decision")
        status = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}[decision]
        if status == "accepted" and swap.end <= now:
            status = "expired"
        decided = swap.model_copy(update={"status": status, "decided_at": now})
        swaps = tuple(decided if s.id == swap_id else s for s in schedule.swaps)
        overrides = schedule.overrides
        if status == "accepted":
            overrides = (
                *overrides,
                Override(user=swap.taker_id, start=swap.start, end=swap.end, source="swap"),
            )
        try:
            await _save(
                store, schedule.model_copy(update={"swaps": swaps, "overrides": overrides}), etag
            )
        except PreconditionFailed:
            continue
        return decided
    raise Conflict("The schedule is changing too fast; try again.")


# --- calendars -------------------------------------------------------------------------------
async def import_calendar(
    *, store: DocumentStore, schedule_id: str, ics: bytes, now: datetime, days: int = 90
) -> int:
    """Import an external calendar's shifts for the next ``days`` as overrides (source
    "ical"); a re-import replaces earlier imported ones in that window. Events name people by
    ATTENDEE e-mail or SUMMARY (an e-mail address or a user id)."""
    end = now + timedelta(days=days)
    cache: dict[str, str | None] = {}

    async def resolve(key: str) -> str | None:
        if key not in cache:
            page = await store.query("users", where=[eq("email", key.lower())], limit=1)
            if page.items:
                cache[key] = str(page.items[0]["id"])
            else:
                cache[key] = key if await store.get("users", key, key) else None
        return cache[key]

    # Parse with the raw key as "user", then map keys to user ids (an async lookup).
    raw = import_shifts(ics, user_for=lambda key: key, window_start=now, window_end=end)
    shifts = []
    refs: list[Ref] = []
    for n, shift in enumerate(raw):
        user_id = await resolve(shift.user or "")
        if user_id is not None:
            shifts.append(shift.model_copy(update={"user": user_id}))
            refs.append(Ref("user", user_id, f"ics.events.{n}"))
    # People found in the directory must still be the schedule's team's own members.
    team_id = (await _load(store, schedule_id))[0].team_id
    await check_references(store, team_id=team_id, refs=refs)
    for _ in range(5):
        schedule, etag = await _load(store, schedule_id)
        kept = tuple(
            o
            for o in schedule.overrides
            if not (o.source == "ical" and o.end > now and o.start < end)
        )
        imported = tuple(
            Override(user=s.user, start=max(s.start, now), end=min(s.end, end), source="ical")
            for s in shifts
            if s.user is not None and min(s.end, end) > max(s.start, now)
        )
        try:
            await _save(store, schedule.model_copy(update={"overrides": kept + imported}), etag)
        except PreconditionFailed:
            continue
        return len(imported)
    raise Conflict("The schedule is changing too fast; try again.")


async def issue_ical_link(*, store: DocumentStore, schedule_id: str) -> str:
    """A new secret for the subscription URL (the previous link stops working)."""
    token = secrets.token_urlsafe(24)
    for _ in range(5):
        schedule, etag = await _load(store, schedule_id)
        digest = hashlib.sha256(token.encode()).hexdigest()
        try:
            await _save(store, schedule.model_copy(update={"ical_token_hash": digest}), etag)
        except PreconditionFailed:
            continue
        return token
    raise Conflict("The schedule is changing too fast; try again.")


async def subscribed_calendar(
    *, store: DocumentStore, schedule_id: str, token: str, now: datetime
) -> bytes:
    """The calendar behind a subscription URL: 7 days back, 60 ahead. Unknown schedule and
    wrong token answer the same NotFound, so links cannot be probed."""
    doc = await store.get("schedules", schedule_id, schedule_id)
    expected = _schedule(doc).ical_token_hash if doc else None
    given = hashlib.sha256(token.encode()).hexdigest()
    if not expected or not hmac.compare_digest(expected, given):
        raise NotFound("No such calendar.")
    schedule = _schedule(doc) if doc else None
    assert schedule is not None
    shifts = final_schedule(schedule, now - timedelta(days=7), now + timedelta(days=60))
    return export_shifts(schedule, shifts, now=now)
