"""Contact methods, personal notification rules, queue messages and the delivery log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.escalation.models import TimeRange
from shared.redact import WriteOnly, WriteOnlyUrl, redact_url
from shared.zones import IanaZone

Importance = Literal["default", "important"]
ContactKind = Literal["email", "sms", "voice", "webhook", "teams", "console"]

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


class ContactMethod(BaseModel):
    """Where a person can be reached. ``address`` is an e-mail address, an E.164 phone number,
    an https webhook URL, or a Teams user id; ``console`` (local runs) needs none. ``voice`` is
    an E.164 number called through ACS Call Automation."""

    model_config = ConfigDict(frozen=True)

    id: str
    user_id: str
    kind: ContactKind
    address: str = Field(default="", max_length=2048)
    label: str = Field(default="", max_length=100)
    #: Channels that can prove ownership (e-mail, SMS, voice) are used only once verified.
    verified: bool = False
    #: sha256 of the pending verification code, its expiry and failed attempts.
    code_hash: str | None = None
    code_expires_at: datetime | None = None
    code_attempts: int = 0
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _address(self) -> ContactMethod:
        check_address(self.kind, self.address)
        return self

    @property
    def needs_verification(self) -> bool:
        return self.kind in ("email", "sms", "voice")

    @property
    def usable(self) -> bool:
        return self.verified or not self.needs_verification


def check_address(kind: ContactKind, address: str) -> None:
    if kind == "email" and not _EMAIL.match(address):
        raise ValueError("address must be an e-mail address")
    if kind in ("sms", "voice") and not _E164.match(address):
        raise ValueError("address must be an E.164 phone number such as +4915112345678")
    if kind == "webhook" and not re.match(r"^https?://[^\s/$.?#][^\s]*$", address):
        raise ValueError("address must be an http(s) URL")
    if kind == "teams" and not address.strip():
        raise ValueError("address must be the Teams user's Entra object id")


class NotifyStep(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["notify"] = "notify"
    #: A contact method id of the user, or a kind ("email", "sms", ...) meaning all of that kind.
    contact: str = Field(min_length=1, max_length=100)


class WaitStep(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["wait"] = "wait"
    minutes: float = Field(gt=0, le=24 * 60)


RuleStep = Annotated[NotifyStep | WaitStep, Field(discriminator="type")]


class QuietHours(BaseModel):
    """Windows in the user's zone during which only important notifications go out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: IanaZone
    ranges: tuple[TimeRange, ...] = Field(min_length=1, max_length=14)


class NotificationRules(BaseModel):
    """A person's own paging preferences; the escalation step chooses the rule set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: tuple[RuleStep, ...] = Field(default=(), max_length=20)
    important: tuple[RuleStep, ...] = Field(default=(), max_length=20)
    quiet_hours: QuietHours | None = None
    #: Tell me when someone else acknowledges / resolves an incident I was paged for.
    notify_on_acknowledged: bool = False
    notify_on_resolved: bool = False


# --- queue messages (the "notifications" Service Bus queue) ----------------------------------
class NotifyJob(BaseModel):
    """Page one person for an incident, from escalation. ``rule_step`` is the position in their
    rule set this message delivers (0 for the escalation's own message)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["notify"] = "notify"
    incident_id: str
    user_id: str
    importance: Importance = "default"
    idempotency_key: str = Field(min_length=1, max_length=400)
    step: int | str | None = None
    multi_ack: bool = False
    rule_step: int = Field(default=0, ge=0, le=100)
    #: A fall-through after an asynchronous failure (a voice call nobody answered): deliver this
    #: rule step to these contact method ids only; the step's own contacts were tried already.
    only_contacts: tuple[str, ...] = Field(default=(), max_length=20)


class DirectJob(BaseModel):
    """A message to a person that is not about one incident (schedule handoffs)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["direct"] = "direct"
    user_id: str
    idempotency_key: str = Field(min_length=1, max_length=400)
    subject: str = Field(max_length=300)
    text: str = Field(max_length=4000)
    importance: Importance = "default"


class StatusUpdateJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["status_update"] = "status_update"
    incident_id: str
    user_id: str
    event: Literal["acknowledged", "resolved"]
    idempotency_key: str = Field(min_length=1, max_length=400)


class WebhookJob(BaseModel):
    """An escalation ``call_webhook`` step (or another incident event) for an outgoing webhook."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["webhook"] = "webhook"
    incident_id: str
    webhook_id: str
    event: Literal["created", "acknowledged", "resolved", "escalated", "note_added"]
    idempotency_key: str = Field(min_length=1, max_length=400)


class TeamsPostJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["teams_post"] = "teams_post"
    incident_id: str
    channel_id: str
    idempotency_key: str = Field(min_length=1, max_length=400)


class TeamsUpdateJob(BaseModel):
    """Bring every posted Teams card of an incident up to date (after a state change)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["teams_update"] = "teams_update"
    incident_id: str
    idempotency_key: str = Field(min_length=1, max_length=400)


class DigestJob(BaseModel):
    """Pages held during a bundling window, delivered as one message."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["digest"] = "digest"
    user_id: str
    incident_ids: tuple[str, ...] = Field(min_length=1, max_length=500)
    #: The held pages this digest covers (removed from the bundle once it is delivered).
    keys: tuple[str, ...] = Field(default=(), max_length=500)
    idempotency_key: str = Field(min_length=1, max_length=400)


Job = Annotated[
    NotifyJob
    | DirectJob
    | StatusUpdateJob
    | WebhookJob
    | TeamsPostJob
    | TeamsUpdateJob
    | DigestJob,
    Field(discriminator="type"),
]


class Webhook(BaseModel):
    """An outgoing webhook endpoint (the ``call_webhook`` escalation step names one)."""

    model_config = ConfigDict(frozen=True)

    id: str
    team_id: str
    name: str = Field(min_length=1, max_length=200)
    #: The whole URL is a credential (Workflows ``sig=``, Slack's hook path).
    url: WriteOnlyUrl = Field(pattern=r"^https?://\S+$", max_length=2048)
    #: HMAC-SHA256 key for the ``X-OpenAlert-Signature`` header.
    secret: WriteOnly = Field(min_length=16, max_length=512)
    events: frozenset[Literal["created", "acknowledged", "resolved", "escalated", "note_added"]] = (
        frozenset({"created", "acknowledged", "resolved", "escalated", "note_added"})
    )
    timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    #: ``openalert``: our signed JSON event. ``teams_workflows``: a Teams Workflows webhook
    #: ("When a Teams webhook request is received") for tenants that cannot install the bot; it
    #: gets a notify-only incident card with an "Open incident" link.
    format: Literal["openalert", "teams_workflows"] = "openalert"


# --- the delivery log --------------------------------------------------------------------------
DeliveryStatus = Literal[
    "sending", "sent", "failed_transient", "failed_permanent", "skipped", "held"
]


class DeliveryAttempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    idempotency_key: str
    user_id: str | None
    incident_id: str | None
    channel: str
    target: str
    status: DeliveryStatus
    attempts: int = 0
    provider_id: str | None = None
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None


def mask(kind: str, address: str) -> str:
    """What the delivery log shows of an address: enough to recognise, not to harvest."""
    if kind == "email" and "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind in ("sms", "voice"):
        return address[:4] + "*" * max(0, len(address) - 6) + address[-2:]
    if kind == "webhook":
        return redact_url(address)
    return address[:40]
