"""Incident reads and actions, for the API, the Teams bot and escalation.

``act`` is the one way a person changes an incident: it checks the caller may act on the
incident's team, runs the pure state machine (``lifecycle.decide``), writes the incident with
optimistic concurrency, writes the timeline, then signals the escalation. Acting twice is
harmless: an acknowledgement of an acknowledged incident changes nothing, writes nothing and
signals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any, Protocol, cast

from shared import jsonin
from shared.auth.access import require, team_scope
from shared.auth.models import Action as Right
from shared.auth.models import Principal, PrincipalKind
from shared.catalog.references import Ref, check_references
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.incidents import alertlog
from shared.incidents.lifecycle import Outcome, decide
from shared.incidents.models import (
    Action,
    Actor,
    EscalationPort,
    Incident,
    IncidentFilter,
    IncidentStatus,
    TimelineEntry,
)
from shared.incidents.stored import (
    TIMELINE,
    count_incidents,
    load_incident,
    load_incident_for_update,
    query_incidents,
    replace_incident,
)
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import Condition, DocumentStore, array_contains, eq, gte, in_, lt
from shared.store.retry import RETRY, Retry, linear_jitter, optimistic

WRITE_ATTEMPTS = 6


def actor_for(principal: Principal) -> Actor:
    kind = "api_key" if principal.kind is PrincipalKind.API_KEY else "user"
    return Actor(
        kind=kind, id=principal.id, display=principal.display_name or principal.email or ""
    )


async def _load(store: DocumentStore, incident_id: str) -> tuple[Incident, str]:
    loaded = await load_incident_for_update(store, incident_id)
    if loaded is None:
        raise NotFound(f"Incident {incident_id!r} does not exist.")
    return loaded


async def get_incident(*, store: DocumentStore, principal: Principal, incident_id: str) -> Incident:
    incident, _ = await _load(store, incident_id)
    require(principal, Right.READ_INCIDENTS, [incident.team_id])
    return incident


async def list_incidents(
    *,
    store: DocumentStore,
    principal: Principal,
    filters: IncidentFilter,
    limit: int = 50,
    continuation: str | None = None,
) -> tuple[list[Incident], str | None]:
    """Newest first. Teams the caller may not read are filtered in the query, not afterwards.

    A text filter is applied to the pages the store returns (the port has no text search): up
    to :data:`SCAN_PAGES` store pages are read for one answer, so a rare word can give a short
    or empty page that still carries a continuation token."""
    where = _where(principal, filters)
    if where is None:
        return [], None
    if not filters.text:
        return await query_incidents(
            store, where=where, newest_first=True, limit=limit, continuation=continuation
        )
    found: list[Incident] = []
    token = continuation
    for _ in range(SCAN_PAGES):
        # Never more than the page still needs: the token then resumes right after the last
        # incident looked at, so nothing is skipped or repeated.
        batch, token = await query_incidents(
            store, where=where, newest_first=True, limit=limit - len(found), continuation=token
        )
        found += [i for i in batch if _matches(i, filters)]
        if token is None or len(found) >= limit:
            break
    return found, token


#: Store pages one text-search answer reads at most.
SCAN_PAGES = 20
#: Incidents counted per status at most: a count at the cap means "at least".
COUNT_CAP = 1000


def _matches(incident: Incident, filters: IncidentFilter) -> bool:
    words = (filters.text or "").casefold().split()
    title = incident.title.casefold()
    number = f"#{incident.number}"
    return all(w in title or w in (number, number[1:]) for w in words)


def _where(principal: Principal, filters: IncidentFilter) -> list[Condition] | None:
    """The store conditions of ``filters`` within the teams the caller may read (None: no team
    is readable, so nothing matches)."""
    scope = team_scope(principal, Right.READ_INCIDENTS)
    where: list[Condition] = []
    if filters.status:
        where.append(in_("status", sorted(s.value for s in filters.status)))
    if filters.severity:
        where.append(in_("severity", sorted(filters.severity)))
    if filters.service_id:
        where.append(eq("service_id", filters.service_id))
    if filters.created_after:
        where.append(gte("created_at", utc_iso(filters.created_after)))
    if filters.created_before:
        where.append(lt("created_at", utc_iso(filters.created_before)))
    if filters.assignee:
        where.append(array_contains("assignees", filters.assignee))
    teams: list[str] | None = None
    if filters.team_id:
        teams = [filters.team_id]
    if not scope.all_teams:
        allowed = sorted(scope.team_ids)
        teams = [t for t in (teams or allowed) if t in scope.team_ids]
        if not teams:
            return None
    if teams is not None:
        where.append(in_("team_id", teams) if len(teams) > 1 else eq("team_id", teams[0]))
    return where


async def count_by_status(
    *, store: DocumentStore, principal: Principal, filters: IncidentFilter
) -> dict[IncidentStatus, int]:
    """How many incidents of each status match ``filters`` (its status filter ignored), each
    counted up to :data:`COUNT_CAP` (the port has no count; a status's pages are read)."""
    counts: dict[IncidentStatus, int] = {}
    for status in IncidentStatus:
        where = _where(principal, filters.model_copy(update={"status": frozenset({status})}))
        counted = 0
        token: str | None = None
        while where is not None and counted < COUNT_CAP:
            if filters.text:
                batch, token = await query_incidents(
                    store, where=where, limit=min(200, COUNT_CAP - counted), continuation=token
                )
                counted += sum(1 for i in batch if _matches(i, filters))
            else:
                found, token = await count_incidents(
                    store, where=where, limit=COUNT_CAP - counted, continuation=token
                )
                counted += found
            if token is None:
                break
        counts[status] = counted
    return counts


#: Continuation of the timeline after its first page held only the incident's own "created"
#: line: the stored lines from their start. Store tokens never begin with "~".
_STORED_FROM_START = "~"


async def get_timeline(
    *,
    store: DocumentStore,
    principal: Principal,
    incident_id: str,
    limit: int = 100,
    continuation: str | None = None,
) -> tuple[list[TimelineEntry], str | None]:
    """Oldest first. The "created" line lives on the incident document and leads the first page
    (it is the incident's earliest line); the other lines are timeline documents."""
    incident = await get_incident(store=store, principal=principal, incident_id=incident_id)
    lead: list[TimelineEntry] = []
    if continuation is None and incident.opened is not None:
        lead = [incident.opened]
        if limit == 1:
            return lead, _STORED_FROM_START
    elif continuation == _STORED_FROM_START:
        continuation = None
    result = await store.query(
        TIMELINE,
        where=[eq("incident_id", incident_id)],
        order_by=("at", False),
        limit=limit - len(lead),
        continuation=continuation,
    )
    return lead + [from_doc(TimelineEntry, d) for d in result.items], result.continuation


def alerts_cursor(token: str | None) -> tuple[str | None, int, bool]:
    """(store token before the current chunk, alerts of it already returned, in the incident's
    own records)."""
    if token is None:
        return None, 0, False
    try:
        state = jsonin.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        store_token, skip, own = state["c"], state["k"], state["o"]
        if not (
            (store_token is None or isinstance(store_token, str))
            and type(skip) is int
            and skip >= 0
            and isinstance(own, bool)
        ):
            raise ValueError(token)
    except (ValueError, KeyError, TypeError, InvalidInput):
        raise InvalidInput("continuation token is not valid", field="continuation") from None
    return store_token, skip, own


def alerts_token(store_token: str | None, skip: int, own: bool) -> str:
    raw = json.dumps({"c": store_token, "k": skip, "o": own}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


async def get_alerts(
    *,
    store: DocumentStore,
    principal: Principal,
    incident_id: str,
    limit: int = 100,
    continuation: str | None = None,
) -> tuple[list[dict[str, object]], str | None]:
    """The incident's alerts in the order it received them: its alert chunks (read one at a time,
    so a page can stop inside one), then the records it holds itself."""
    incident = await get_incident(store=store, principal=principal, incident_id=incident_id)
    store_token, skip, own = alerts_cursor(continuation)
    out: list[dict[str, object]] = []
    while not own and len(out) < limit:
        page = await store.query(
            alertlog.CHUNKS,
            where=[eq("incident_id", incident_id)],
            order_by=("received_at", False),
            limit=1,
            continuation=store_token,
        )
        alerts = alertlog.flatten(page.items, incident)[skip:]
        room = limit - len(out)
        out.extend(alerts[:room])
        if len(alerts) > room:
            return _shown(out, incident_id), alerts_token(store_token, skip + room, False)
        store_token, skip = page.continuation, 0
        own = page.continuation is None
    if not own:
        return _shown(out, incident_id), alerts_token(store_token, 0, False)
    rest = alertlog.expand(incident.recent_alerts)[skip:]
    room = limit - len(out)
    out.extend(rest[:room])
    more = alerts_token(None, skip + room, True) if len(rest) > room else None
    return _shown(out, incident_id), more


def _shown(alerts: list[dict[str, object]], incident_id: str) -> list[dict[str, object]]:
    return [{**a, "incident_id": incident_id} for a in alerts]


async def find_alert(
    store: DocumentStore, incident: Incident, alert_id: str
) -> alertlog.AlertRecord | None:
    """The incident's record of the alert: on the incident itself, or in one of its alert chunks
    (a partition query; asked only on redeliveries)."""
    own = alertlog.held(incident, alert_id)
    if own is not None:
        return own
    page = await store.query(
        alertlog.CHUNKS, pk=incident.id, where=[array_contains("alert_ids", alert_id)], limit=1
    )
    for chunk in page.items:
        for alert in chunk["alerts"]:
            if alert["id"] == alert_id:
                return cast(alertlog.AlertRecord, alert)
    return None


async def count_alerts(*, store: DocumentStore, incident_id: str, since: datetime) -> int:
    """Firing alerts the incident received at or after ``since`` (escalation's "more than N
    alerts in M minutes" condition)."""
    incident = await load_incident(store, incident_id)
    if incident is None:
        return 0
    floor = utc_iso(since)
    chunks: list[dict[str, object]] = []
    continuation: str | None = None
    while True:
        page = await store.query(
            alertlog.CHUNKS,
            pk=incident_id,
            where=[gte("received_at", floor)],
            limit=50,
            continuation=continuation,
        )
        chunks.extend(page.items)
        continuation = page.continuation
        if continuation is None:
            break
    alerts = [*alertlog.flatten(chunks, incident), *incident.recent_alerts]
    return sum(1 for a in alerts if a["action"] == "trigger" and a["received_at"] >= floor)


async def record_timeline(store: DocumentStore, entry: TimelineEntry, *, entry_id: str) -> None:
    """Write one timeline line under a derived id; a repeat of the same write is a no-op, so
    every writer (actions, escalation, notifications) is idempotent the same way."""
    doc = to_doc(entry, pk_field="incident_id", pk=entry.incident_id)
    doc["id"] = entry_id
    try:
        await store.create(TIMELINE, doc)
    except Conflict:
        pass


class LineWriter(Protocol):
    """Writes one line of OpenAlert's own (see :func:`line_writer`)."""

    async def __call__(
        self,
        store: DocumentStore,
        incident_id: str,
        at: datetime,
        message: str,
        entry_id: str,
        data: dict[str, Any] | None = None,
    ) -> None: ...


def line_writer(*, kind: str, actor: Actor, via: str) -> LineWriter:
    """How one part of OpenAlert (escalation, notifications) writes its timeline lines: always
    as ``actor``, of ``kind``, ``via`` itself, under ids its callers derive (so a repeat is a
    no-op, as with :func:`record_timeline`)."""

    async def write(
        store: DocumentStore,
        incident_id: str,
        at: datetime,
        message: str,
        entry_id: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        entry = TimelineEntry(
            incident_id=incident_id,
            at=at,
            kind=kind,
            actor=actor,
            message=message,
            via=via,
            data=data or {},
        )
        await record_timeline(store, entry, entry_id=entry_id)

    return write


async def apply_action(
    *,
    store: DocumentStore,
    incident_id: str,
    action: Action,
    now: datetime,
    principal: Principal | None = None,
) -> tuple[Incident, Outcome | None]:
    """Decide and write one action with optimistic concurrency, then its timeline lines.

    With ``principal`` the caller must be allowed to act on the incident's team; without it the
    action is OpenAlert's own (an escalation step, an acknowledgement timeout). Returns the
    incident and the outcome (None when nothing changed). Signalling is the caller's business.
    """

    async def attempt(_: int) -> tuple[Incident, Outcome | None] | Retry:
        incident, etag = await _load(store, incident_id)
        if principal is not None:
            require(principal, Right.ACT, [incident.team_id])
            # Assignees and responders are people the team may page: its own members.
            await check_references(
                store,
                team_id=incident.team_id,
                refs=[Ref("user", u, f"users.{i}") for i, u in enumerate(action.users)],
            )
        outcome = decide(incident, action, now=now)
        if not outcome.changed:
            return incident, None
        try:
            await replace_incident(store, outcome.incident, etag=etag)
        except PreconditionFailed:
            # Someone else changed it (an alert, another responder): decide again on the new
            # state, after a short jittered pause so two writers do not collide forever.
            return RETRY
        for n, entry in enumerate(outcome.timeline):
            # Derived from the etag the change was decided on: a write guarded by it succeeds
            # once, so a retry after a crash between the two writes cannot add a second line
            # for the same change, while two changes in the same instant (two notes) keep both.
            decided_on = f"{incident_id}|{etag}|{action.kind}|{n}"
            digest = hashlib.sha256(decided_on.encode()).hexdigest()[:24]
            await record_timeline(store, entry, entry_id=f"act-{digest}")
        return outcome.incident, outcome

    return await optimistic(
        attempt,
        attempts=WRITE_ATTEMPTS,
        exhausted=lambda: Conflict(f"Incident {incident_id!r} is changing too fast; try again."),
        pause=linear_jitter,
    )


async def act(
    *,
    store: DocumentStore,
    escalation: EscalationPort,
    principal: Principal,
    incident_id: str,
    action: Action,
    now: datetime,
) -> Incident:
    """Apply a person's action. Raises Forbidden (a Viewer, another team), NotFound, Conflict (a
    transition the state machine refuses, e.g. acknowledging a resolved incident)."""
    incident, outcome = await apply_action(
        store=store, incident_id=incident_id, action=action, now=now, principal=principal
    )
    if outcome is None:
        return incident
    if outcome.signal is not None:
        await escalation.signal(incident_id, outcome.signal, from_source=False)
    if action.kind == "reopen":
        # A reopened incident pages again from the start of its (re-frozen) policy.
        await escalation.start(incident)
    return incident
