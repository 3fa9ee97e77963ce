"""The envelope that travels on the Service Bus ``alerts`` queue between ingest and process."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.alerts.models import SourceFormat


class Envelope(BaseModel):
    """One accepted request. ``id`` is also the Service Bus message id, and every document
    processing writes derives its id from it, which is what makes processing idempotent."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=8, max_length=64)
    integration_id: str
    format: SourceFormat
    received_at: AwareDatetime
    #: Selected request headers (content type, user agent, forwarded-for) for the timeline.
    headers: dict[str, str] = Field(default_factory=dict)
    #: The body as received (UTF-8 JSON), unless it is in the claim-check container.
    body: str | None = None
    #: Blob name of the body in the claim-check container when it was too large to inline.
    blob: str | None = None
    #: Requests that are not alert bodies: Opsgenie actions, heartbeat pings and PagerDuty
    #: change events.
    kind: Literal["body", "opsgenie_action", "heartbeat", "change"] = "body"
    action: dict[str, Any] = Field(default_factory=dict)
