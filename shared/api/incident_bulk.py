"""API: one action on many incidents (``POST /incidents/bulk``), for alert storms.

Each incident goes through ``incidents.act`` exactly as its own action URL would: the caller's
rights on that incident's team, the lifecycle rules, escalation signalled. The answer is 200
with a result per id (sorted by id): ``ok`` with the incident, or ``problem`` with the
RFC 9457 document the single action would have answered (403 for another team's incident, 409
for a resolved one, 404 for an unknown id). Partial success is the normal case, never a 5xx.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared.api.ports import ports_of
from shared.api.router import Operation, Reply, Request, ok, problem
from shared.errors import OpenAlertError
from shared.incidents import service as incidents
from shared.incidents.models import Action, Incident

#: Largest batch: a storm page of the console's list (its page size is at most 200).
MAX_IDS = 200


class BulkActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["acknowledge", "resolve"]
    ids: set[str] = Field(min_length=1, max_length=MAX_IDS)
    note: str | None = Field(default=None, max_length=10_000)


class BulkItemResult(BaseModel):
    id: str
    outcome: Literal["ok", "problem"]
    incident: Incident | None = None
    #: The RFC 9457 problem the single action answered.
    problem: dict[str, Any] | None = None

    @field_serializer("incident")
    def _shown(self, incident: Incident | None) -> dict[str, Any] | None:
        # As GET /incidents/{id} shows it: without the internal bookkeeping fields.
        if incident is None:
            return None
        return incident.model_dump(mode="json", exclude=set(Incident.API_HIDDEN))


class BulkResult(BaseModel):
    action: str
    succeeded: int
    failed: int
    results: list[BulkItemResult]


async def bulk_action(req: Request) -> Reply:
    body = req.body
    assert isinstance(body, BulkActionBody)
    ports = ports_of(req)
    action = Action(
        kind=body.action,
        actor=incidents.actor_for(req.caller),
        note=body.note,
        via="api",
    )
    results: list[BulkItemResult] = []
    # One at a time, sorted: a storm of 200 must not become 200 concurrent store writers.
    for incident_id in sorted(body.ids):
        try:
            incident = await incidents.act(
                store=ports.store,
                escalation=ports.escalation,
                principal=req.caller,
                incident_id=incident_id,
                action=action,
                now=ports.clock(),
            )
        except OpenAlertError as exc:
            results.append(
                BulkItemResult(id=incident_id, outcome="problem", problem=problem(exc).body)
            )
        else:
            results.append(BulkItemResult(id=incident_id, outcome="ok", incident=incident))
    succeeded = sum(1 for r in results if r.outcome == "ok")
    return ok(
        BulkResult(
            action=body.action,
            succeeded=succeeded,
            failed=len(results) - succeeded,
            results=results,
        )
    )


OPERATIONS = [
    Operation(
        method="POST",
        path="/incidents/bulk",
        name="bulkIncidentAction",
        summary="Acknowledge or resolve many incidents; a result per id (partial success)",
        tag="incidents",
        handler=bulk_action,
        body=BulkActionBody,
        response=BulkResult,
    ),
]
