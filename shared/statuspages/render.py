"""The public HTML: the status page and one post's page. Pure, server-rendered, no JavaScript.

Built to stay small (well under 50 KB for 50 components with 90-day bars) and accessible: one
``h1``, landmarks, status in words beside every colour, each uptime bar an ``img`` with a text
alternative naming the days that were not fully up, colours with at least 3:1 contrast on white
(4.5:1 for text), and the accent's text colour chosen for contrast. Styles are one inline block
whose hash the Content-Security-Policy names (``STYLE_HASH``), so the page needs no other source.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from shared.statuspages.evaluate import maintenance_state
from shared.statuspages.models import Component, ComponentStatus, Post
from shared.statuspages.rollup import LABELS
from shared.statuspages.snapshot import Snapshot
from shared.statuspages.uptime import DAYS, Day, overall_uptime

COLOURS: dict[str, str] = {
    "operational": "#1e7b34",
    "under_maintenance": "#1d4ed8",
    "degraded_performance": "#8a5a00",
    "partial_outage": "#b93f0b",
    "major_outage": "#b91c1c",
    "none": "#6b7280",
}

STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}"
    "header{padding:1rem 1.5rem}header a{color:inherit}main{max-width:52rem;margin:auto;"
    "padding:0 1rem 2rem}h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;"
    "margin:1.5rem 0 .5rem}.banner{padding:1rem;border-radius:6px;color:#fff;font-weight:600}"
    "ul{list-style:none;padding:0;margin:0}.c{border:1px solid #d0d7de;border-radius:6px;"
    "padding:.6rem .8rem;margin:.4rem 0}.c h3,.c h4{display:inline;font-size:1rem;margin:0}"
    ".s{float:right;font-weight:600}.bar{display:block;width:100%;height:2rem;margin-top:.3rem}"
    ".u{font-size:.85rem;color:#57606a}.post{border-left:4px solid #b91c1c;padding:.2rem 1rem;"
    "margin:.8rem 0}.m{border-color:#1d4ed8}small{color:#57606a}footer{margin-top:2rem;"
    "font-size:.9rem}label{display:block}input{font:inherit;padding:.3rem}button{font:inherit;"
    "padding:.3rem .8rem}:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}"
    ".g{margin:.4rem 0 .4rem 0}.g>ul{margin-left:1rem}"
)
_BANNERS = {
    "none": "operational",
    "minor": "degraded_performance",
    "major": "partial_outage",
    "critical": "major_outage",
    "maintenance": "under_maintenance",
}
STATUS_STYLE = "".join(f".st-{k}{{color:{v}}}" for k, v in COLOURS.items()) + "".join(
    f".b-{k}{{background:{COLOURS[v]}}}" for k, v in _BANNERS.items()
)


def css(snap: Snapshot) -> str:
    """The page's one style block: the shared rules, the status colours and its branding."""
    accent = snap.page.branding.accent
    return f"{STYLE}{STATUS_STYLE}header{{background:{accent};color:{_text_on(accent)}}}"


def style_hash(snap: Snapshot) -> str:
    """The CSP source allowing exactly :func:`css` (no inline style attributes are used)."""
    digest = hashlib.sha256(css(snap).encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _text_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG relative luminance)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def _when(snap: Snapshot, post: Post) -> str:
    moment = post.updated_at.astimezone(snap.tz)
    return f"{moment:%b %d, %H:%M} {moment.tzname() or ''}".strip()


def _bars(snap: Snapshot, component: Component, days: list[Day]) -> str:
    """The 90-day bar: one green strip, with only the days that were not fully up (or not
    known) drawn over it, so a quiet component costs a few hundred bytes."""
    total = overall_uptime(days)
    # One path per colour, a 1-unit column per day: ~15 bytes a day instead of a <rect>.
    columns: dict[str, list[str]] = {}
    bad: list[str] = []
    for index, day in enumerate(days):
        if day.worst is ComponentStatus.OPERATIONAL:
            continue
        colour = COLOURS["none"] if day.worst is None else COLOURS[day.worst]
        columns.setdefault(colour, []).append(f"M{index} 0h1v10h-1z")
        if day.worst is not None:
            bad.append(f"{LABELS[day.worst].lower()} on {day.day:%b %d}")
    paths = "".join(f'<path fill="{c}" d="{"".join(d)}"/>' for c, d in columns.items())
    share = "no data" if total is None else f"{total * 100:.2f}% uptime"
    label = f"{component.name}: {share} over {DAYS} days"
    if bad:
        label += "; " + "; ".join(bad)
    return (
        f'<svg class="bar" viewBox="0 0 {DAYS} 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}"><rect width="{DAYS}" height="10" '
        f'fill="{COLOURS["operational"]}"/>{paths}</svg>'
        f'<span class="u">{DAYS} days ago · {escape(share)} · today</span>'
    )


def _component(snap: Snapshot, c: Component, heading: str) -> str:
    status = snap.status_of(c.id)
    days = snap.uptime.get(c.id)
    bar = _bars(snap, c, days) if days else ""
    desc = f"<br><span class='u'>{escape(c.description)}</span>" if c.description else ""
    return (
        f'<li class="c"><{heading}>{escape(c.name)}</{heading}>'
        f'<span class="s st-{status.value}">{LABELS[status]}</span>'
        f"{desc}{bar}</li>"
    )


def _components(snap: Snapshot) -> str:
    page = snap.page
    visible = [
        c
        for c in page.components
        if not c.only_show_if_degraded or snap.status_of(c.id) != ComponentStatus.OPERATIONAL
    ]
    items: list[tuple[int, str, str]] = []
    for c in visible:
        if c.group_id is None or not any(g.id == c.group_id for g in page.groups):
            items.append((c.position, c.name, _component(snap, c, "h3")))
    for g in page.groups:
        kids = sorted(
            (c for c in visible if c.group_id == g.id), key=lambda k: (k.position, k.name)
        )
        if not kids:
            continue
        inner = "".join(_component(snap, k, "h4") for k in kids)
        items.append(
            (g.position, g.name, f'<li class="g"><h3>{escape(g.name)}</h3><ul>{inner}</ul></li>')
        )
    return "<ul>" + "".join(i[2] for i in sorted(items, key=lambda t: (t[0], t[1]))) + "</ul>"


def _post(snap: Snapshot, post: Post, *, link: bool, heading: str = "h3") -> str:
    status = maintenance_state(post, snap.now) if post.kind == "maintenance" else post.status
    title = escape(post.name)
    if link:
        title = f'<a href="{escape(snap.url)}/incidents/{post.id}">{title}</a>'
    updates = "".join(
        f"<li><strong>{escape(LABELS.get(u.status, u.status))}</strong> - {escape(u.body)} "
        f"<small>{u.created_at.astimezone(snap.tz):%b %d, %H:%M %Z}</small></li>"
        for u in reversed(post.updates)
    )
    window = ""
    if post.kind == "maintenance" and post.scheduled_for and post.scheduled_until:
        window = (
            f"<p>Scheduled {post.scheduled_for.astimezone(snap.tz):%b %d, %H:%M} - "
            f"{post.scheduled_until.astimezone(snap.tz):%b %d, %H:%M %Z}</p>"
        )
    names = [c.name for cid in post.component_ids if (c := snap.page.component(cid))]
    affected = f"<p>Affects: {escape(', '.join(names))}</p>" if names else ""
    kind = " m" if post.kind == "maintenance" else ""
    return (
        f'<article class="post{kind}"><{heading}>{title}</{heading}>'
        f"<p><strong>{LABELS.get(status, status)}</strong> · updated {_when(snap, post)}</p>"
        f"{window}{affected}<ul>{updates}</ul></article>"
    )


def _frame(snap: Snapshot, title: str, body: str) -> str:
    page = snap.page
    logo = (
        f'<img src="{escape(page.branding.logo_url)}" alt="{escape(page.name)} logo" height="40">'
        if page.branding.logo_url
        else ""
    )
    url = escape(snap.url)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="alternate" type="application/rss+xml" href="{url}/history.rss" '
        f'title="{escape(page.name)} RSS">'
        f'<link rel="alternate" type="application/atom+xml" href="{url}/history.atom" '
        f'title="{escape(page.name)} Atom">'
        f"<style>{css(snap)}</style></head><body>"
        f"<header>{logo}"
        f'<a href="{url}">{escape(page.name)} status</a></header>'
        f"<main>{body}</main></body></html>"
    )


def page_html(snap: Snapshot, *, subscribe: bool) -> str:
    o = snap.overall()
    active = snap.incidents(unresolved=True)
    windows = snap.maintenances(states=("scheduled", "in_progress", "verifying"))
    parts = [
        f"<h1>{escape(snap.page.name)} status</h1>",
        f'<p class="banner b-{o.indicator}" role="status">{o.description}</p>',
    ]
    if snap.page.description:
        parts.append(f"<p>{escape(snap.page.description)}</p>")
    if active:
        parts.append('<section aria-labelledby="inc"><h2 id="inc">Active incidents</h2>')
        parts.extend(_post(snap, p, link=True) for p in active)
        parts.append("</section>")
    if windows:
        parts.append('<section aria-labelledby="mnt"><h2 id="mnt">Scheduled maintenance</h2>')
        parts.extend(_post(snap, p, link=True) for p in windows)
        parts.append("</section>")
    parts.append(
        f'<section aria-labelledby="cmp"><h2 id="cmp">Components</h2>{_components(snap)}</section>'
    )
    url = escape(snap.url)
    form = ""
    if subscribe:
        form = (
            f'<form method="post" action="{url}/subscribe">'
            '<label for="email">Get e-mail updates</label>'
            '<input id="email" name="email" type="email" autocomplete="email" required> '
            "<button>Subscribe</button></form>"
        )
    parts.append(
        f'<footer><h2>Follow</h2>{form}<p><a href="{url}/history.rss">RSS</a> · '
        f'<a href="{url}/history.atom">Atom</a> · '
        f'<a href="{url}/api/v2/summary.json">JSON</a></p></footer>'
    )
    return _frame(snap, f"{snap.page.name} status", "".join(parts))


def post_html(snap: Snapshot, post: Post) -> str:
    body = f"<h1>{escape(snap.page.name)} status</h1>{_post(snap, post, link=False, heading='h2')}"
    body += f'<p><a href="{escape(snap.url)}">All systems</a></p>'
    return _frame(snap, f"{post.name} - {snap.page.name} status", body)


def message_html(snap: Snapshot, title: str, text: str, *, form: str = "") -> str:
    """A short answer page (subscription confirmed, unsubscribe button, ...)."""
    body = f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{form}"
    body += f'<p><a href="{escape(snap.url)}">Back to {escape(snap.page.name)} status</a></p>'
    return _frame(snap, title, body)
