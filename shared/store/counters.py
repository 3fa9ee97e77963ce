"""The ``counters`` container: named numbers that only count up.

Incident numbers, round-robin turns and verification-code budgets each keep their counters
here, one document per counter (partitioned by its own id), under ids their owners choose
(``rr:<team>``, ``verify:user:<id>:<hour>``). Counting is the store's atomic increment on every
backend, so two instances never take the same number and no count is lost.
"""

from __future__ import annotations

from shared.store.port import DocumentStore

COUNTERS = "counters"


async def count_up(store: DocumentStore, counter_id: str) -> int:
    """Add one to the counter (a new one starts at 0) and return its new value."""
    return await store.increment(COUNTERS, counter_id, counter_id, "value")
