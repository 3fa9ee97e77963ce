"""Teams, services, integrations and routes.

Team membership lives on the user records (``shared.auth``), because every request needs the
caller's teams and that is one point read of the user; listing a team's members is a query.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared import patterns
from shared.auth.models import TeamRole
from shared.catalog.external import ExternalId
from shared.catalog.route_windows import RouteWindow
from shared.redact import WriteOnly

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r".*\S.*")]

#: Source formats an integration can receive (the parser registry's names).
SourceFormat = Literal[
    "alertmanager",
    "grafana",
    "azure_monitor",
    "datadog",
    "pagerduty",
    "opsgenie",
    "generic",
    "heartbeat",
    "sentry",
]


class Team(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: Name
    description: str = Field(default="", max_length=2000)
    external_id: ExternalId | None = None
    created_at: datetime | None = None


class Service(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: Name
    team_id: str
    escalation_policy_id: str | None = None
    description: str = Field(default="", max_length=2000)
    external_id: ExternalId | None = None
    created_at: datetime | None = None


class GenericMapping(BaseModel):
    """Where the generic JSON integration finds each field (JSON-pointer-like paths)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    dedup_key: str | None = None
    status: str | None = None
    severity: str | None = None
    description: str | None = None
    labels: str | None = None
    link: str | None = None


class IntegrationSettings(BaseModel):
    """Format-specific settings; fields that don't apply to the format are ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generic_mapping: GenericMapping | None = None
    #: Grafana contact point HMAC signing: the shared secret and the header it signs into.
    grafana_hmac_secret: WriteOnly | None = Field(default=None, min_length=16, max_length=512)
    grafana_hmac_header: str = "X-Grafana-Alerting-Signature"
    #: Sentry internal integration's client secret: requests must carry its
    #: ``Sentry-Hook-Signature``.
    sentry_client_secret: WriteOnly | None = Field(default=None, min_length=16, max_length=512)
    #: Azure Monitor secure webhook: app ids (``appid``/``azp``) allowed to post. Empty means
    #: only the key authenticates.
    azure_monitor_app_ids: tuple[str, ...] = ()
    #: Heartbeat integrations: an incident opens when no ping arrived for this long.
    heartbeat_interval_seconds: int | None = Field(default=None, ge=60, le=7 * 24 * 3600)


class Integration(BaseModel):
    """An inbound endpoint. The secret key is shown once at creation; only its hash is kept."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: Name
    service_id: str
    team_id: str
    format: SourceFormat
    #: Non-secret lookup prefix of the key (first characters), so ingest finds the record with a
    #: point read and then compares the hash in constant time.
    key_prefix: str
    key_hash: str
    settings: IntegrationSettings = Field(default_factory=IntegrationSettings)
    #: What happens when a resolved dedup key fires again: reopen the incident, or open a new one.
    on_refire: Literal["reopen", "new_incident"] = "new_incident"
    #: Per-integration token bucket: sustained alerts per minute and burst size.
    rate_limit_per_minute: int = Field(default=300, ge=1, le=100_000)
    rate_limit_burst: int = Field(default=100, ge=1, le=100_000)
    enabled: bool = True
    external_id: ExternalId | None = None
    created_at: datetime | None = None

    def name_slug(self) -> str:
        """The integration's name as a heartbeat name (letters, digits, ``._~:-``)."""
        slug = re.sub(r"[^A-Za-z0-9._~:-]+", "-", self.name).strip("-")
        return (slug or self.id)[:200]


ConditionField = Annotated[str, Field(pattern=r"^(severity|title|description|source|label:.+)$")]


#: Routes per integration: every alert is matched against all of them, in order.
MAX_ROUTES = 200


class RouteCondition(BaseModel):
    """One test on an alert field: ``label:<name>``, severity, title, description or source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: ConditionField
    op: Literal["eq", "ne", "regex", "in", "not_in", "exists", "not_exists"]
    value: str | list[str] | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> RouteCondition:
        if self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"{self.op} needs a non-empty list of values")
        elif self.op in ("exists", "not_exists"):
            if self.value is not None:
                raise ValueError(f"{self.op} takes no value")
        else:
            if not isinstance(self.value, str):
                raise ValueError(f"{self.op} needs a string value")
            if self.op == "regex":
                patterns.check(self.value)
        return self


class Route(BaseModel):
    """An ordered routing rule of an integration; the first match wins."""

    model_config = ConfigDict(frozen=True)

    id: str
    integration_id: str
    name: str = Field(default="", max_length=200)
    position: int = Field(ge=0)
    conditions: tuple[RouteCondition, ...] = Field(min_length=1, max_length=50)
    match: Literal["all", "any"] = "all"
    #: Overrides; None keeps the integration's service / the service's policy.
    service_id: str | None = None
    escalation_policy_id: str | None = None
    #: False: record the alert and its incident, but never escalate ("don't page").
    page: bool = True
    #: Overrides the alert's severity (e.g. everything from staging is P5).
    severity: Literal["P1", "P2", "P3", "P4", "P5"] | None = None
    #: Only inside these local windows (judged when the alert was received); None: always.
    active: RouteWindow | None = None
    external_id: ExternalId | None = None


# --- request bodies and answers --------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TeamBody(_Body):
    name: Name
    description: str = Field(default="", max_length=2000)
    external_id: ExternalId | None = None


class MembershipBody(_Body):
    role: TeamRole


class ServiceBody(_Body):
    name: Name
    team_id: str = Field(min_length=1, max_length=100)
    escalation_policy_id: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", max_length=2000)
    external_id: ExternalId | None = None


class IntegrationBody(_Body):
    name: Name
    service_id: str = Field(min_length=1, max_length=100)
    format: SourceFormat
    settings: IntegrationSettings = Field(default_factory=IntegrationSettings)
    on_refire: Literal["reopen", "new_incident"] = "new_incident"
    rate_limit_per_minute: int = Field(default=300, ge=1, le=100_000)
    rate_limit_burst: int = Field(default=100, ge=1, le=100_000)
    enabled: bool = True
    external_id: ExternalId | None = None


class RouteBody(_Body):
    name: str = Field(default="", max_length=200)
    position: int = Field(ge=0, le=1000)
    conditions: tuple[RouteCondition, ...] = Field(min_length=1, max_length=50)
    match: Literal["all", "any"] = "all"
    service_id: str | None = None
    escalation_policy_id: str | None = None
    page: bool = True
    severity: Literal["P1", "P2", "P3", "P4", "P5"] | None = None
    active: RouteWindow | None = None
    external_id: ExternalId | None = None


class RouteOrderBody(_Body):
    """The integration's routes in their new evaluation order (each of them, once)."""

    route_ids: list[str] = Field(min_length=1, max_length=MAX_ROUTES)
