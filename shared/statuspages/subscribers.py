"""E-mail subscribers of a page: double opt-in, one-click unsubscribe, and the notices that tell
them about new posts and updates.

- **Sign-up** stores an unconfirmed subscriber and e-mails a signed confirm link (``tokens``);
  only a confirmed subscriber is ever sent a notice. A repeated sign-up sends at most one
  confirmation per address per 10 minutes, and the answer is the same whether the address was
  new, pending or confirmed (the form tells nobody who subscribes).
- **Unsubscribe** links are signed per page and address; following one removes the subscriber.
- **Notices** are bundled and rate-limited: each post or update is queued (``status_outbox``)
  due ``bundle`` later, and when a page's first notice falls due, everything queued for the
  page goes out as one e-mail per subscriber. After a send, the page's next e-mail waits at
  least ``bundle`` (a throttle document), so a burst of updates is one or two e-mails, never
  one per update. Sending goes through the notification channels' e-mail channel
  (``shared.notifications.channels``) with an idempotency key per bundle and subscriber, so a
  retried bundle has the same Message-ID.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from shared.errors import NotFound
from shared.notifications.channels import Channel, PermanentDeliveryError
from shared.notifications.render import Message
from shared.statuspages import store as pages
from shared.statuspages import tokens
from shared.statuspages.models import Post, PostUpdate, StatusPage, Subscriber
from shared.statuspages.rollup import LABELS
from shared.statuspages.store import Notice
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

ASK_AGAIN_AFTER = timedelta(minutes=10)

PageUrl = Callable[[StatusPage], str]


async def queue_notice(
    store: DocumentStore, *, post: Post, update: PostUpdate, now: datetime, bundle: timedelta
) -> None:
    await pages.add_notice(
        store,
        Notice(
            id=f"{post.id}-{update.id}",
            page_id=post.page_id,
            post_id=post.id,
            update_id=update.id,
            due_at=now + bundle,
        ),
    )


async def subscribe(
    *,
    store: DocumentStore,
    page: StatusPage,
    email: str,
    now: datetime,
    secret: str,
    channel: Channel,
    url: str,
) -> None:
    """Record a sign-up and send its confirm link (see the module docstring)."""
    tokens.check_secret(secret)
    address = tokens.normalise_address(email)
    sid = tokens.subscriber_id(page.id, address)
    existing, _ = await pages.load_subscriber(store, page.id, sid)
    if existing is not None and existing.confirmed:
        return
    if existing is not None and existing.asked_at and now - existing.asked_at < ASK_AGAIN_AFTER:
        return
    subscriber = Subscriber(
        id=sid,
        page_id=page.id,
        email=address,
        created_at=existing.created_at if existing else now,
        asked_at=now,
    )
    await pages.save_subscriber(store, subscriber)
    token = tokens.issue(secret=secret, page_id=page.id, email=address, purpose="confirm", now=now)
    link = f"{url}/confirm?token={token}"
    text = (
        f"Someone (hopefully you) asked for e-mail updates from the {page.name} status page.\n"
        f"Confirm with this link (valid for 7 days): {link}\n"
        "If it was not you, ignore this message: nothing will be sent."
    )
    message = Message(
        subject=f"Confirm your subscription to {page.name} status",
        text=text,
        html=f"<p>{escape(text).replace(chr(10), '<br>')}</p>",
        short=f"Confirm {page.name} status updates: {link}",
        url=link,
    )
    await channel.send(
        target=address,
        message=message,
        payload={"page_id": page.id, "kind": "status_confirm"},
        idempotency_key=f"status-confirm:{sid}:{int(now.timestamp())}",
    )


async def confirm(
    *, store: DocumentStore, page: StatusPage, token: str, now: datetime, secret: str
) -> bool:
    """Confirm the subscriber the token names; False when there is none any more."""
    sid = tokens.verify(secret=secret, token=token, page_id=page.id, purpose="confirm", now=now)
    subscriber, _ = await pages.load_subscriber(store, page.id, sid)
    if subscriber is None:
        return False
    if not subscriber.confirmed:
        await pages.save_subscriber(
            store, subscriber.model_copy(update={"confirmed": True, "confirmed_at": now})
        )
    return True


async def unsubscribe(
    *, store: DocumentStore, page: StatusPage, token: str, now: datetime, secret: str
) -> None:
    sid = tokens.verify(secret=secret, token=token, page_id=page.id, purpose="unsubscribe", now=now)
    await pages.delete_subscriber(store, page.id, sid)


def check_token(*, page: StatusPage, token: str, now: datetime, secret: str) -> None:
    """:class:`~shared.statuspages.tokens.BadToken` unless ``token`` is an unsubscribe link of
    this page (the unsubscribe page checks before it shows its button)."""
    tokens.verify(secret=secret, token=token, page_id=page.id, purpose="unsubscribe", now=now)


def _bundle_message(
    page: StatusPage, url: str, posts: dict[str, Post], notices: list[Notice], unsubscribe: str
) -> Message:
    lines: list[str] = []
    for n in notices:
        post = posts.get(n.post_id)
        update = next((u for u in post.updates if u.id == n.update_id), None) if post else None
        if post is None or update is None:
            continue
        lines.append(f"{post.name} - {LABELS.get(update.status, update.status)}: {update.body}")
        lines.append(f"  {url}/incidents/{post.id}")
    first = posts.get(notices[0].post_id)
    subject = f"[{page.name} status] " + (
        first.name if first and len(notices) == 1 else f"{len(notices)} updates"
    )
    text = "\n".join(lines) + f"\n\nUnsubscribe: {unsubscribe}"
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    body += f'<p><a href="{escape(unsubscribe)}">Unsubscribe</a></p>'
    return Message(subject=subject, text=text, html=body, short=subject, url=url)


async def flush(
    *,
    store: DocumentStore,
    channel: Channel,
    secret: str,
    now: datetime,
    bundle: timedelta,
    page_url: PageUrl,
) -> int:
    """Send every page whose notices are due its bundle; the number of e-mails sent. A page
    whose send fails transiently keeps its notices for the next run."""
    due = await pages.due_notices(store, now=now)
    sent = 0
    for page_id in dict.fromkeys(n.page_id for n in due):
        try:
            page, _ = await pages.load_page(store, page_id)
        except NotFound:
            continue
        sent += await _send_page(store, page, channel, secret, now, bundle, page_url(page))
    return sent


async def _send_page(
    store: DocumentStore,
    page: StatusPage,
    channel: Channel,
    secret: str,
    now: datetime,
    bundle: timedelta,
    url: str,
) -> int:
    notices = await pages.page_notices(store, page.id)
    last = await pages.last_emailed(store, page.id)
    if last is not None and last + bundle > now:
        return 0
    if not notices:
        return 0
    posts = {}
    for post_id in dict.fromkeys(n.post_id for n in notices):
        try:
            posts[post_id], _ = await pages.load_post(store, page.id, post_id)
        except NotFound:
            continue
    key = hashlib.sha256("".join(n.id for n in notices).encode()).hexdigest()[:24]
    sent = 0
    continuation: str | None = None
    while True:
        batch, continuation = await pages.confirmed_subscribers(
            store, page.id, limit=200, continuation=continuation
        )
        for sub in batch:
            token = tokens.issue(
                secret=secret, page_id=page.id, email=sub.email, purpose="unsubscribe", now=now
            )
            message = _bundle_message(page, url, posts, notices, f"{url}/unsubscribe?token={token}")
            try:
                await channel.send(
                    target=sub.email,
                    message=message,
                    payload={"page_id": page.id, "kind": "status_notice"},
                    idempotency_key=f"status:{page.id}:{key}:{sub.id}",
                )
                sent += 1
            except PermanentDeliveryError as exc:
                log.warning("status notice to a subscriber of %s refused: %s", page.id, exc)
        if continuation is None:
            break
    for n in notices:
        await pages.drop_notice(store, page.id, n.id)
    await pages.set_last_emailed(store, page.id, now)
    return sent
