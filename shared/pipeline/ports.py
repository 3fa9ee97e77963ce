"""What processing needs: the store, the escalation port, and what an instance's deliveries share.

:class:`InstancePorts` is built once per process (its caches and locks are only worth anything
shared across deliveries); :class:`ProcessPorts` adds the escalation port, which may come with
each invocation (a Durable client is a binding) and is required: processing that pages must
start and signal escalation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.catalog.cache import CatalogCache
from shared.incidents.models import EscalationPort, Incident
from shared.pipeline.claimcheck import ClaimCheck
from shared.pipeline.keyed_locks import KeyedLocks
from shared.store.port import DocumentStore
from shared.ttlcache import TtlCache


@dataclass(frozen=True)
class InstancePorts:
    """One instance's store, clock and the caches its deliveries share."""

    store: DocumentStore
    claim_check: ClaimCheck | None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    catalog: CatalogCache = field(default_factory=CatalogCache)
    keys: KeyedLocks = field(default_factory=KeyedLocks)
    #: Dedup records this instance read lately, by (integration id, dedup key): a storm's
    #: duplicates skip the record read (see ``_Run._apply_keyed`` for when it is trusted).
    records: TtlCache[tuple[str, str], dict[str, Any]] = field(
        default_factory=lambda: TtlCache(ttl_s=300.0, max_entries=50_000)
    )
    #: Incidents as this instance last read or wrote them, with their etags: a duplicate tries
    #: its etag-guarded write on this copy first, so a storm's duplicate is one write. A stale
    #: copy costs one failed write and a fresh read, never a wrong change. Few entries: an
    #: incident document carries up to ``alertlog.RECENT_ALERTS_KEPT`` alert records.
    incidents: TtlCache[str, tuple[Incident, str]] = field(
        default_factory=lambda: TtlCache(ttl_s=60.0, max_entries=1_000)
    )

    def with_escalation(self, escalation: EscalationPort) -> ProcessPorts:
        """These ports, sharing this instance's caches, with ``escalation``."""
        shared = {f.name: getattr(self, f.name) for f in dataclasses.fields(InstancePorts)}
        return ProcessPorts(**shared, escalation=escalation)


@dataclass(frozen=True, kw_only=True)
class ProcessPorts(InstancePorts):
    escalation: EscalationPort
