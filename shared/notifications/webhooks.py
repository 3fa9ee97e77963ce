"""A team's outgoing webhooks as configuration: create (a fresh signing secret, shown once) and
delete. Rights are the team's CONFIGURE; the URL must pass the outbound policy when saved, not
only when called, so a bad target is a 422 at setup rather than a failed page later.

Sending a webhook is ``shared.notifications.outgoing``'s job; this module only owns the documents
in the ``webhooks`` container (partitioned by the webhook's own id)."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.auth.access import require
from shared.auth.models import Action, Principal
from shared.errors import NotFound
from shared.notifications.models import Webhook
from shared.outbound.targets import check_saved_target
from shared.redact import WriteOnlyUrl
from shared.store.codec import from_doc
from shared.store.port import DocumentStore

WEBHOOKS = "webhooks"


async def load_webhook(store: DocumentStore, webhook_id: str) -> Webhook | None:
    """The webhook (with its signing secret), or None when it was deleted."""
    doc = await store.get(WEBHOOKS, webhook_id, webhook_id)
    return from_doc(Webhook, doc) if doc is not None else None


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    url: WriteOnlyUrl = Field(pattern=r"^https?://\S+$", max_length=2048)
    events: frozenset[str] = frozenset(
        {"created", "acknowledged", "resolved", "escalated", "note_added"}
    )
    timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    format: Literal["openalert", "teams_workflows"] = "openalert"


async def create_webhook(
    *, store: DocumentStore, principal: Principal, http: object, body: WebhookBody
) -> tuple[Webhook, str]:
    """The new webhook and its signing secret (the only time the secret is shown whole).
    ``http`` is the app's guarded outbound client, whose policy the URL must pass."""
    require(principal, Action.CONFIGURE, [body.team_id])
    check_saved_target(http, body.url, field="url")
    secret = secrets.token_urlsafe(32)
    hook = Webhook(id=f"wh-{secrets.token_hex(8)}", secret=secret, **body.model_dump())
    await store.create(WEBHOOKS, {**hook.model_dump(mode="json"), "pk": hook.id})
    return hook, secret


async def delete_webhook(*, store: DocumentStore, principal: Principal, webhook_id: str) -> None:
    doc = await store.get(WEBHOOKS, webhook_id, webhook_id)
    if doc is None:
        raise NotFound(f"Webhook {webhook_id!r} does not exist.")
    require(principal, Action.CONFIGURE, [doc["team_id"]])
    await store.delete(WEBHOOKS, doc["id"], doc["id"])
