"""What a component shows, decided from what OpenAlert knows. Pure: no I/O, time passed in.

Precedence, highest first:

1. **manual** — a status the page owner set wins until they clear it;
2. **maintenance** — a scheduled maintenance naming the component, inside its window and not
   completed early, shows ``under_maintenance`` (alerts fired during planned work are expected,
   so they do not paint the page red while it runs);
3. **incidents** — each *open* incident of a linked service whose severity the component's rule
   maps counts once it has been open ``after_minutes``; the worst such status is shown;
4. otherwise ``operational``.

An incident of another team never counts, even if a linked service has since moved team: the
page shows its own team's incidents only. ``since`` is when the shown status began as far as
these inputs tell (the history recorder writes transitions at that time, not at the minute the
timer noticed them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.incidents.models import Incident
from shared.statuspages.models import (
    SEVERITY_RANK,
    Component,
    ComponentStatus,
    Post,
    StatusPage,
)

Source = Literal["manual", "maintenance", "incidents", "none"]


@dataclass(frozen=True)
class Shown:
    status: ComponentStatus
    source: Source
    #: When this status began, when the inputs tell (None: not known, e.g. a manual status).
    since: datetime | None = None


def maintenance_state(post: Post, now: datetime) -> str:
    """A maintenance's state at ``now``: the window moves it from scheduled to in progress to
    completed; an update saying ``verifying`` or ``completed`` moves it on earlier."""
    assert post.scheduled_for is not None and post.scheduled_until is not None
    if post.status == "completed" or now >= post.scheduled_until:
        return "completed"
    if now < post.scheduled_for:
        return "scheduled"
    return "verifying" if post.status == "verifying" else "in_progress"


def in_window(post: Post, now: datetime) -> bool:
    return post.kind == "maintenance" and maintenance_state(post, now) in (
        "in_progress",
        "verifying",
    )


def _worst(
    candidates: Iterable[tuple[ComponentStatus, datetime]],
) -> tuple[ComponentStatus, datetime] | None:
    best: tuple[ComponentStatus, datetime] | None = None
    for status, since in candidates:
        if (
            best is None
            or SEVERITY_RANK[status] > SEVERITY_RANK[best[0]]
            or (status == best[0] and since < best[1])
        ):
            best = (status, since)
    return best


def component_status(
    component: Component,
    *,
    team_id: str,
    incidents: Sequence[Incident],
    maintenances: Sequence[Post],
    now: datetime,
) -> Shown:
    """The status ``component`` shows at ``now`` (see the module docstring for the order).
    ``incidents`` may hold any incidents (open or resolved, of any service): those that do not
    apply are ignored here, so the caller's query can be broad."""
    if component.manual_status is not None:
        return Shown(component.manual_status, "manual")
    windows = [
        p.scheduled_for
        for p in maintenances
        if component.id in p.component_ids and in_window(p, now) and p.scheduled_for is not None
    ]
    if windows:
        return Shown(ComponentStatus.MAINTENANCE, "maintenance", min(windows))
    services = set(component.service_ids)
    delay = timedelta(minutes=component.rule.after_minutes)
    mine = [i for i in incidents if i.service_id in services and i.team_id == team_id]
    candidates: list[tuple[ComponentStatus, datetime]] = []
    for incident in mine:
        mapped = component.rule.severities.get(incident.severity)
        effective = incident.created_at + delay
        if incident.is_open and mapped is not None and effective <= now:
            candidates.append((ComponentStatus(mapped), effective))
    worst = _worst(candidates)
    if worst is not None:
        return Shown(worst[0], "incidents", worst[1])
    ended = [i.resolved_at for i in mine if i.resolved_at is not None and i.resolved_at <= now]
    # A window that has just closed is when the component came back too.
    ended += [
        min(p.resolved_at or p.scheduled_until, p.scheduled_until)
        for p in maintenances
        if component.id in p.component_ids
        and p.scheduled_until is not None
        and maintenance_state(p, now) == "completed"
        and p.scheduled_for is not None
        and p.scheduled_for <= now
    ]
    return Shown(ComponentStatus.OPERATIONAL, "none", max(ended) if ended else None)


def page_statuses(
    page: StatusPage,
    *,
    incidents: Sequence[Incident],
    maintenances: Sequence[Post],
    now: datetime,
) -> dict[str, Shown]:
    """Every component's :class:`Shown`, by component id."""
    return {
        c.id: component_status(
            c, team_id=page.team_id, incidents=incidents, maintenances=maintenances, now=now
        )
        for c in page.components
    }


def blips(
    component: Component,
    *,
    team_id: str,
    incidents: Sequence[Incident],
    after: datetime,
    now: datetime,
) -> list[tuple[datetime, ComponentStatus]]:
    """Outages that began and ended between two looks (after ``after``, by ``now``) while the
    component showed operational at both: the transitions that record them, in time order
    (overlapping ones merged, showing the worst). Without these, an incident resolved within
    a minute of its delay running out would never reach the history."""
    if component.manual_status is not None:
        return []
    delay = timedelta(minutes=component.rule.after_minutes)
    spans: list[tuple[datetime, datetime, ComponentStatus]] = []
    for i in incidents:
        mapped = component.rule.severities.get(i.severity)
        if (
            i.service_id not in component.service_ids
            or i.team_id != team_id
            or i.resolved_at is None
            or mapped is None
            or ComponentStatus(mapped) is ComponentStatus.OPERATIONAL
        ):
            continue
        start, end = i.created_at + delay, min(i.resolved_at, now)
        if start > after and start < end:
            spans.append((start, end, ComponentStatus(mapped)))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[datetime, datetime, ComponentStatus]] = []
    for start, end, status in spans:
        if merged and start <= merged[-1][1]:
            first, last_end, worst = merged[-1]
            if SEVERITY_RANK[status] > SEVERITY_RANK[worst]:
                worst = status
            merged[-1] = (first, max(end, last_end), worst)
        else:
            merged.append((start, end, status))
    out: list[tuple[datetime, ComponentStatus]] = []
    for start, end, status in merged:
        out += [(start, status), (end, ComponentStatus.OPERATIONAL)]
    return out
