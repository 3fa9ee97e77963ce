"""Opsgenie REST payloads -> typed records. Shapes are from the Opsgenie OpenAPI description
(opsgenie/opsgenie-oas ``definitions/*.yaml``), the Go SDK (opsgenie-go-sdk-v2 ``*/result.go``)
and the Terraform provider docs, as summarised in docs/migrate-from-opsgenie.md.

Every parser takes untrusted JSON and either returns a record or raises :class:`ParseError`
naming the field; enum values are kept as strings (the sources disagree on the enum sets, and an
unknown value is reported by the mapping, never a crash).
"""

from __future__ import annotations

from dataclasses import dataclass

from openalert_cli.opsgenie.parse_catalog import (
    Heartbeat,
    Integration,
    Policy,
    Service,
    heartbeat,
    integration,
    policy,
    service,
)
from openalert_cli.opsgenie.parse_schedules import (
    Escalation,
    EscalationRule,
    Override,
    Period,
    Repeat,
    Rotation,
    Schedule,
    escalation,
    override,
    rotation,
    schedule,
    timeline,
)
from openalert_cli.opsgenie.payload import (
    UNIT_MINUTES,
    Condition,
    Filter,
    ParseError,
    Recipient,
    TimeRestriction,
    Window,
    as_bool,
    as_int,
    as_list,
    as_obj,
    as_time,
    filter_,
    minutes_of,
    opt_str,
    opt_time,
    recipient,
    req_str,
    team_ref,
    time_restriction,
)


# --- users -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    id: str
    username: str  # the login e-mail (Opsgenie has no separate e-mail field)
    full_name: str
    time_zone: str | None
    role: str


def user(raw: object) -> User:
    d = as_obj(raw, "user")
    role = d.get("role")
    return User(
        id=req_str(d, "id", "user"),
        username=req_str(d, "username", "user").lower(),
        full_name=req_str(d, "fullName", "user", ""),
        time_zone=opt_str(d, "timeZone", "user"),
        role=req_str(as_obj(role, "user.role"), "name", "user.role")
        if role is not None
        else "user",
    )


@dataclass(frozen=True)
class Contact:
    method: str  # email | sms | voice | mobile
    to: str
    enabled: bool


def contact(raw: object) -> Contact:
    d = as_obj(raw, "contact")
    # The list endpoint says ``method`` + ``status.enabled``; ``expand=contact`` says
    # ``contactMethod`` + ``enabled``.
    method = d.get("method", d.get("contactMethod"))
    if not isinstance(method, str) or not method:
        raise ParseError("contact.method: expected a non-empty string")
    status = d.get("status")
    enabled = (
        as_bool(as_obj(status, "contact.status"), "enabled", "contact.status", True)
        if status is not None
        else as_bool(d, "enabled", "contact", True)
    )
    return Contact(method=method, to=req_str(d, "to", "contact"), enabled=enabled)


# --- teams -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    user_id: str | None
    username: str | None
    role: str


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    description: str
    members: tuple[Member, ...]


def team(raw: object) -> Team:
    d = as_obj(raw, "team")
    members = []
    for i, m in enumerate(as_list(d.get("members"), "team.members")):
        where = f"team.members.{i}"
        md = as_obj(m, where)
        u = as_obj(md.get("user"), f"{where}.user")
        members.append(
            Member(
                user_id=opt_str(u, "id", f"{where}.user"),
                username=(opt_str(u, "username", f"{where}.user") or "").lower() or None,
                role=req_str(md, "role", where, "user"),
            )
        )
    return Team(
        id=req_str(d, "id", "team"),
        name=req_str(d, "name", "team"),
        description=req_str(d, "description", "team", "") if d.get("description") else "",
        members=tuple(members),
    )


@dataclass(frozen=True)
class RoutingRule:
    id: str
    name: str
    is_default: bool
    order: int
    criteria: Filter
    time_restriction: TimeRestriction | None
    timezone: str | None
    notify: Recipient  # type schedule | escalation | none


def routing_rule(raw: object) -> RoutingRule:
    d = as_obj(raw, "routingRule")
    notify = d.get("notify")
    return RoutingRule(
        id=req_str(d, "id", "routingRule"),
        name=req_str(d, "name", "routingRule", ""),
        is_default=as_bool(d, "isDefault", "routingRule", False),
        order=as_int(d, "order", "routingRule", 0),
        criteria=filter_(d.get("criteria"), "routingRule.criteria"),
        time_restriction=time_restriction(d.get("timeRestriction"), "routingRule.timeRestriction"),
        timezone=opt_str(d, "timezone", "routingRule"),
        notify=recipient(notify, "routingRule.notify")
        if notify is not None
        else Recipient("none", None, None),
    )


# --- notification rules ----------------------------------------------------------------------
@dataclass(frozen=True)
class RuleStep:
    method: str
    to: str
    send_after_minutes: int
    enabled: bool


@dataclass(frozen=True)
class NotificationRule:
    id: str
    name: str
    action_type: str
    enabled: bool
    order: int
    criteria: Filter
    time_restriction: TimeRestriction | None
    steps: tuple[RuleStep, ...]


def notification_rule(raw: object) -> NotificationRule:
    d = as_obj(raw, "notificationRule")
    steps = []
    for i, s in enumerate(as_list(d.get("steps"), "notificationRule.steps")):
        w = f"notificationRule.steps.{i}"
        sd = as_obj(s, w)
        c = as_obj(sd.get("contact"), f"{w}.contact")
        steps.append(
            RuleStep(
                method=req_str(c, "method", f"{w}.contact"),
                to=req_str(c, "to", f"{w}.contact"),
                send_after_minutes=minutes_of(sd.get("sendAfter"), f"{w}.sendAfter"),
                enabled=as_bool(sd, "enabled", w, True),
            )
        )
    return NotificationRule(
        id=req_str(d, "id", "notificationRule"),
        name=req_str(d, "name", "notificationRule", ""),
        action_type=req_str(d, "actionType", "notificationRule"),
        enabled=as_bool(d, "enabled", "notificationRule", True),
        order=as_int(d, "order", "notificationRule", 0),
        criteria=filter_(d.get("criteria"), "notificationRule.criteria"),
        time_restriction=time_restriction(
            d.get("timeRestriction"), "notificationRule.timeRestriction"
        ),
        steps=tuple(steps),
    )


__all__ = [
    "UNIT_MINUTES",
    "Condition",
    "Contact",
    "Escalation",
    "EscalationRule",
    "Filter",
    "Heartbeat",
    "Integration",
    "Member",
    "NotificationRule",
    "Override",
    "ParseError",
    "Period",
    "Policy",
    "Recipient",
    "Repeat",
    "Rotation",
    "RoutingRule",
    "RuleStep",
    "Schedule",
    "Service",
    "Team",
    "TimeRestriction",
    "User",
    "Window",
    "as_bool",
    "as_int",
    "as_list",
    "as_obj",
    "as_time",
    "contact",
    "escalation",
    "filter_",
    "heartbeat",
    "integration",
    "minutes_of",
    "notification_rule",
    "opt_str",
    "opt_time",
    "override",
    "policy",
    "recipient",
    "req_str",
    "rotation",
    "routing_rule",
    "schedule",
    "service",
    "team",
    "team_ref",
    "time_restriction",
    "timeline",
    "user",
]
