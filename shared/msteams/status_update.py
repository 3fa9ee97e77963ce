"""The incident card's "Post to status page": a responder posts the note's text as an update
of the incident's open status-page posts, under the same rights as through the API
(``shared.statuspages.service.add_update``: ACT on each page's team)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from shared.auth.models import Principal
from shared.config import get_settings
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.incidents.models import Incident
from shared.statuspages.models import UpdateBody
from shared.statuspages.service import update_posts_about
from shared.store.port import DocumentStore

NO_POST = "No open status-page post is about this incident; publish one first."


async def post_status_update(
    *,
    store: DocumentStore,
    principal: Principal,
    incident: Incident,
    data: dict[str, Any],
    now: datetime,
) -> str:
    """The notice the card shows: what was done, or why not."""
    text = str(data.get("note") or "").strip()
    if not text:
        return "Type the update first."
    try:
        body = UpdateBody.model_validate({"body": text, "status": data.get("status") or None})
    except ValidationError:
        return "Pick a status: investigating, identified, monitoring or resolved."
    try:
        count = await update_posts_about(
            store=store,
            principal=principal,
            incident_id=incident.id,
            body=body,
            now=now,
            bundle=timedelta(seconds=get_settings().STATUS_NOTIFY_BUNDLE_SECONDS),
        )
    except Forbidden:
        return "You cannot post status updates for this incident's team."
    except (Conflict, NotFound, InvalidInput) as exc:
        return exc.detail
    if not count:
        return NO_POST
    return "Status page updated." if count == 1 else f"{count} status pages updated."
