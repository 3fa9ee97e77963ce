"""Alert grouping: what an incoming alert event does to incidents. Pure.

Deduplication is per integration and dedup key: while an incident for the key is open, further
triggers are appended to it (count, last seen); a resolve event resolves it; a source-side
acknowledge acknowledges it (whether that stops paging is the escalation policy's call). When a
resolved key fires again, the integration decides: reopen the old incident or open a new one.

The dedup record (one document per integration + key, a point read on the hot path) remembers
the key's current incident. It is written with optimistic concurrency by the caller, so two
concurrent deliveries of the same new key create exactly one incident: the loser re-reads and
re-decides, and then appends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.incidents.models import IncidentStatus


class DedupRecord(BaseModel):
    """``dedup`` container document; id = dedup key, partition = integration id."""

    model_config = ConfigDict(frozen=True)

    integration_id: str
    dedup_key: str
    incident_id: str
    #: The incident's status as last written by grouping (not by responders' actions, which
    #: change the incident only): enough to decide append vs new without reading the incident.
    open: bool
    first_seen: datetime
    #: Last event that changed the record (claim, reopen, resolve); the incident keeps the
    #: alert count and the last alert time, so a duplicate does not rewrite the record.
    last_seen: datetime


EventAction = Literal["trigger", "acknowledge", "resolve"]

Decision = Literal[
    "create",  # open a new incident and a new dedup record
    "append",  # add the alert to the open incident (count, last seen)
    "reopen",  # the key's incident was resolved: reopen it and append
    "resolve",  # resolve the open incident (source says the problem is gone)
    "acknowledge",  # acknowledge the open incident from the source
    "ignore",  # nothing to do: resolve/ack for an unknown or already-resolved key
]


@dataclass(frozen=True)
class GroupingDecision:
    kind: Decision
    reason: str


def decide_grouping(
    *,
    action: EventAction,
    record: DedupRecord | None,
    incident_status: IncidentStatus | None,
    on_refire: Literal["reopen", "new_incident"],
) -> GroupingDecision:
    """Decide from the dedup record and (when known) the incident's current status.

    ``incident_status`` wins over ``record.open`` when both are given: a responder may have
    resolved the incident by hand while the source still fires.
    """
    is_open = record is not None and (
        incident_status
        in (IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED, IncidentStatus.SNOOZED)
        if incident_status is not None
        else record.open
    )
    if action == "trigger":
        if record is None:
            return GroupingDecision("create", "first alert for this key")
        if is_open:
            return GroupingDecision("append", "incident for this key is open")
        if on_refire == "reopen":
            return GroupingDecision("reopen", "resolved key fired again; integration reopens")
        return GroupingDecision(
            "create", "resolved key fired again; integration opens a new incident"
        )
    if record is None:
        return GroupingDecision("ignore", f"{action} for a key with no incident")
    if not is_open:
        return GroupingDecision("ignore", f"{action} for an incident that is already resolved")
    if action == "resolve":
        return GroupingDecision("resolve", "source resolved the alert")
    if incident_status == IncidentStatus.ACKNOWLEDGED:
        return GroupingDecision("ignore", "already acknowledged")
    return GroupingDecision("acknowledge", "source acknowledged the alert")
