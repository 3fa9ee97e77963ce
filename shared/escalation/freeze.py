"""Freezing: the incident's escalation policy copied, as it is now, into the orchestration input.

The snapshot is what the orchestration runs on, so editing the policy later never changes an
escalation already running. A policy another team owns is refused here (with a timeline line),
not only when it was attached: references can go stale.
"""

from __future__ import annotations

from shared.catalog.references import Ref, refusal
from shared.escalation.models import PolicySnapshot
from shared.escalation.policies import load_policy
from shared.escalation.timeline import write_line
from shared.incidents.models import Incident
from shared.store.port import DocumentStore


async def freeze_policy(*, store: DocumentStore, incident: Incident) -> PolicySnapshot | None:
    """The incident's policy as it is now, frozen for the orchestration; None without one."""
    policy_id = incident.escalation_policy_id
    if not policy_id:
        return None
    loaded = await load_policy(store, policy_id)
    if loaded is None:
        return None
    reason = await refusal(store, incident.team_id, Ref("policy", policy_id, "policy"))
    if reason is not None:
        await write_line(
            store,
            incident.id,
            incident.created_at,
            f"Not using the escalation policy: {reason}",
            entry_id=f"esc:{incident.id}:refused-policy",
        )
        return None
    policy, _ = loaded
    return PolicySnapshot(
        policy_id=policy.id,
        policy_version=policy.version,
        incident_id=incident.id,
        incident_number=incident.number,
        team_id=incident.team_id,
        severity=incident.severity,
        steps=policy.steps,
        ack_timeout_minutes=policy.ack_timeout_minutes,
        source_acks_count=policy.source_acks_count,
        frozen_at=incident.created_at,
    )
