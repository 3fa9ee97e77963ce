"""Escalation policies: the one owner of the ``escalation_policies`` container.

Other packages read a policy with :func:`load_policy`; the API's use cases (create, read, list,
update, delete) check ``Action.CONFIGURE`` on the owning team(s) for writes — moving a policy to
another team needs the right on both — and ``Action.READ`` for reads. An update is a new
``version``: running escalations keep the snapshot they froze when they started; every saved
version is kept (``shared.escalation.policy_versions``) for the editor to list and read back.
"""

from __future__ import annotations

from datetime import datetime

from shared.auth.access import can, require
from shared.auth.models import Action, Principal
from shared.auth.owned import get_doc, list_owned, model_of, new_id
from shared.catalog.references import check_references
from shared.errors import NotFound
from shared.escalation import policy_versions as versions
from shared.escalation.boundaries import policy_refs
from shared.escalation.models import Policy, PolicyBody
from shared.store.codec import to_doc
from shared.store.port import DocumentStore

POLICIES = "escalation_policies"


async def load_policy(store: DocumentStore, policy_id: str) -> tuple[Policy, str] | None:
    """The stored policy and its ETag; None when there is none."""
    doc = await store.get(POLICIES, policy_id, policy_id)
    if doc is None:
        return None
    # Policies forbid unknown fields (a typo in a step must not pass silently), so the store's
    # partition field is dropped before validation.
    return model_of(Policy, doc), str(doc["_etag"])


async def save_policy(store: DocumentStore, policy: Policy, *, etag: str | None = None) -> None:
    """Write ``policy``: a create without ``etag``, else a replace guarded by it; then keep the
    version in its history."""
    if etag is None:
        await store.create(POLICIES, to_doc(policy))
    else:
        await store.replace(POLICIES, to_doc(policy), if_match=etag)
    await versions.record(store, policy)


async def create_policy(
    *, store: DocumentStore, principal: Principal, body: PolicyBody, now: datetime
) -> Policy:
    require(principal, Action.CONFIGURE, [body.team_id])
    await check_references(store, team_id=body.team_id, refs=policy_refs(body))
    policy = Policy(id=new_id("pol"), version=1, updated_at=now, **body.model_dump())
    await save_policy(store, policy)
    return policy


async def get_policy(
    *, store: DocumentStore, principal: Principal, policy_id: str
) -> tuple[Policy, str]:
    doc = await get_doc(store, POLICIES, policy_id, "Escalation policy")
    policy = model_of(Policy, doc)
    require(principal, Action.READ, [policy.team_id])
    return policy, str(doc["_etag"])


async def list_policies(
    *,
    store: DocumentStore,
    principal: Principal,
    team_id: str | None,
    limit: int,
    continuation: str | None,
) -> tuple[list[Policy], str | None]:
    return await list_owned(
        store, POLICIES, Policy, principal, team_id=team_id, limit=limit, continuation=continuation
    )


async def update_policy(
    *,
    store: DocumentStore,
    principal: Principal,
    policy_id: str,
    body: PolicyBody,
    etag: str | None,
    now: datetime,
) -> Policy:
    """A new version. Running escalations keep the snapshot they froze when they started."""
    doc = await get_doc(store, POLICIES, policy_id, "Escalation policy")
    old = model_of(Policy, doc)
    require(principal, Action.CONFIGURE, {old.team_id, body.team_id})
    await check_references(store, team_id=body.team_id, refs=policy_refs(body))
    policy = Policy(id=old.id, version=old.version + 1, updated_at=now, **body.model_dump())
    await save_policy(store, policy, etag=etag or str(doc["_etag"]))
    return policy


async def delete_policy(*, store: DocumentStore, principal: Principal, policy_id: str) -> None:
    policy, _ = await get_policy(store=store, principal=principal, policy_id=policy_id)
    require(principal, Action.CONFIGURE, [policy.team_id])
    await store.delete(POLICIES, policy_id, policy_id)
    await versions.forget(store, policy_id)


async def list_policy_versions(
    *, store: DocumentStore, principal: Principal, policy_id: str
) -> list[versions.PolicyVersion]:
    """The policy's saved versions, newest first (the current one always among them)."""
    policy, _ = await get_policy(store=store, principal=principal, policy_id=policy_id)
    # A policy moved to another team keeps its earlier versions: each is shown only to those who
    # may read the team it belonged to then (its steps name that team's people and schedules).
    return await versions.list_versions(
        store, policy, visible=lambda p: can(principal, Action.READ, [p.team_id])
    )


async def get_policy_version(
    *, store: DocumentStore, principal: Principal, policy_id: str, version: int
) -> Policy:
    policy, _ = await get_policy(store=store, principal=principal, policy_id=policy_id)
    if version == policy.version:
        return policy
    found = await versions.load_version(store, policy_id, version)
    if found is None:
        raise NotFound(f"Version {version} of policy {policy_id!r} is not kept.")
    require(principal, Action.READ, [found.team_id])
    return found
