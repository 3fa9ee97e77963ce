"""Per-integration token bucket (in process memory), counting alerts: a request takes one
token per alert it carries.

Each instance enforces the integration's rate on its own, so with N instances a sender can get
up to N times the configured rate: the limit protects an instance and the queue from one noisy
sender, it is not a billing quota. Named defaults live on the integration model.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.errors import RateLimited


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, *, monotonic: Callable[[], float] = time.monotonic, max_buckets: int = 10_000
    ) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._now = monotonic
        self._max = max_buckets

    def take(self, key: str, *, per_minute: int, burst: int, cost: int = 1) -> None:
        """Consume ``cost`` tokens (one per alert) or raise :class:`RateLimited` with the
        seconds until enough are back.

        A cost above the burst (a batch bigger than the whole bucket) needs a full bucket and
        leaves it in debt for the rest: such a batch is never refused for good (the sender
        would retry it forever), yet every alert in it counts against what follows."""
        now = self._now()
        rate = per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max:
                self._buckets.pop(next(iter(self._buckets)))
            bucket = self._buckets[key] = _Bucket(tokens=float(burst), updated=now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        need = float(min(cost, burst))
        if bucket.tokens < need:
            raise RateLimited(
                f"integration rate limit of {per_minute} alerts/min exceeded",
                retry_after=(need - bucket.tokens) / rate,
            )
        bucket.tokens -= cost
