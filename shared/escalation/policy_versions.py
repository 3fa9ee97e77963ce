"""Every saved version of an escalation policy, kept so an editor can show and restore them.

Each save of a policy (create or update, ``shared.escalation.policies.save_policy``) also writes
that version here, in the ``escalation_policy_versions`` container (partition: the policy id,
id ``<policy id>:v<version>``), after the policy write succeeded: a lost version write only
means the history misses it, and the current version is always listed from the policy itself
(versions saved before the history existed are simply not there). Deleting a policy deletes its
history. Running escalations never read this: they keep the snapshot they froze.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from shared.auth.owned import model_of
from shared.errors import NotFound
from shared.escalation.models import Policy
from shared.store.codec import to_doc
from shared.store.port import Doc, DocumentStore

VERSIONS = "escalation_policy_versions"
#: Versions listed at most (newest first).
MAX_LISTED = 200


class PolicyVersion(BaseModel):
    """One version as listed: enough to pick one to read back."""

    version: int
    name: str
    updated_at: datetime | None
    steps: int


def _id(policy_id: str, version: int) -> str:
    return f"{policy_id}:v{version}"


async def record(store: DocumentStore, policy: Policy) -> None:
    await store.upsert(
        VERSIONS,
        to_doc(policy, pk_field="policy_id", pk=policy.id, id=_id(policy.id, policy.version)),
    )


def _policy(doc: Doc, policy_id: str) -> Policy:
    # Stored under its version's id, in the policy's partition: read back as the policy.
    return model_of(Policy, {**{k: v for k, v in doc.items() if k != "policy_id"}, "id": policy_id})


async def load_version(store: DocumentStore, policy_id: str, version: int) -> Policy | None:
    doc = await store.get(VERSIONS, policy_id, _id(policy_id, version))
    return None if doc is None else _policy(doc, policy_id)


async def list_versions(
    store: DocumentStore, current: Policy, *, visible: Callable[[Policy], bool]
) -> list[PolicyVersion]:
    page = await store.query(VERSIONS, pk=current.id, limit=MAX_LISTED)
    found = {p.version: p for p in (_policy(d, current.id) for d in page.items) if visible(p)}
    found[current.version] = current
    return [
        PolicyVersion(version=p.version, name=p.name, updated_at=p.updated_at, steps=len(p.steps))
        for p in sorted(found.values(), key=lambda p: -p.version)
    ][:MAX_LISTED]


async def forget(store: DocumentStore, policy_id: str) -> None:
    token: str | None = None
    while True:
        page = await store.query(VERSIONS, pk=policy_id, limit=100, continuation=token)
        for doc in page.items:
            try:
                await store.delete(VERSIONS, policy_id, str(doc["id"]))
            except NotFound:
                pass  # deleted meanwhile by a concurrent delete
        token = page.continuation
        if token is None:
            return
