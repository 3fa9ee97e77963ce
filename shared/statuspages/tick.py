"""The status timer's minute: record every page's component transitions into the history
(``live.record``), then send the subscriber notices that fell due (``subscribers.flush``).
One page's failure is logged and does not stop the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.notifications.channels import Channel
from shared.statuspages import live, subscribers
from shared.statuspages import store as pages
from shared.statuspages.public import page_url
from shared.statuspages.tokens import TokensOff
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    pages: int
    transitions: int
    emails: int


async def tick(
    *,
    store: DocumentStore,
    channel: Channel,
    secret: str,
    base_url: str,
    bundle: timedelta,
    now: datetime,
) -> TickResult:
    seen = transitions = 0
    continuation: str | None = None
    while True:
        batch, continuation = await pages.query_pages(
            store, team_ids=None, limit=100, continuation=continuation
        )
        for page in batch:
            seen += 1
            try:
                transitions += await live.record(store, page, now=now)
            except Exception:
                log.exception("status history of page %s not recorded this minute", page.id)
        if continuation is None:
            break
    emails = 0
    try:
        emails = await subscribers.flush(
            store=store,
            channel=channel,
            secret=secret,
            now=now,
            bundle=bundle,
            page_url=lambda p: page_url(p, base_url),
        )
    except TokensOff as exc:
        log.warning("status subscribers not notified: %s", exc.detail)
    return TickResult(seen, transitions, emails)
