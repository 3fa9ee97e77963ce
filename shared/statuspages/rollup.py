"""The page's overall status and a post's impact, as Atlassian Statuspage computes them. Pure.

The overall indicator comes from the components alone (Atlassian: "calculated based on all
components of a page"; an open incident with every component operational stays ``none``), by the
worst status among non-group components and whether all or only some components have it. The
description is one of Statuspage's seven exact strings, which widgets match literally
(docs/status-pages.md cites the sources, /work/shared/reference/statuspage-api.md section 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.statuspages.models import SEVERITY_RANK, ComponentStatus, Impact

ALL_OPERATIONAL = "All Systems Operational"


@dataclass(frozen=True)
class Overall:
    indicator: str
    description: str


def overall(statuses: Iterable[ComponentStatus]) -> Overall:
    """Statuspage's ``status`` object for a page whose components show ``statuses``."""
    shown = list(statuses)
    if not shown:
        return Overall("none", ALL_OPERATIONAL)
    worst = max(shown, key=lambda s: SEVERITY_RANK[s])
    every = all(s == worst for s in shown)
    if worst is ComponentStatus.MAJOR:
        return (
            Overall("critical", "Major System Outage")
            if every
            else Overall("major", "Partial System Outage")
        )
    if worst is ComponentStatus.PARTIAL:
        return (
            Overall("major", "Partial System Outage")
            if every
            else Overall("minor", "Minor Service Outage")
        )
    if worst is ComponentStatus.DEGRADED:
        return (
            Overall("minor", "Degraded System Service")
            if every
            else Overall("minor", "Partially Degraded Service")
        )
    if worst is ComponentStatus.MAINTENANCE:
        return Overall("maintenance", "Service Under Maintenance")
    return Overall("none", ALL_OPERATIONAL)


def impact_of(statuses: Iterable[ComponentStatus]) -> Impact:
    """A status incident's impact from its affected components (Atlassian derives it the same
    way unless the author overrides it)."""
    rank = max((SEVERITY_RANK[s] for s in statuses), default=0)
    if rank >= SEVERITY_RANK[ComponentStatus.MAJOR]:
        return "critical"
    if rank >= SEVERITY_RANK[ComponentStatus.PARTIAL]:
        return "major"
    if rank >= SEVERITY_RANK[ComponentStatus.DEGRADED]:
        return "minor"
    return "none"


#: Words for the page and the feeds.
LABELS: dict[str, str] = {
    "operational": "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
    "under_maintenance": "Under maintenance",
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
