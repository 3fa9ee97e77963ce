"""Subscribers end to end on the real store: double opt-in, one-click unsubscribe, signed tokens
that cannot be forged or replayed for another address, page or purpose, and notices bundled and
rate-limited through an e-mail channel."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.errors import OpenAlertError
from shared.statuspages import service, subscribers, tokens
from shared.statuspages import store as pages
from shared.statuspages.models import PostBody, UpdateBody
from shared.statuspages.public import PublicReply, page_url, serve
from shared.store.port import DocumentStore
from tests.contract.statuspages.world import BASE, SECRET, T0, Mailbox, make_page, member, ports

BUNDLE = timedelta(minutes=2)


async def call(
    store: DocumentStore,
    mailbox: Mailbox,
    slug: str,
    path: str,
    *,
    method: str = "GET",
    token: str = "",
    email: str = "",
    now: datetime = T0,
) -> PublicReply:
    return await serve(
        ports=ports(store, mailbox, now),
        method=method,
        slug=slug,
        path=path,
        query={"token": token} if token else {},
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=f"email={email}".encode() if email else b"",
    )


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_double_opt_in_then_one_click_unsubscribe(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    mail = Mailbox()
    reply = await call(store, mail, page.slug, "subscribe", method="POST", email="Ann@Example.com")
    assert reply.status == 202
    [(to, message, _)] = mail.sent
    assert to == "ann@example.com" and "Confirm" in message.subject
    [link] = mail.links("confirm")
    assert link.startswith(f"{BASE}/api/status/{page.slug}/confirm?token=")
    sid = tokens.subscriber_id(page.id, "ann@example.com")
    pending, _ = await pages.load_subscriber(store, page.id, sid)
    assert pending is not None and not pending.confirmed
    # Signing up again within 10 minutes sends nothing more, and answers the same.
    again = await call(store, mail, page.slug, "subscribe", method="POST", email="ann@example.com")
    assert again.status == 202 and len(mail.sent) == 1
    confirmed = await call(store, mail, page.slug, "confirm", token=token_of(link))
    assert confirmed.status == 200 and b"Subscribed" in confirmed.body
    subscriber, _ = await pages.load_subscriber(store, page.id, sid)
    assert subscriber is not None and subscriber.confirmed
    unsubscribe = tokens.issue(
        secret=SECRET, page_id=page.id, email="ann@example.com", purpose="unsubscribe", now=T0
    )
    shown = await call(store, mail, page.slug, "unsubscribe", token=unsubscribe)
    assert shown.status == 200 and b'method="post"' in shown.body
    assert (await pages.load_subscriber(store, page.id, sid))[
        0
    ] is not None  # a GET changes nothing
    done = await call(store, mail, page.slug, "unsubscribe", method="POST", token=unsubscribe)
    assert done.status == 200
    assert (await pages.load_subscriber(store, page.id, sid))[0] is None


async def test_tokens_cannot_be_forged_or_replayed_for_another_address(
    store: DocumentStore,
) -> None:
    page = await make_page(store, "a")
    other = await make_page(store, "b")
    mail = Mailbox()
    for address in ("ann@example.com", "bob@example.com"):
        await call(store, mail, page.slug, "subscribe", method="POST", email=address)
        await call(store, mail, page.slug, "confirm", token=token_of(mail.links("confirm")[-1]))
    ann = tokens.issue(
        secret=SECRET, page_id=page.id, email="ann@example.com", purpose="unsubscribe", now=T0
    )
    body, mac = ann.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    bob_id = tokens.subscriber_id(page.id, "bob@example.com")
    swapped = base64.urlsafe_b64encode(json.dumps({**claims, "s": bob_id}).encode()).decode()
    forged = [
        f"{swapped.rstrip('=')}.{mac}",  # Ann's MAC on Bob's claims
        tokens.issue(  # signed with another secret
            secret="x" * 40, page_id=page.id, email="bob@example.com", purpose="unsubscribe", now=T0
        ),
        tokens.issue(  # Bob's, but a confirm token
            secret=SECRET, page_id=page.id, email="bob@example.com", purpose="confirm", now=T0
        ),
        tokens.issue(  # Bob's, but for another page
            secret=SECRET, page_id=other.id, email="bob@example.com", purpose="unsubscribe", now=T0
        ),
        tokens.issue(  # Bob's, expired
            secret=SECRET,
            page_id=page.id,
            email="bob@example.com",
            purpose="unsubscribe",
            now=T0 - timedelta(days=401),
        ),
        "",
        "a.b.c",
        ann + "x",
    ]
    for token in forged:
        reply = await call(store, mail, page.slug, "unsubscribe", method="POST", token=token)
        assert reply.status == 400, token
        assert json.loads(reply.body)["type"].endswith("/status-token-invalid")
    assert (await pages.load_subscriber(store, page.id, bob_id))[0] is not None
    # Ann's own token, replayed, only ever removes Ann.
    for _ in range(2):
        reply = await call(store, mail, page.slug, "unsubscribe", method="POST", token=ann)
        assert reply.status == 200
    assert (await pages.load_subscriber(store, page.id, bob_id))[0] is not None


async def test_no_secret_no_sign_up(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    with pytest.raises(OpenAlertError) as off:
        tokens.check_secret("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/s)")
    assert off.value.status == 503
    mail = Mailbox()
    reply = await serve(
        ports=dataclasses.replace(ports(store, mail, T0), secret=""),
        method="POST",
        slug=page.slug,
        path="subscribe",
        query={},
        headers={"Content-Type": "application/json"},
        body=b'{"email": "ann@example.com"}',
    )
    assert reply.status == 503 and not mail.sent


async def test_posts_and_updates_are_bundled_and_rate_limited(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    mail = Mailbox()
    for address in ("ann@example.com", "bob@example.com", "cy@example.com"):
        await call(store, mail, page.slug, "subscribe", method="POST", email=address)
    for link in mail.links("confirm")[:2]:  # Cy never confirms
        await call(store, mail, page.slug, "confirm", token=token_of(link))
    mail.sent.clear()
    post = await service.post_incident(
        store=store,
        principal=member("a"),
        page_id=page.id,
        body=PostBody(name="Checkout errors", body="Investigating"),
        now=T0,
        bundle=BUNDLE,
    )
    await service.add_update(
        store=store,
        principal=member("a"),
        page_id=page.id,
        post_id=post.id,
        body=UpdateBody(body="Found it", status="identified"),
        now=T0 + timedelta(seconds=30),
        bundle=BUNDLE,
    )

    async def flush(at: timedelta) -> int:
        return await subscribers.flush(
            store=store,
            channel=mail,
            secret=SECRET,
            now=T0 + at,
            bundle=BUNDLE,
            page_url=lambda p: page_url(p, BASE),
        )

    assert await flush(timedelta(minutes=1)) == 0  # nothing due yet
    assert await flush(timedelta(minutes=2)) == 2  # one e-mail each, both updates in it
    assert sorted(to for to, _, _ in mail.sent) == ["ann@example.com", "bob@example.com"]
    for _, message, _ in mail.sent:
        assert "Investigating" in message.text and "Found it" in message.text
        assert "/unsubscribe?token=" in message.text
    await service.add_update(
        store=store,
        principal=member("a"),
        page_id=page.id,
        post_id=post.id,
        body=UpdateBody(body="Fixed", status="resolved"),
        now=T0 + timedelta(minutes=2, seconds=10),
        bundle=timedelta(0),
    )
    # Due at once, but the page e-mailed less than a window ago: held until the window ends.
    assert await flush(timedelta(minutes=3)) == 0
    assert await flush(timedelta(minutes=4)) == 2
    assert "Fixed" in mail.sent[-1][1].text and "Found it" not in mail.sent[-1][1].text
    # The unsubscribe link in a notice works for its recipient.
    to, message, _ = mail.sent[-1]
    [link] = [w for w in message.text.split() if "/unsubscribe?token=" in w]
    reply = await call(store, mail, page.slug, "unsubscribe", method="POST", token=token_of(link))
    assert reply.status == 200
    assert (await pages.load_subscriber(store, page.id, tokens.subscriber_id(page.id, to)))[
        0
    ] is None


async def test_sign_ups_per_page_are_rate_limited(store: DocumentStore) -> None:
    page = await make_page(store, "a")
    mail = Mailbox()
    base = ports(store, mail, T0)
    answers = []
    for n in range(31):
        reply = await serve(
            ports=base,
            method="POST",
            slug=page.slug,
            path="subscribe",
            query={},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=f"email=user{n}@example.com".encode(),
        )
        answers.append(reply)
    assert [r.status for r in answers[:30]] == [202] * 30
    assert answers[30].status == 429 and int(answers[30].headers["Retry-After"]) >= 1
    assert len(mail.sent) == 30
