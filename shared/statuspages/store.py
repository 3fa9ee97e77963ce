"""The status pages' documents. This module owns the ``status_*`` containers: other packages
(and the rest of this one) read and write them through these typed functions only.

- ``status_pages`` (pk = id): a page with its groups and components, and one *slug claim*
  document per slug (id ``slug:<slug>``), created with the page, so two pages can never take
  the same slug (``create`` of an existing id is a conflict in every backend).
- ``status_posts`` (pk = page id): status incidents and maintenances with their updates.
- ``status_history`` (pk = page id): one document per page and calendar month (UTC) holding
  each component's transitions as ``[epoch seconds, status]`` pairs and the statuses the month
  opened with; 90 days are four point reads.
- ``status_subscribers`` (pk = page id), ``status_outbox`` (pk = page id): e-mail subscribers
  and the notices waiting to be sent to them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import NotFound
from shared.statuspages.models import ComponentStatus, Post, StatusPage, Subscriber
from shared.store.codec import from_doc, to_doc, utc_iso
from shared.store.port import Conflict, Doc, DocumentStore, eq, in_, lte

PAGES = "status_pages"
POSTS = "status_posts"
HISTORY = "status_history"
SUBSCRIBERS = "status_subscribers"
OUTBOX = "status_outbox"

_PAGE_FIELDS = frozenset(StatusPage.model_fields)


def _page(doc: Doc) -> StatusPage:
    return StatusPage.model_validate({k: v for k, v in doc.items() if k in _PAGE_FIELDS})


async def load_page(store: DocumentStore, page_id: str) -> tuple[StatusPage, str]:
    """The page and its etag; :class:`NotFound` when there is none."""
    doc = await store.get(PAGES, page_id, page_id)
    if doc is None or doc.get("kind") != "page":
        raise NotFound(f"Status page {page_id!r} does not exist.")
    return _page(doc), str(doc["_etag"])


async def page_id_for_slug(store: DocumentStore, slug: str) -> str | None:
    claim = await store.get(PAGES, f"slug:{slug}", f"slug:{slug}")
    return str(claim["page_id"]) if claim else None


async def create_page(store: DocumentStore, page: StatusPage) -> str:
    """Store a new page and claim its slug (a taken slug is a :class:`Conflict`)."""
    await claim_slug(store, page.slug, page.id)
    try:
        saved = await store.create(PAGES, to_doc(page, kind="page"))
    except Exception:
        await release_slug(store, page.slug)
        raise
    return str(saved["_etag"])


async def claim_slug(store: DocumentStore, slug: str, page_id: str) -> None:
    claim = {"id": f"slug:{slug}", "pk": f"slug:{slug}", "kind": "slug", "page_id": page_id}
    try:
        await store.create(PAGES, claim)
    except Conflict:
        raise Conflict(f"The slug {slug!r} is taken.", field="slug") from None


async def release_slug(store: DocumentStore, slug: str) -> None:
    await store.delete(PAGES, f"slug:{slug}", f"slug:{slug}")


async def save_page(store: DocumentStore, page: StatusPage, *, etag: str | None) -> str:
    """Replace the page, guarded by ``etag`` when given; the new etag."""
    saved = await store.replace(PAGES, to_doc(page, kind="page"), if_match=etag)
    return str(saved["_etag"])


async def delete_page(store: DocumentStore, page: StatusPage) -> None:
    await store.delete(PAGES, page.id, page.id)
    await release_slug(store, page.slug)


async def query_pages(
    store: DocumentStore, *, team_ids: list[str] | None, limit: int, continuation: str | None
) -> tuple[list[StatusPage], str | None]:
    """Pages of ``team_ids`` (None: every team), by slug."""
    where = []
    if team_ids is not None:
        if not team_ids:
            return [], None
        where.append(in_("team_id", team_ids))
    result = await store.query(
        PAGES, where=where, order_by=("slug", False), limit=limit, continuation=continuation
    )
    # Slug claims share the container and have no team: skipped here.
    return [_page(d) for d in result.items if d.get("kind") == "page"], result.continuation


# --- posts -----------------------------------------------------------------------------------
def _post(doc: Doc) -> Post:
    return from_doc(Post, doc)


async def load_post(store: DocumentStore, page_id: str, post_id: str) -> tuple[Post, str]:
    doc = await store.get(POSTS, page_id, post_id)
    if doc is None:
        raise NotFound(f"Post {post_id!r} does not exist on this page.")
    return _post(doc), str(doc["_etag"])


async def save_post(store: DocumentStore, post: Post, *, etag: str | None) -> None:
    """Create the post (``etag`` None) or replace it guarded by ``etag``."""
    doc = to_doc(post, pk_field="page_id", pk=post.page_id)
    if etag is None:
        await store.create(POSTS, doc)
    else:
        await store.replace(POSTS, doc, if_match=etag)


async def query_posts(
    store: DocumentStore,
    page_id: str,
    *,
    open_only: bool = False,
    kind: str | None = None,
    limit: int = 50,
) -> list[Post]:
    """The page's posts, newest first (at most ``limit``)."""
    where = []
    if open_only:
        where.append(eq("open", True))
    if kind is not None:
        where.append(eq("kind", kind))
    result = await store.query(
        POSTS, pk=page_id, where=where, order_by=("created_at", True), limit=limit
    )
    return [_post(d) for d in result.items]


async def open_posts_about(store: DocumentStore, incident_id: str) -> list[Post]:
    """Open posts of any page about an OpenAlert incident (a query across pages)."""
    result = await store.query(
        POSTS, where=[eq("incident_id", incident_id), eq("open", True)], limit=20
    )
    return [_post(d) for d in result.items]


# --- history ---------------------------------------------------------------------------------
class HistoryMonth(BaseModel):
    """One page's component transitions in one UTC month (``id`` is ``YYYY-MM``)."""

    model_config = ConfigDict(frozen=True)

    id: str
    page_id: str
    #: Each component's status when the month began (absent: not known then).
    opening: dict[str, ComponentStatus] = Field(default_factory=dict)
    #: Each component's transitions this month, in time order: [epoch seconds, new status].
    transitions: dict[str, list[tuple[int, ComponentStatus]]] = Field(default_factory=dict)

    def last(self, component_id: str) -> ComponentStatus | None:
        changes = self.transitions.get(component_id)
        return changes[-1][1] if changes else self.opening.get(component_id)


def month_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


async def load_month(
    store: DocumentStore, page_id: str, month: str
) -> tuple[HistoryMonth | None, str | None]:
    doc = await store.get(HISTORY, page_id, month)
    if doc is None:
        return None, None
    return from_doc(HistoryMonth, doc), str(doc["_etag"])


async def save_month(store: DocumentStore, month: HistoryMonth, *, etag: str | None) -> None:
    """Create (``etag`` None; a concurrent creator makes this a :class:`Conflict`) or replace
    guarded by ``etag`` (a concurrent writer makes it ``PreconditionFailed``)."""
    doc = month.model_dump(mode="json")
    if etag is None:
        await store.create(HISTORY, doc)
    else:
        await store.replace(HISTORY, doc, if_match=etag)


# --- subscribers and notices -----------------------------------------------------------------
async def load_subscriber(
    store: DocumentStore, page_id: str, subscriber_id: str
) -> tuple[Subscriber | None, str | None]:
    doc = await store.get(SUBSCRIBERS, page_id, subscriber_id)
    if doc is None:
        return None, None
    return from_doc(Subscriber, doc), str(doc["_etag"])


async def save_subscriber(store: DocumentStore, subscriber: Subscriber) -> None:
    await store.upsert(SUBSCRIBERS, subscriber.model_dump(mode="json"))


async def delete_subscriber(store: DocumentStore, page_id: str, subscriber_id: str) -> None:
    await store.delete(SUBSCRIBERS, page_id, subscriber_id)


async def confirmed_subscribers(
    store: DocumentStore, page_id: str, *, limit: int, continuation: str | None
) -> tuple[list[Subscriber], str | None]:
    result = await store.query(
        SUBSCRIBERS,
        pk=page_id,
        where=[eq("confirmed", True)],
        limit=limit,
        continuation=continuation,
    )
    return [from_doc(Subscriber, d) for d in result.items], result.continuation


class Notice(BaseModel):
    """A post or update waiting to be sent to the page's subscribers, from ``due_at`` on."""

    model_config = ConfigDict(frozen=True)

    id: str
    page_id: str
    post_id: str
    update_id: str
    due_at: datetime


async def add_notice(store: DocumentStore, notice: Notice) -> None:
    await store.upsert(OUTBOX, to_doc(notice, pk_field="page_id", pk=notice.page_id))


#: The page's "last e-mailed at" document shares the outbox partition; its due time sorts
#: after every real one, so due queries never return it.
_THROTTLE = "~throttle"
_NEVER = "9999-12-31T00:00:00.000000Z"


async def due_notices(store: DocumentStore, *, now: datetime, limit: int = 500) -> list[Notice]:
    """Notices due by ``now`` across every page, oldest first."""
    result = await store.query(
        OUTBOX, where=[lte("due_at", utc_iso(now))], order_by=("due_at", False), limit=limit
    )
    return [from_doc(Notice, d) for d in result.items if d["id"] != _THROTTLE]


async def page_notices(store: DocumentStore, page_id: str) -> list[Notice]:
    result = await store.query(OUTBOX, pk=page_id, order_by=("due_at", False), limit=500)
    return [from_doc(Notice, d) for d in result.items if d["id"] != _THROTTLE]


async def last_emailed(store: DocumentStore, page_id: str) -> datetime | None:
    doc = await store.get(OUTBOX, page_id, _THROTTLE)
    return datetime.fromisoformat(doc["last_sent"]) if doc else None


async def set_last_emailed(store: DocumentStore, page_id: str, at: datetime) -> None:
    doc = {"id": _THROTTLE, "page_id": page_id, "due_at": _NEVER, "last_sent": at.isoformat()}
    await store.upsert(OUTBOX, doc)


async def drop_notice(store: DocumentStore, page_id: str, notice_id: str) -> None:
    await store.delete(OUTBOX, page_id, notice_id)
