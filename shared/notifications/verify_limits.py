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

from shared.errors import RateLimited
from shared.store.counters import count_up
from shared.store.port import DocumentStore

WINDOW_S = 3600
#: Verification messages one person may trigger per hour.
PER_PERSON_PER_HOUR = 5
#: Verification messages one address may receive per hour, whoever asks.
PER_DESTINATION_PER_HOUR = 3


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
        if await count_up(store, counter_id) > limit:
            raise RateLimited(
                f"Too many verification codes: {who} {limit} this hour. Try again later.",
                retry_after=retry_after,
                limit=limit,
            )
