"""API: escalation policies (CRUD and saved versions; the rules live in
``shared.escalation.policies``), the preview of who a policy would page, and when
(``shared.escalation.preview``), and an incident's escalation progress
(``shared.escalation.progress``)."""

from __future__ import annotations

from shared.api import crud
from shared.api.ports import PAGING, TEAM_FILTER, ports_of
from shared.api.router import Operation, QueryParam, Reply, Request, ok, page
from shared.errors import NotFound
from shared.escalation import policies
from shared.escalation import preview as previews
from shared.escalation.models import Policy, PolicyBody
from shared.escalation.policy_versions import PolicyVersion
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


async def list_versions(req: Request) -> Reply:
    found = await policies.list_policy_versions(
        store=ports_of(req).store, principal=req.caller, policy_id=req.params["policy_id"]
    )
    return page(found, None)


async def get_version(req: Request) -> Reply:
    raw = req.params["version"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        # The path names no version: like any unknown resource, not a malformed request.
        raise NotFound(f"No version {raw!r} (versions are numbered 1, 2, ...).")
    policy = await policies.get_policy_version(
        store=ports_of(req).store,
        principal=req.caller,
        policy_id=req.params["policy_id"],
        version=int(raw),
    )
    return ok(policy)


AT = (QueryParam("at", "The moment the incident opens (default now).", "date-time"),)


async def preview_policy(req: Request) -> Reply:
    result = await previews.preview(
        store=ports_of(req).store,
        principal=req.caller,
        at=req.time("at") or ports_of(req).clock(),
        policy_id=req.params["policy_id"],
    )
    return ok(result)


async def preview_body(req: Request) -> Reply:
    assert isinstance(req.body, PolicyBody)
    result = await previews.preview(
        store=ports_of(req).store,
        principal=req.caller,
        at=req.time("at") or ports_of(req).clock(),
        body=req.body,
    )
    return ok(result)


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
    Operation(
        method="GET",
        path="/escalation-policies/{policy_id}/versions",
        name="listPolicyVersions",
        summary="The policy's saved versions, newest first",
        tag="escalation",
        handler=list_versions,
        response=PolicyVersion,
        is_list=True,
    ),
    Operation(
        method="GET",
        path="/escalation-policies/{policy_id}/versions/{version}",
        name="getPolicyVersion",
        summary="One saved version of the policy, as it was",
        tag="escalation",
        handler=get_version,
        response=Policy,
    ),
    Operation(
        method="POST",
        path="/escalation-policies/{policy_id}/preview",
        name="previewPolicy",
        summary="Who would be paged, and when, if an incident opened at a moment (nobody paged)",
        tag="escalation",
        handler=preview_policy,
        response=previews.PolicyPreview,
        query=AT,
    ),
    Operation(
        method="POST",
        path="/escalation-policies/preview",
        name="previewPolicyBody",
        summary="Who an unsaved policy would page, and when (nothing saved, nobody paged)",
        tag="escalation",
        handler=preview_body,
        body=PolicyBody,
        response=previews.PolicyPreview,
        query=AT,
    ),
]
