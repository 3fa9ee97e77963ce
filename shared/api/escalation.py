"""API: escalation policies (plain CRUD; the rules live in the catalog service) and an
incident's escalation progress (``shared.escalation.progress``)."""

from __future__ import annotations

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, ports_of
from shared.api.router import Operation, Reply, Request, ok
from shared.escalation import policies
from shared.escalation.models import Policy, PolicyBody
from shared.escalation.progress import EscalationProgress, escalation_progress

list_policies = crud.list_owned(policies.list_policies)
create_policy = crud.create(policies.create_policy)
get_policy = crud.read(policies.get_policy, "policy_id")
update_policy = crud.update(policies.update_policy, "policy_id", now=True)
delete_policy = crud.delete(policies.delete_policy, "policy_id")


async def incident_escalation(req: Request) -> Reply:
    ports = ports_of(req)
    progress = await escalation_progress(
        store=ports.store,
        principal=req.caller,
        incident_id=req.params["incident_id"],
        client=ports.orchestrations,
    )
    return ok(progress)


OPERATIONS = [
    Operation(
        method="GET",
        path="/incidents/{incident_id}/escalation",
        name="incidentEscalation",
        summary="Its escalation: the frozen steps, where it stands, what fires next and when,"
        " who was paged by which channel",
        tag="incidents",
        handler=incident_escalation,
        response=EscalationProgress,
    ),
    Operation(
        method="GET",
        path="/escalation-policies",
        name="listPolicies",
        summary="Escalation policies",
        tag="escalation",
        handler=list_policies,
        response=Policy,
        is_list=True,
        query=(*PAGING, *TEAM_FILTER),
    ),
    Operation(
        method="POST",
        path="/escalation-policies",
        name="createPolicy",
        summary="Create a policy",
        tag="escalation",
        handler=create_policy,
        body=PolicyBody,
        response=Policy,
        status=201,
    ),
    Operation(
        method="GET",
        path="/escalation-policies/{policy_id}",
        name="getPolicy",
        summary="A policy",
        tag="escalation",
        handler=get_policy,
        response=Policy,
    ),
    Operation(
        method="PUT",
        path="/escalation-policies/{policy_id}",
        name="updatePolicy",
        summary="Change a policy (a new version)",
        tag="escalation",
        handler=update_policy,
        body=PolicyBody,
        response=Policy,
    ),
    Operation(
        method="DELETE",
        path="/escalation-policies/{policy_id}",
        name="deletePolicy",
        summary="Delete a policy",
        tag="escalation",
        handler=delete_policy,
        status=204,
    ),
]
