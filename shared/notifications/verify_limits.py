"""How many verification messages (e-mail, SMS, voice codes) may be sent, per person and per
destination.

Every added contact method that needs proof of ownership costs a message to an address the
caller chose; unbounded, that is SMS pumping (premium numbers paid per message) and a way to
flood a stranger's phone. Counters are fixed one-hour windows in the store's ``counters``
container, so the limit holds across instances. A destination is counted by a hash of its
normalised address (the counter documents hold no phone numbers or e-mail addresses).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from shared.errors import Conflict, PreconditionFailed, RateLimited
from shared.store.port import DocumentStore

COUNTERS = "counters"
WINDOW_S = 3600
#: Verification messages one person may trigger per hour.
PER_PERSON_PER_HOUR = 5
#: Verification messages one address may receive per hour, whoever asks.
PER_DESTINATION_PER_HOUR = 3
#: Optimistic-concurrency retries for one counter increment.
MAX_ATTEMPTS = 10


def _destination(kind: str, address: str) -> str:
    normal = address.strip().lower()
    if kind in ("sms", "voice"):
        # SMS and voice reach the same phone: one budget per number.
        kind, normal = "phone", "".join(c for c in normal if c.isdigit())
    return hashlib.sha256(f"{kind}:{normal}".encode()).hexdigest()[:32]


async def take_verification_slot(
    store: DocumentStore, *, user_id: str, kind: str, address: str, now: datetime
) -> None:
    """Count one verification message, or raise :class:`RateLimited` (429 with Retry-After)
    when the person or the destination has had its share this hour."""
    window = int(now.timestamp()) // WINDOW_S
    retry_after = float((window + 1) * WINDOW_S - now.timestamp())
    budgets = (
        (f"verify:user:{user_id}:{window}", PER_PERSON_PER_HOUR, "you have asked for"),
        (
            f"verify:dest:{_destination(kind, address)}:{window}",
            PER_DESTINATION_PER_HOUR,
            "this address has been sent",
        ),
    )
    for counter_id, limit, who in budgets:
        if await _increment(store, counter_id) > limit:
            raise RateLimited(
                f"Too many verification codes: {who} {limit} this hour. Try again later.",
                retry_after=retry_after,
                limit=limit,
            )


async def _increment(store: DocumentStore, counter_id: str) -> int:
    for _ in range(MAX_ATTEMPTS):
        doc = await store.get(COUNTERS, counter_id, counter_id)
        try:
            if doc is None:
                await store.create(COUNTERS, {"id": counter_id, "pk": counter_id, "value": 1})
                return 1
            value = int(doc["value"]) + 1
            await store.replace(COUNTERS, {**doc, "value": value}, if_match=doc["_etag"])
            return value
        except (Conflict, PreconditionFailed):
            continue
    # Heavily contended: someone is hammering this counter, which is itself over any limit.
    raise RateLimited("Too many verification codes right now.", retry_after=60.0)
