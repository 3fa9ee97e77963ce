"""Status pages: the page with its groups and components, public posts (status incidents and
scheduled maintenance) with their updates, subscribers, and the component status history.

A page document holds its groups and components (a page has tens of them, read together on
every request, so one point read serves the public page). Enum spellings are Atlassian
Statuspage's, so the compatible JSON (``statuspage_json``) passes them through unchanged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.incidents.models import Severity
from shared.zones import IanaZone

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r".*\S.*")]
#: Lower-case words joined by hyphens; it is the page's URL segment.
Slug = Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
#: Public ids: 12 lower-case alphanumerics, the shape Statuspage consumers have seen.
PublicId = Annotated[str, Field(pattern=r"^[a-z0-9]{12}$")]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED = "degraded_performance"
    PARTIAL = "partial_outage"
    MAJOR = "major_outage"
    MAINTENANCE = "under_maintenance"


#: How bad a status is, for "the worst of" (maintenance is not an outage, but is shown above
#: operational so a component in its window reads as such).
SEVERITY_RANK: dict[ComponentStatus, int] = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.MAINTENANCE: 1,
    ComponentStatus.DEGRADED: 2,
    ComponentStatus.PARTIAL: 3,
    ComponentStatus.MAJOR: 4,
}


#: What an incident may make a component show (``under_maintenance`` comes only from windows).
RuleStatus = Literal["operational", "degraded_performance", "partial_outage", "major_outage"]


def _default_severities() -> dict[Severity, RuleStatus]:
    return {"P1": "major_outage", "P2": "partial_outage", "P3": "degraded_performance"}


class IncidentRule(BaseModel):
    """How a component follows the open incidents of its linked services: the status each
    severity means, applied once an incident has been open ``after_minutes`` (so a flapping
    alert does not flash the page). A severity left out does not change the component."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severities: dict[Severity, RuleStatus] = Field(default_factory=_default_severities)
    after_minutes: float = Field(default=5, ge=0, le=24 * 60)


class Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: PublicId
    name: Name
    description: str | None = Field(default=None, max_length=1000)
    position: int = Field(default=1, ge=1)


class Component(BaseModel):
    """A component as configured. Its shown status is decided by ``evaluate``: the manual
    status while one is set, else a maintenance window, else the rule over its services'
    incidents, else operational."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: PublicId
    name: Name
    description: str | None = Field(default=None, max_length=1000)
    group_id: PublicId | None = None
    position: int = Field(default=1, ge=1)
    service_ids: tuple[str, ...] = Field(default=(), max_length=20)
    rule: IncidentRule = Field(default_factory=IncidentRule)
    manual_status: ComponentStatus | None = None
    only_show_if_degraded: bool = False
    showcase: bool = True
    created_at: datetime
    updated_at: datetime


class Branding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    logo_url: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=2048)
    #: Accent (header) colour; text on it is chosen for contrast by the renderer.
    accent: Color = "#0f5fa8"
    background: Color = "#ffffff"


Visibility = Literal["public", "restricted"]
#: A lower-case DNS host name of two or more labels.
HOST_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class PageBody(BaseModel):
    """What a page owner writes; components and groups have their own operations."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team_id: str = Field(min_length=1, max_length=100)
    name: Name
    slug: Slug
    visibility: Visibility = "public"
    branding: Branding = Field(default_factory=Branding)
    time_zone: IanaZone = "Etc/UTC"
    #: The host name a custom domain serves this page at (docs/status-pages.md); links and
    #: ``page.url`` use it when set.
    custom_domain: str | None = Field(default=None, max_length=253, pattern=HOST_PATTERN)
    description: str | None = Field(default=None, max_length=2000)


class StatusPage(PageBody):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: PublicId
    groups: tuple[Group, ...] = ()
    components: tuple[Component, ...] = Field(default=(), max_length=200)
    created_at: datetime
    updated_at: datetime

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)


class GroupBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: str | None = Field(default=None, max_length=1000)
    position: int = Field(default=1, ge=1, le=1000)


class ComponentBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: str | None = Field(default=None, max_length=1000)
    group_id: PublicId | None = None
    position: int = Field(default=1, ge=1, le=1000)
    service_ids: tuple[str, ...] = Field(default=(), max_length=20)
    rule: IncidentRule = Field(default_factory=IncidentRule)
    only_show_if_degraded: bool = False
    showcase: bool = True


class ManualStatusBody(BaseModel):
    """Set (or, with null, clear) the status shown regardless of incidents."""

    model_config = ConfigDict(extra="forbid")

    status: ComponentStatus | None


# --- public posts --------------------------------------------------------------------------
PostKind = Literal["incident", "maintenance"]
IncidentState = Literal["investigating", "identified", "monitoring", "resolved", "postmortem"]
MaintenanceState = Literal["scheduled", "in_progress", "verifying", "completed"]
Impact = Literal["none", "minor", "major", "critical", "maintenance"]


class AffectedComponent(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


class PostUpdate(BaseModel):
    """One update of a post, as published (its body is plain text; renderers escape it)."""

    model_config = ConfigDict(frozen=True)

    id: PublicId
    status: str
    body: str
    created_at: datetime
    affected_components: tuple[AffectedComponent, ...] | None = None
    #: Who posted it (kept for the audit trail; never shown publicly).
    author: str = ""


class Post(BaseModel):
    """A status incident or a scheduled maintenance. ``updates`` are oldest first as stored;
    the public shapes show them newest first."""

    model_config = ConfigDict(frozen=True)

    id: PublicId
    page_id: str
    team_id: str
    kind: PostKind
    name: Name
    status: str
    impact: Impact = "none"
    component_ids: tuple[str, ...] = ()
    #: An OpenAlert incident this post is about (same team; never shown publicly).
    incident_id: str | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    #: True while the post is shown as current: an unresolved incident or a maintenance that
    #: has not completed (a stored query field).
    open: bool = True
    updates: tuple[PostUpdate, ...] = ()


class PostBody(BaseModel):
    """A new status incident, with its first update."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    status: IncidentState = "investigating"
    body: str = Field(min_length=1, max_length=10_000, pattern=r"\S")
    impact: Literal["none", "minor", "major", "critical"] | None = None
    component_ids: tuple[PublicId, ...] = Field(default=(), max_length=200)
    incident_id: str | None = Field(default=None, max_length=100)


class MaintenanceBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    body: str = Field(min_length=1, max_length=10_000, pattern=r"\S")
    component_ids: tuple[PublicId, ...] = Field(min_length=1, max_length=200)
    scheduled_for: datetime
    scheduled_until: datetime

    @model_validator(mode="after")
    def _window(self) -> MaintenanceBody:
        for value in (self.scheduled_for, self.scheduled_until):
            if value.tzinfo is None:
                raise ValueError("scheduled_for and scheduled_until need a UTC offset")
        if self.scheduled_until <= self.scheduled_for:
            raise ValueError("scheduled_until must be after scheduled_for")
        return self


class UpdateBody(BaseModel):
    """A new update of a post. ``status`` defaults to the post's current one (an "Update")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=10_000, pattern=r"\S")
    status: IncidentState | MaintenanceState | None = None


# --- subscribers ---------------------------------------------------------------------------
class Subscriber(BaseModel):
    model_config = ConfigDict(frozen=True)

    #: A hash of page and address, so a repeated sign-up finds the same document.
    id: str
    page_id: str
    email: str
    confirmed: bool = False
    created_at: datetime
    confirmed_at: datetime | None = None
    #: The last confirmation e-mail sent (sign-ups are rate-limited per address).
    asked_at: datetime | None = None


class SubscribeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
