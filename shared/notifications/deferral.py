"""Deferral and bundling: notification steps that wait, stored with their due time.

Rule waits ("SMS now, call me in 5 minutes"), quiet hours and bundling windows need "later":
Azure Functions Python output bindings cannot schedule messages, so pending steps and held pages
are stored with their due time, the delivery that left them returns that time
(``Outcome.wakes``), and a durable timer started for it calls :func:`flush`, which turns the
due ones into queue messages (:mod:`shared.notifications.waits`). Pages held in a bundling
window leave as one digest per person.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.notifications.delivery import NotifyPorts
from shared.notifications.models import DigestJob, NotifyJob
from shared.notifications.rules import bundle_window_open
from shared.store.codec import utc_iso
from shared.store.port import DocumentStore, lte

PENDING = "notification_pending"
BUNDLES = "notification_bundles"
#: How long a claimed pending step waits before a later flush re-emits and removes it.
CLAIM_GRACE = timedelta(minutes=2)


async def defer(store: DocumentStore, job: NotifyJob, due: datetime) -> None:
    doc_id = f"{job.idempotency_key}:r{job.rule_step}"
    await store.upsert(
        PENDING,
        {"id": doc_id, "pk": doc_id, "due_at": utc_iso(due), "job": job.model_dump(mode="json")},
    )


async def schedule_next(store: DocumentStore, job: NotifyJob, due: datetime) -> None:
    nxt = job.model_copy(update={"rule_step": job.rule_step + 1})
    doc_id = f"{job.idempotency_key}:r{nxt.rule_step}"
    try:
        await store.create(
            PENDING,
            {
                "id": doc_id,
                "pk": doc_id,
                "due_at": utc_iso(due),
                "job": nxt.model_dump(mode="json"),
            },
        )
    except Conflict:
        pass  # scheduled by an earlier delivery of the same message


async def hold_for_bundle(ports: NotifyPorts, job: NotifyJob, now: datetime) -> datetime | None:
    """When this page joins an open window, the window's end (it is held until then); None
    when it opens a window and is sent now. Held pages are small documents of their own, so a
    storm of pages writes one small document each instead of rewriting a growing list."""
    doc_id = f"bundle:{job.user_id}"
    for _ in range(5):
        doc = await ports.store.get(BUNDLES, doc_id, doc_id)
        until = datetime.fromisoformat(doc["window_until"]) if doc else None
        if doc is not None and doc.get("first_key") == job.idempotency_key:
            return None  # a redelivery of the page that opened the window
        if doc is not None and until is not None and bundle_window_open(until, now):
            held_id = f"held:{job.idempotency_key}"
            try:
                await ports.store.create(
                    PENDING,
                    {
                        "id": held_id,
                        "pk": held_id,
                        "kind": "held",
                        "user_id": job.user_id,
                        "incident_id": job.incident_id,
                        "key": job.idempotency_key,
                        "due_at": utc_iso(until),
                    },
                )
            except Conflict:
                pass  # held by an earlier delivery of the same message
            return until
        fresh = {
            "id": doc_id,
            "pk": doc_id,
            "user_id": job.user_id,
            "window_until": utc_iso(now + ports.bundle_window),
            "first_key": job.idempotency_key,
        }
        try:
            if doc is None:
                await ports.store.create(BUNDLES, fresh)
            else:
                await ports.store.replace(BUNDLES, fresh, if_match=doc["_etag"])
        except (Conflict, PreconditionFailed):
            continue  # someone opened a window at the same moment: join it
        return None
    return None


async def release_bundle(store: DocumentStore, job: DigestJob) -> None:
    """The digest went out: its held pages are done (a later flush must not re-emit them)."""
    for key in job.keys:
        held_id = f"held:{key}"
        try:
            await store.delete(PENDING, held_id, held_id)
        except NotFound:
            pass


async def flush(*, ports: NotifyPorts, limit: int = 200) -> list[dict[str, Any]]:
    """Due rule steps, and the pages held in closed bundling windows as one digest per person,
    as queue messages. Each is claimed with an etag-guarded write, so two overlapping flushes
    do not both emit it."""
    now = ports.clock()
    out: list[dict[str, Any]] = []
    due = await ports.store.query(PENDING, where=[lte("due_at", utc_iso(now))], limit=limit)
    held: dict[str, list[dict[str, Any]]] = {}
    for doc in due.items:
        claimed = doc.get("claimed_at")
        if claimed is not None:
            # The output of the run that claimed it is sent only after that run returns, so
            # the doc is kept until well after; then it is emitted once more. Delivery is
            # idempotent per key, so the extra copy is skipped if the first one arrived.
            if datetime.fromisoformat(claimed) > now - CLAIM_GRACE:
                continue
        else:
            try:
                await ports.store.replace(
                    PENDING, {**doc, "claimed_at": utc_iso(now)}, if_match=doc["_etag"]
                )
            except (NotFound, PreconditionFailed):
                continue
        if doc.get("kind") == "held":
            held.setdefault(str(doc["user_id"]), []).append(doc)
            continue
        if claimed is not None:
            await ports.store.delete(PENDING, doc["pk"], doc["id"])
        out.append(dict(doc["job"]))
    for user_id, docs in held.items():
        keys = sorted(str(d["key"]) for d in docs)
        digest_key = "digest:" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:24]
        out.append(
            DigestJob(
                user_id=user_id,
                incident_ids=tuple(dict.fromkeys(str(d["incident_id"]) for d in docs)),
                keys=tuple(keys),
                idempotency_key=digest_key,
            ).model_dump(mode="json")
        )
    return out
