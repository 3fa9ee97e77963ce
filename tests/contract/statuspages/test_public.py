"""The public surface through ``shared.statuspages.public.serve`` on the real store: who may read
a restricted page, caching (ETag, 304, HEAD), the HTML's size and safety, and the feeds as a real
feed reader reads them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import feedparser

from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.errors import Unauthenticated
from shared.statuspages import service
from shared.statuspages import store as pages
from shared.statuspages.models import (
    PostBody,
    UpdateBody,
)
from shared.statuspages.public import PublicReply, serve
from shared.store.port import DocumentStore
from tests.contract.statuspages.world import (
    T0,
    Mailbox,
    make_page,
    member,
    open_incident,
    ports,
)
from tests.fixtures.statuspages import busy_page

PERSON = Principal(kind=PrincipalKind.USER, id="u1", roles=frozenset())
APP = Principal(kind=PrincipalKind.APP, id="app1", roles=frozenset({AppRole.VIEWER}))


async def get(
    store: DocumentStore,
    slug: str,
    path: str = "",
    *,
    now: datetime = T0,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    **kw: Any,
) -> PublicReply:
    return await serve(
        ports=ports(store, Mailbox(), now, **kw),
        method=method,
        slug=slug,
        path=path,
        query={},
        headers=headers or {},
        body=b"",
    )


async def test_a_restricted_page_refuses_anonymous_callers_and_apps(store: DocumentStore) -> None:
    page = await make_page(store, "a", visibility="restricted")

    async def who(authorization: str | None) -> Principal:
        if authorization == "Bearer person":
            return PERSON
        if authorization == "Bearer app":
            return APP
        raise Unauthenticated("bad token")

    for path in ("", "history.rss", "history.atom", "api/v2/summary.json", "api/v2/status.json"):
        anonymous = await get(store, page.slug, path, authenticate=who)
        assert anonymous.status == 401 and anonymous.headers["WWW-Authenticate"].startswith(
            "Bearer"
        )
        assert b"Team a" not in anonymous.body and b"API" not in anonymous.body
        forged = await get(store, page.slug, path, authenticate=who, headers={"Authorization": "x"})
        assert forged.status == 401
        app = await get(
            store, page.slug, path, authenticate=who, headers={"Authorization": "Bearer app"}
        )
        assert app.status == 403
        person = await get(
            store, page.slug, path, authenticate=who, headers={"Authorization": "Bearer person"}
        )
        assert person.status == 200, person.body
        assert person.headers["Cache-Control"].startswith("private")
        assert "Access-Control-Allow-Origin" not in person.headers
    sign_up = await serve(
        ports=ports(store, Mailbox(), T0, authenticate=who),
        method="POST",
        slug=page.slug,
        path="subscribe",
        query={},
        headers={"Authorization": "Bearer person", "Content-Type": "application/json"},
        body=b'{"email": "x@example.com"}',
    )
    assert sign_up.status == 403


async def test_views_carry_etag_and_cache_control_and_answer_304_and_head(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a")
    for path in ("", "history.rss", "history.atom", "api/v2/summary.json"):
        first = await get(store, page.slug, path)
        assert first.status == 200 and first.headers["Cache-Control"] == "public, max-age=30"
        etag = first.headers["ETag"]
        again = await get(store, page.slug, path, headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        head = await get(store, page.slug, path, method="HEAD")
        assert head.status == 200 and head.body == b"" and head.headers["ETag"] == etag
    cors = await get(store, page.slug, "api/v2/components.json")
    assert cors.headers["Access-Control-Allow-Origin"] == "*"
    preflight = await get(store, page.slug, "api/v2/summary.json", method="OPTIONS")
    assert preflight.status == 204
    # A change of what the page shows is a new ETag.
    await open_incident(store, team="a", service_id="svc-a", at=T0 - timedelta(hours=1))
    changed = await get(store, page.slug, "api/v2/summary.json")
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert (await get(store, "nope")).status == 404
    assert (await get(store, page.slug, "api/v2/nothing.json")).status == 404
    assert (await get(store, page.slug, "", method="POST")).status == 405


async def test_the_html_page_is_small_self_contained_and_escaped(store: DocumentStore) -> None:
    page = await busy_page(store, team="a", slug="busy", now=T0)
    await open_incident(store, team="a", service_id="svc-a", at=T0 - timedelta(hours=1))
    await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(name="<script>alert(1)</script>", body="Investigating & <b>bold</b>"),
        now=T0,
    )
    reply = await get(store, page.slug)
    html = reply.body.decode()
    assert reply.status == 200 and len(reply.body) <= 50 * 1024, len(reply.body)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.count('role="img"') == 50
    assert 'lang="en"' in html and "<main>" in html and html.count("<h1>") == 1
    assert html.count(">Major outage<") == 50 and "Major System Outage" in html
    csp = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None and "style=" not in html
    # 90 days of bars: two outage days a month show, each named in the bar's text alternative.
    label = re.search(r'aria-label="(Component 0-0[^"]*)"', html)
    assert label is not None and "major outage on" in label.group(1)


async def test_feeds_read_by_feedparser(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    post = await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(name="Checkout errors & timeouts", body="We are investigating."),
        now=T0,
    )
    await service.add_update(
        store=store,
        principal=member("a"),
        page_id=page.id,
        post_id=post.id,
        body=UpdateBody(body="Fixed <for now>.", status="resolved"),
        now=T0 + timedelta(minutes=30),
    )
    now = T0 + timedelta(hours=1)
    for path, version in (("history.rss", "rss20"), ("history.atom", "atom10")):
        reply = await get(store, page.slug, path, now=now)
        feed = feedparser.parse(reply.body)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == version
        assert feed.feed.title.startswith("Team a")
        [entry] = feed.entries
        assert entry.title == "Checkout errors & timeouts"
        assert entry.link == f"https://oa.example.com/api/status/team-a/incidents/{post.id}"
        body = entry.get("content", [{"value": entry.get("summary", "")}])[0]["value"]
        first = re.search(r"<strong>(.*?)</strong>", body)
        assert first is not None and first.group(1) == "Resolved"
        assert "Fixed &lt;for now&gt;." in body
        moment = entry.published_parsed if version == "rss20" else entry.updated_parsed
        assert moment[:5] == (T0 + timedelta(minutes=30)).timetuple()[:5]


async def test_json_is_served_with_the_page_zone_offset(store: DocumentStore) -> None:
    page = await make_page(store, "a", time_zone="America/Chicago")
    doc = json.loads((await get(store, page.slug, "api/v2/components.json")).body)
    assert doc["page"]["time_zone"] == "America/Chicago"
    assert doc["components"][0]["created_at"].endswith("-05:00")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", doc["components"][0]["start_date"])


async def test_a_broken_stored_page_is_a_logged_500_problem_not_a_crash(
    store: DocumentStore, caplog: Any
) -> None:
    page = await make_page(store, "a")
    doc = await store.get(pages.HISTORY, page.id, T0.strftime("%Y-%m"))
    assert doc is None
    await store.upsert(
        pages.HISTORY, {"id": T0.strftime("%Y-%m"), "page_id": page.id, "opening": 5}
    )
    reply = await get(store, page.slug)
    assert reply.status == 500 and reply.content_type == "application/problem+json"
    assert "opening" not in reply.body.decode()
    assert "failed" in caplog.text
