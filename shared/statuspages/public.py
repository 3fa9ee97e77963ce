"""The public surface of a status page, independent of Azure Functions: ``functions/statuspages``
hands it method, slug, the rest of the path, headers and body, and sends back the reply.

Paths below a page's root (``/api/status/<slug>`` on the app, or a custom domain's ``/``)::

    (root)                  the HTML page          history.rss, history.atom   feeds
    incidents/<id>          one post's HTML page   api/v2/<document>.json      Statuspage JSON
    subscribe (POST)        e-mail sign-up         confirm?token=              double opt-in
    unsubscribe?token=      GET shows a button, POST unsubscribes (RFC 8058 one-click)

No sign-in is needed for a public page; a restricted page answers only signed-in people of the
organisation (an Entra ID token, as the API takes) and never anonymous callers. Every answer is a
pure rendering of one :class:`~shared.statuspages.snapshot.Snapshot`, so nothing beyond what the
page shows can leak through any of them. Views carry a strong ``ETag`` (a hash of the body) and
``Cache-Control``; ``If-None-Match`` gets a 304. The JSON answers CORS (Statuspage's widget and
browser consumers fetch it cross-origin) and HEAD (exporters probe with it).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any

from shared.auth.models import Principal, PrincipalKind
from shared.errors import Forbidden, NotFound, OpenAlertError, RateLimited, Unauthenticated
from shared.notifications.channels import Channel
from shared.pipeline.ratelimit import RateLimiter
from shared.statuspages import feeds, live, render, statuspage_json, subscribers
from shared.statuspages import store as pages
from shared.statuspages.forms import subscribe_address
from shared.statuspages.models import StatusPage
from shared.statuspages.snapshot import Snapshot
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)
Authenticate = Callable[[str | None], Awaitable[Principal]]
MAX_AGE = 30
SIGNUPS_PER_MINUTE = 30
JSON_PREFIX = "api/v2/"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


@dataclass(frozen=True)
class PublicPorts:
    store: DocumentStore
    authenticate: Authenticate
    #: PUBLIC_BASE_URL without a trailing slash: page links name it, never the Host header.
    base_url: str
    #: STATUS_TOKEN_SECRET.
    secret: str
    #: The e-mail channel (the console channel where none is configured).
    email: Channel
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: Sign-ups per page (in process): each sends an e-mail, so a script posting addresses
    #: must not turn a page into a mail cannon.
    signups: RateLimiter = field(default_factory=RateLimiter)


@dataclass(frozen=True)
class PublicReply:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def page_url(page: StatusPage, base_url: str) -> str:
    """The page's public address: its custom domain's root, else its path on the app."""
    if page.custom_domain:
        return f"https://{page.custom_domain}"
    return f"{base_url.rstrip('/')}/api/status/{page.slug}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _problem(exc: OpenAlertError) -> PublicReply:
    doc: dict[str, Any] = {
        "type": f"https://openalert.dev/problems/{exc.type_slug}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        **exc.extensions,
    }
    headers = {"Cache-Control": "no-store"}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="openalert"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return PublicReply(exc.status, json.dumps(doc).encode(), "application/problem+json", headers)


async def _admit(ports: PublicPorts, page: StatusPage, headers: Mapping[str, str]) -> None:
    """A restricted page answers signed-in people of the organisation only."""
    if page.visibility == "public":
        return
    authorization = _header(headers, "authorization")
    if not authorization:
        raise Unauthenticated("This status page is for signed-in people of the organisation.")
    principal = await ports.authenticate(authorization)
    if principal.kind is not PrincipalKind.USER:
        raise Forbidden("This status page is for signed-in people of the organisation.")


def _view(
    body: str,
    content_type: str,
    page: StatusPage,
    headers: Mapping[str, str],
    extra: dict[str, str],
) -> PublicReply:
    raw = body.encode()
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    scope = "public" if page.visibility == "public" else "private"
    out = {
        "ETag": etag,
        "Cache-Control": f"{scope}, max-age={MAX_AGE}",
        "X-Content-Type-Options": "nosniff",
        **extra,
    }
    if page.visibility == "restricted":
        out["Vary"] = "Authorization"
    wanted = _header(headers, "if-none-match")
    if wanted and any(t.strip().removeprefix("W/") == etag for t in wanted.split(",")):
        return PublicReply(304, b"", content_type, out)
    return PublicReply(200, raw, content_type, out)


def _html_headers(snap: Snapshot) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src '{render.style_hash(snap)}'; img-src https:; "
            "form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
    }


async def serve(
    *,
    ports: PublicPorts,
    method: str,
    slug: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> PublicReply:
    """Answer one public request (see the module docstring); errors become problem+json."""
    method = method.upper()
    try:
        page_id = await pages.page_id_for_slug(ports.store, slug)
        if page_id is None:
            raise NotFound(f"There is no status page {slug!r}.")
        page, _ = await pages.load_page(ports.store, page_id)
        path = path.strip("/")
        if method == "OPTIONS" and path.startswith(JSON_PREFIX) and page.visibility == "public":
            return PublicReply(204, headers=dict(CORS))
        await _admit(ports, page, headers)
        reply = await _route(ports, page, method, path, query, headers, body)
    except OpenAlertError as exc:
        reply = _problem(exc)
    except Exception:
        # Logged with the slug only (a token in the query is a credential).
        log.exception("status page %r: %s %s failed", slug, method, path.split("?")[0])
        reply = _problem(OpenAlertError("The request failed on the server; it has been logged."))
    if method == "HEAD":
        return PublicReply(reply.status, b"", reply.content_type, reply.headers)
    return reply


async def _route(
    ports: PublicPorts,
    page: StatusPage,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> PublicReply:
    url = page_url(page, ports.base_url)
    now = ports.clock()
    reading = method in ("GET", "HEAD")
    if path in ("subscribe", "confirm", "unsubscribe"):
        return await _subscription(ports, page, url, method, path, query, headers, body, now)
    if not reading:
        raise MethodNotAllowed(f"{method} is not supported here.")
    snap = await live.snapshot(ports.store, page, url=url, now=now, with_uptime=path == "")
    if path == "":
        html = render.page_html(snap, subscribe=page.visibility == "public")
        return _view(html, "text/html; charset=utf-8", page, headers, _html_headers(snap))
    if path == "history.rss":
        return _view(feeds.rss(snap), "application/rss+xml; charset=utf-8", page, headers, {})
    if path == "history.atom":
        return _view(feeds.atom(snap), "application/atom+xml; charset=utf-8", page, headers, {})
    if path.startswith("incidents/") and path.count("/") == 1:
        post = next((p for p in snap.posts if p.id == path.split("/")[1]), None)
        if post is None:
            raise NotFound("There is no such incident on this page.")
        html = render.post_html(snap, post)
        return _view(html, "text/html; charset=utf-8", page, headers, _html_headers(snap))
    if path.startswith(JSON_PREFIX):
        doc = statuspage_json.document(snap, path.removeprefix(JSON_PREFIX))
        if doc is not None:
            text = json.dumps(doc, separators=(",", ":"))
            cors = dict(CORS) if page.visibility == "public" else {}
            return _view(text, "application/json", page, headers, cors)
    raise NotFound("There is nothing at this address of the status page.")


class MethodNotAllowed(OpenAlertError):
    status = 405
    title = "Method not allowed"
    type_slug = "method-not-allowed"


async def _subscription(
    ports: PublicPorts,
    page: StatusPage,
    url: str,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> PublicReply:
    if page.visibility != "public":
        raise Forbidden("A restricted page has no e-mail subscriptions.")
    snap = Snapshot(page=page, url=url, now=now, shown={}, posts=())
    no_store = {"Cache-Control": "no-store", **_html_headers(snap)}

    def answer(status: int, title: str, text: str, form: str = "") -> PublicReply:
        html = render.message_html(snap, title, text, form=form)
        return PublicReply(status, html.encode(), "text/html; charset=utf-8", no_store)

    if path == "subscribe":
        if method != "POST":
            raise MethodNotAllowed("Sign up with a POST of the form on the page.")
        address = subscribe_address(_header(headers, "content-type") or "", body)
        try:
            ports.signups.take(
                f"status-signup:{page.id}", per_minute=SIGNUPS_PER_MINUTE, burst=SIGNUPS_PER_MINUTE
            )
        except RateLimited as exc:
            raise RateLimited(
                "Too many sign-ups on this page just now; try again shortly.",
                retry_after=exc.retry_after,
            ) from None
        await subscribers.subscribe(
            store=ports.store,
            page=page,
            email=address,
            now=now,
            secret=ports.secret,
            channel=ports.email,
            url=url,
        )
        return answer(
            202,
            "Check your e-mail",
            "If the address can receive updates, a confirmation link is on its way. "
            "Nothing is sent until it is followed.",
        )
    token = query.get("token", "")
    if path == "confirm":
        if method not in ("GET", "HEAD"):
            raise MethodNotAllowed("Follow the link in the e-mail.")
        await subscribers.confirm(
            store=ports.store, page=page, token=token, now=now, secret=ports.secret
        )
        return answer(200, "Subscribed", f"You will get e-mail updates from {page.name} status.")
    if method == "POST":
        await subscribers.unsubscribe(
            store=ports.store, page=page, token=token, now=now, secret=ports.secret
        )
        return answer(200, "Unsubscribed", "You will get no more e-mail from this status page.")
    # A GET only shows the button: mail scanners follow links, and must not unsubscribe anyone.
    subscribers.check_token(page=page, token=token, now=now, secret=ports.secret)
    form = (
        f'<form method="post" action="{escape(url)}/unsubscribe?token={escape(token)}">'
        "<button>Unsubscribe</button></form>"
    )
    return answer(200, "Unsubscribe", f"Stop e-mail updates from {page.name} status?", form)
