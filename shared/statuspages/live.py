"""Status kept current without anyone remembering to: each read evaluates the page's components
from the incidents of their linked services as they are now (``evaluate``), and the status
timer (``functions/statuspages.py``, every minute) writes the transitions it sees into the
monthly history (:func:`record`) that the 90-day bars are drawn from.

Why evaluate on read and record on a timer: incidents change in the alert pipeline, the API and
the Teams bot, and a component's rule can make a change due minutes *after* the incident changed
("P1 after 5 minutes"), with no event at that moment. Reading is therefore the one place that is
always right; the timer only keeps the history, and writes each transition at the moment the
inputs say it happened (an incident's open time plus the delay, its resolve time), not at the
minute it noticed, so the bars are exact to the second even though it runs once a minute.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.errors import Conflict, NotFound, PreconditionFailed, Unavailable
from shared.incidents.queries import open_incidents_of_services, resolved_incidents_of_services
from shared.statuspages import store as pages
from shared.statuspages.evaluate import Shown, blips, maintenance_state, page_statuses
from shared.statuspages.models import ComponentStatus, Post, StatusPage
from shared.statuspages.snapshot import Snapshot
from shared.statuspages.store import HistoryMonth, month_of
from shared.statuspages.uptime import DAYS, Day, Transition, daily, window
from shared.store.port import DocumentStore
from shared.store.retry import RETRY, Retry, linear_jitter, optimistic

log = logging.getLogger(__name__)

#: Closed posts shown in the JSON history and the feeds (Statuspage shows the 50 newest).
RECENT = 50
WRITE_ATTEMPTS = 5


def services_of(page: StatusPage) -> list[str]:
    return sorted({s for c in page.components for s in c.service_ids})


async def statuses(
    store: DocumentStore, page: StatusPage, *, now: datetime, maintenances: list[Post]
) -> dict[str, Shown]:
    """Every component's shown status at ``now``, from the open incidents of its services."""
    incidents = await open_incidents_of_services(store, services_of(page))
    return page_statuses(page, incidents=incidents, maintenances=maintenances, now=now)


async def recent_posts(store: DocumentStore, page_id: str) -> list[Post]:
    """Open posts and the 50 newest of each kind, newest first, without repeats (two queries:
    the open ones, and the newest hundred of any kind)."""
    found = {p.id: p for p in await pages.query_posts(store, page_id, open_only=True, limit=200)}
    kept = {"incident": 0, "maintenance": 0}
    for p in await pages.query_posts(store, page_id, limit=2 * RECENT):
        if kept[p.kind] < RECENT:
            kept[p.kind] += 1
            found.setdefault(p.id, p)
    return sorted(found.values(), key=lambda p: p.created_at, reverse=True)


def _months(now: datetime, days: int) -> list[str]:
    """The UTC months from ``days`` ago to now, oldest first."""
    out: list[str] = []
    cursor = (now - timedelta(days=days + 1)).astimezone(UTC).replace(day=1)
    while cursor <= now:
        out.append(month_of(cursor))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return out


async def history(
    store: DocumentStore, page_id: str, *, now: datetime, days: int = DAYS
) -> tuple[dict[str, ComponentStatus | None], dict[str, list[Transition]], tuple[str, ...]]:
    """Each component's status before the window's months, its transitions since, and the
    etags of the month documents read (what the uptime cache is keyed on)."""
    opening: dict[str, ComponentStatus | None] = {}
    changes: dict[str, list[Transition]] = {}
    etags: list[str] = []
    for month in _months(now, days):
        doc, etag = await pages.load_month(store, page_id, month)
        etags.append(etag or "")
        if doc is None:
            continue
        for cid, status in doc.opening.items():
            if cid not in changes and cid not in opening:
                opening[cid] = status
        for cid, pairs in doc.transitions.items():
            changes.setdefault(cid, []).extend(
                (datetime.fromtimestamp(t, UTC), s) for t, s in pairs
            )
    return opening, changes, tuple(etags)


def uptime_of(
    page: StatusPage,
    shown: dict[str, Shown],
    opening: dict[str, ComponentStatus | None],
    changes: dict[str, list[Transition]],
    now: datetime,
) -> dict[str, list[Day]]:
    """Each component's 90 days: the recorded history plus its live status (the timer records
    each minute, so a change it has not recorded yet already shows in today's bar)."""
    tz = ZoneInfo(page.time_zone)
    span = window(now=now, tz=tz)
    out: dict[str, list[Day]] = {}
    for c in page.components:
        transitions = list(changes.get(c.id, []))
        current = shown[c.id]
        first = opening.get(c.id)
        last = transitions[-1][1] if transitions else first
        if last is None:
            # Never recorded yet: operational since it was created (as ``record`` writes it).
            first = last = ComponentStatus.OPERATIONAL
        if current.status != last:
            at = current.since or now
            if transitions and at < transitions[-1][0]:
                at = transitions[-1][0]
            transitions.append((min(at, now), current.status))
        out[c.id] = daily(
            transitions, opening=first, known_from=c.created_at, now=now, tz=tz, span=span
        )
    return out


#: Uptime bars by (page, its version, the history documents' etags, the shown statuses, the
#: minute): computing 50 components' 90 days is most of a page's cost, and within a minute only
#: today's running totals would move. Bounded; per process.
_UPTIME: OrderedDict[tuple[object, ...], dict[str, list[Day]]] = OrderedDict()
_UPTIME_ENTRIES = 256


async def snapshot(
    store: DocumentStore,
    page: StatusPage,
    *,
    url: str,
    now: datetime,
    with_uptime: bool,
) -> Snapshot:
    """Everything a public rendering of ``page`` shows, read once."""
    posts = await recent_posts(store, page.id)
    maintenances = [p for p in posts if p.kind == "maintenance" and p.open]
    shown = await statuses(store, page, now=now, maintenances=maintenances)
    uptime: dict[str, list[Day]] = {}
    if with_uptime:
        opening, changes, etags = await history(store, page.id, now=now)
        key = (
            page.id,
            page.updated_at,
            etags,
            tuple((cid, s.status, s.since) for cid, s in sorted(shown.items())),
            int(now.timestamp() // 60),
        )
        cached = _UPTIME.get(key)
        if cached is None:
            cached = uptime_of(page, shown, opening, changes, now)
            _UPTIME[key] = cached
            while len(_UPTIME) > _UPTIME_ENTRIES:
                _UPTIME.popitem(last=False)
        else:
            _UPTIME.move_to_end(key)
        uptime = cached
    return Snapshot(page=page, url=url, now=now, shown=shown, posts=tuple(posts), uptime=uptime)


async def record(store: DocumentStore, page: StatusPage, *, now: datetime) -> int:
    """Write the transitions of ``page``'s components since the last recorded ones into this
    month's history; the number written. Safe to run concurrently (etag-guarded, retried)."""
    posts = await pages.query_posts(store, page.id, open_only=True, kind="maintenance", limit=200)
    await _close_ended(store, posts, now)
    services = services_of(page)
    resolved = await resolved_incidents_of_services(
        store, services, updated_since=now - timedelta(minutes=15)
    )
    incidents = [*await open_incidents_of_services(store, services), *resolved]
    shown = page_statuses(page, incidents=incidents, maintenances=posts, now=now)
    month = month_of(now)

    async def attempt(_: int) -> int | Retry:
        doc, etag = await pages.load_month(store, page.id, month)
        if doc is None:
            doc = await _new_month(store, page, month, now)
        transitions = {k: list(v) for k, v in doc.transitions.items()}
        opening = dict(doc.opening)
        written = 0
        floor = int(datetime(now.year, now.month, 1, tzinfo=UTC).timestamp())
        for c in page.components:
            current = shown[c.id]
            last = doc.last(c.id)
            created = int(c.created_at.timestamp())
            pairs = transitions.setdefault(c.id, [])
            if last is None:
                # Never recorded (new, or the timer was not running): a component starts
                # operational when it is created.
                last = ComponentStatus.OPERATIONAL
                if created < floor:
                    opening[c.id] = last
                else:
                    pairs.append((created, last))
                written += 1
            if last == current.status == ComponentStatus.OPERATIONAL:
                after = datetime.fromtimestamp(pairs[-1][0] if pairs else floor, UTC)
                for moment, status in blips(
                    c, team_id=page.team_id, incidents=resolved, after=after, now=now
                ):
                    pairs.append((int(moment.timestamp()), status))
                    written += 1
            if last == current.status:
                continue
            at = int((current.since or now).timestamp())
            # Never before the month, the previous transition, or the component itself.
            at = max(at, floor, pairs[-1][0] if pairs else floor, created)
            pairs.append((min(at, int(now.timestamp())), current.status))
            written += 1
        if not written:
            return 0
        try:
            await pages.save_month(
                store,
                doc.model_copy(update={"transitions": transitions, "opening": opening}),
                etag=etag,
            )
        except (PreconditionFailed, Conflict):
            return RETRY
        return written

    return await optimistic(
        attempt,
        attempts=WRITE_ATTEMPTS,
        exhausted=lambda: Unavailable(f"status history of page {page.id}: too many writers"),
        pause=linear_jitter,
    )


async def _close_ended(store: DocumentStore, maintenances: list[Post], now: datetime) -> None:
    """A maintenance whose window has passed is completed: it leaves the open posts (which
    every read queries), as if its last update had said so."""
    for post in maintenances:
        if maintenance_state(post, now) != "completed" or post.scheduled_until is None:
            continue
        try:
            stored, etag = await pages.load_post(store, post.page_id, post.id)
            done = stored.model_copy(
                update={"open": False, "status": "completed", "resolved_at": post.scheduled_until}
            )
            await pages.save_post(store, done, etag=etag)
        except (PreconditionFailed, NotFound):
            continue  # changed or deleted meanwhile: the next minute looks again


async def _new_month(
    store: DocumentStore, page: StatusPage, month: str, now: datetime
) -> HistoryMonth:
    """A month's first document opens with the previous month's last statuses."""
    first = datetime(now.year, now.month, 1, tzinfo=UTC)
    previous, _ = await pages.load_month(store, page.id, month_of(first - timedelta(days=1)))
    opening: dict[str, ComponentStatus] = {}
    if previous is not None:
        for c in page.components:
            last = previous.last(c.id)
            if last is not None:
                opening[c.id] = last
    return HistoryMonth(id=month, page_id=page.id, opening=opening)
