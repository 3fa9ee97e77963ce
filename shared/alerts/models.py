"""The normalized alert event every source parser produces."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from shared.errors import InvalidInput, PayloadTooLarge


class SourceFormat(StrEnum):
    ALERTMANAGER = "alertmanager"
    GRAFANA = "grafana"
    AZURE_MONITOR = "azure_monitor"
    DATADOG = "datadog"
    PAGERDUTY = "pagerduty"
    OPSGENIE = "opsgenie"
    GENERIC = "generic"
    HEARTBEAT = "heartbeat"
    SENTRY = "sentry"


Severity = Literal["P1", "P2", "P3", "P4", "P5"]
#: trigger / acknowledge / resolve change the incident; note only adds to its timeline.
EventAction = Literal["trigger", "acknowledge", "resolve", "note"]
LinkKind = Literal[
    "generator", "dashboard", "panel", "runbook", "silence", "portal", "image", "source", "other"
]


WEB_SCHEMES = ("https://", "http://")


class Link(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: LinkKind
    url: str
    text: str = ""


class Target(BaseModel):
    """How an action addresses an existing alert when not by dedup key (Opsgenie id / tinyId)."""

    model_config = ConfigDict(frozen=True)

    by: Literal["dedup_key", "incident_id", "incident_number"]
    value: str


class AlertEvent(BaseModel):
    """One alert state change from a source.

    ``dedup_key`` is stable per alert instance and identical on its trigger and resolve events
    (per source: see docs/integrations.md). ``raw_ref`` points into the received payload (a JSON
    pointer; the pipeline prefixes the envelope id).
    """

    model_config = ConfigDict(frozen=True)

    source: SourceFormat
    dedup_key: str = Field(min_length=1, max_length=512)
    action: EventAction
    severity: Severity = "P3"
    raw_severity: str | None = None
    title: str = Field(min_length=1, max_length=1024)
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    links: tuple[Link, ...] = ()

    @field_validator("links")
    @classmethod
    def _web_links_only(cls, links: tuple[Link, ...]) -> tuple[Link, ...]:
        # Every reader (API, cards, e-mail, a console) may render these as links, so a sender
        # cannot hand responders a javascript:, data: or file: link: web links only.
        return tuple(link for link in links if link.url.lower().startswith(WEB_SCHEMES))

    occurred_at: AwareDatetime
    #: The source's own identifiers (Azure alertId, Alertmanager fingerprint, Opsgenie alias...).
    source_ids: dict[str, str] = Field(default_factory=dict)
    raw_ref: str = ""
    #: Source-specific extras kept for display and routing (affected resources, responders,
    #: custom details, images...).
    details: dict[str, Any] = Field(default_factory=dict)
    #: For acknowledge/resolve/note events that address an alert by something else than the
    #: dedup key (Opsgenie ``identifierType=id|tiny``).
    target: Target | None = None
    note: str | None = None
    #: Who the source says acted (Opsgenie ``user``), for the timeline.
    actor: str | None = None


class InvalidPayload(InvalidInput):
    """The body is not valid for its source format; ``field`` is a JSON path, ``expected`` says
    what would have been accepted."""

    type_slug = "invalid-payload"
    title = "Invalid alert payload"


class PayloadTooBig(PayloadTooLarge):
    type_slug = "payload-too-large"
