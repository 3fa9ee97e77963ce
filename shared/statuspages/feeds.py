"""RSS 2.0 and Atom feeds of a page's incidents and maintenances (``history.rss``,
``history.atom``), in Statuspage's shape. Pure.

Each item's HTML has one paragraph per update, newest first, as
``<p><small>Jun 18, 18:09 UTC</small><br><strong>Resolved</strong> - body</p>``; readers that
take the first ``<strong>`` as the current status keep working. An update that did not change
the status is labelled "Update", as on Statuspage.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from shared.statuspages.evaluate import maintenance_state
from shared.statuspages.models import Post
from shared.statuspages.rollup import LABELS
from shared.statuspages.snapshot import Snapshot

ITEMS = 50


def _posts(snap: Snapshot) -> list[Post]:
    return sorted(snap.posts, key=lambda p: p.created_at, reverse=True)[:ITEMS]


def item_html(snap: Snapshot, post: Post) -> str:
    parts: list[str] = []
    previous: str | None = None
    labels: list[str] = []
    for u in post.updates:
        labels.append("Update" if u.status == previous else LABELS.get(u.status, u.status))
        previous = u.status
    for u, label in zip(reversed(post.updates), reversed(labels), strict=True):
        local = u.created_at.astimezone(snap.tz)
        zone = local.tzname() or "UTC"
        parts.append(
            f"<p><small>{local:%b} <var data-var='date'>{local.day}</var>, "
            f"<var data-var='time'>{local:%H:%M}</var> {html.escape(zone)}</small><br>"
            f"<strong>{html.escape(label)}</strong> - {html.escape(u.body)}</p>"
        )
    if post.kind == "maintenance":
        state = LABELS[maintenance_state(post, snap.now)]
        assert post.scheduled_for is not None and post.scheduled_until is not None
        window = (
            f"{post.scheduled_for.astimezone(snap.tz):%b %d, %H:%M} - "
            f"{post.scheduled_until.astimezone(snap.tz):%b %d, %H:%M %Z}"
        )
        parts.insert(0, f"<p><strong>{state}</strong> - {html.escape(window)}</p>")
    return "".join(parts)


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def rss(snap: Snapshot) -> str:
    title = escape(f"{snap.page.name} - Incident History")
    items = []
    for post in _posts(snap):
        link = escape(f"{snap.url}/incidents/{post.id}")
        items.append(
            "<item>"
            f"<title>{escape(post.name)}</title>"
            f"<description>{escape(item_html(snap, post))}</description>"
            f"<pubDate>{_rfc822(post.updated_at)}</pubDate>"
            f"<link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{title}</title>"
        f"<link>{escape(snap.url)}</link>"
        f'<atom:link href="{escape(snap.url)}/history.rss" rel="self" '
        'type="application/rss+xml"/>'
        "<description>Statuspage</description>"
        f"<pubDate>{_rfc822(snap.updated_at())}</pubDate>"
        f"{''.join(items)}</channel></rss>\n"
    )


def atom(snap: Snapshot) -> str:
    host = urlsplit(snap.url).hostname or "localhost"
    title = escape(f"{snap.page.name} Status - Incident History")
    entries = []
    for post in _posts(snap):
        link = escape(f"{snap.url}/incidents/{post.id}", {'"': "&quot;"})
        entries.append(
            "<entry>"
            f"<id>tag:{escape(host)},2005:Incident/{post.id}</id>"
            f"<published>{_iso(post.created_at)}</published>"
            f"<updated>{_iso(post.updated_at)}</updated>"
            f'<link rel="alternate" type="text/html" href="{link}"/>'
            f"<title>{escape(post.name)}</title>"
            f'<content type="html">{escape(item_html(snap, post))}</content>'
            "</entry>"
        )
    url = escape(snap.url, {'"': "&quot;"})
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:{escape(host)},2005:/history</id>"
        f'<link rel="alternate" type="text/html" href="{url}"/>'
        f'<link rel="self" type="application/atom+xml" href="{url}/history.atom"/>'
        f"<title>{title}</title>"
        f"<updated>{_iso(snap.updated_at())}</updated>"
        f"<author><name>{escape(snap.page.name)}</name></author>"
        f"{''.join(entries)}</feed>\n"
    )
