"""Waits in personal notification rules, scheduled rather than polled.

A rule step that waits ("SMS now, call me in 5 minutes"), a page deferred past quiet hours and
a bundling window that closes all leave a document in ``notification_pending`` with its due
time (see :mod:`shared.notifications.deferral`). Those documents stay the record; what changed
is how they are released. Instead of a timer every few seconds (which on Flex Consumption is
~17,000 billed executions a day and an app that never scales to zero), the delivery that writes
one starts a small orchestration, the *wake*, whose durable timer fires at the due time:

    wake(due) ── timer(due) ──▶ release (the due documents become queue messages)
                             ──▶ settle (forget the documents those messages carry)

The two activities are separate because an activity's queue output is sent only when it
returns: a document is deleted only after the message carrying its job is on the queue. One
wake per due second (the instance id is the time), so a storm of pages that close one window
starts one wake, and a redelivered message that starts it again finds it running. The
``notify_flush`` timer stays as a once-a-minute sweep for a wake that could not be started.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from shared.durable import OrchestrationStarter
from shared.errors import NotFound
from shared.notifications.deferral import PENDING, flush
from shared.notifications.delivery import NotifyPorts
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore

log = logging.getLogger(__name__)

ORCHESTRATOR = "notify_wake"
ACTIVITY_RELEASE = "notify_release"
ACTIVITY_SETTLE = "notify_settle"


#: The part of ``DurableOrchestrationClient`` a delivery uses to schedule a wake.
WakeStarter = OrchestrationStarter


def wake_time(due: datetime) -> datetime:
    """The whole second at or after ``due``: the timer never fires before a document is due."""
    seconds = math.ceil(due.astimezone(UTC).timestamp())
    return datetime.fromtimestamp(seconds, UTC)


def wake_id(at: datetime) -> str:
    return f"notify-wake-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


async def schedule_wakes(client: WakeStarter, dues: Iterable[datetime]) -> int:
    """Start one wake per distinct due second; returns how many were started. A wake already
    running for that second is the one wanted. Any other failure is logged and left to the
    minute sweep: the document is written, so the step goes out late rather than never, and
    failing the delivery would only resend what went out already."""
    started = 0
    for at in sorted({wake_time(d) for d in dues}):
        try:
            await client.start_new(ORCHESTRATOR, wake_id(at), {"due": utc_iso(at)})
            started += 1
        except Exception as exc:  # the Durable client raises plain Exception with the text
            if "already exists" not in str(exc):
                log.warning("could not schedule the notification wake at %s: %s", at, exc)
    return started


def orchestrate(context: Any) -> Generator[Any, Any, int]:
    """The wake: wait for the due time, release what is due, then forget what was released.
    Deterministic: the only clock is ``context.current_utc_datetime``."""
    due = datetime.fromisoformat(str(context.get_input()["due"]))
    if due > context.current_utc_datetime:
        yield context.create_timer(due)
    released: list[dict[str, str]] = yield context.call_activity(ACTIVITY_RELEASE, {})
    if released:
        yield context.call_activity(ACTIVITY_SETTLE, released)
    return len(released)


async def release(*, ports: NotifyPorts) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The due documents as queue messages (the flush), and for each rule-step document it
    claimed the id and claim stamp ``settle`` needs. Digests need nothing: delivering one
    deletes the pages it held."""
    stamp = ports.clock()
    messages = await flush(ports=replace(ports, clock=lambda: stamp))
    claimed = [
        {"id": f"{m['idempotency_key']}:r{m.get('rule_step', 0)}", "claimed_at": utc_iso(stamp)}
        for m in messages
        if m.get("type") == "notify"
    ]
    return messages, claimed


async def settle(*, store: DocumentStore, released: list[dict[str, str]]) -> int:
    """Delete the documents a release claimed, now that their jobs are on the queue. Only
    while the document still carries that claim: a step deferred again meanwhile (quiet hours)
    wrote a fresh, unclaimed document under the same id, which must stay."""
    forgotten = 0
    for item in released:
        doc = await store.get(PENDING, item["id"], item["id"])
        if doc is None or doc.get("claimed_at") != item["claimed_at"]:
            continue
        try:
            await store.delete(PENDING, item["id"], item["id"])
            forgotten += 1
        except NotFound:
            pass
    return forgotten
