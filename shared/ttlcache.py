"""A small bounded TTL/LRU cache, per process (API and integration keys, the catalog, dedup
records and incidents in the pipeline, notification lookups).

Per process, not shared: with N instances a change (revocation, rotation) takes effect everywhere
within one TTL. Least-recently-used entries are dropped beyond ``max_entries`` so a flood of
distinct made-up keys cannot grow memory without bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(
        self,
        *,
        ttl_s: float,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self._max = max_entries
        self._now = monotonic
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        """``(hit, value)``; a hit may carry None (a cached "not found")."""
        entry = self._items.get(key)
        if entry is None:
            return False, None
        stored_at, value = entry
        if self._now() - stored_at >= self.ttl_s:
            del self._items[key]
            return False, None
        self._items.move_to_end(key)
        return True, value

    def put(self, key: K, value: V) -> None:
        self._items[key] = (self._now(), value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def discard(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
