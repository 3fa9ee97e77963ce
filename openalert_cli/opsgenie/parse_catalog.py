"""Opsgenie integrations, heartbeats, policies and services."""

from __future__ import annotations

from dataclasses import dataclass

from openalert_cli.opsgenie.payload import (
    UNIT_MINUTES,
    Filter,
    ParseError,
    TimeRestriction,
    as_bool,
    as_int,
    as_obj,
    filter_,
    opt_str,
    req_str,
    team_ref,
    time_restriction,
)


# --- integrations, heartbeats, policies, services ---------------------------------------------
@dataclass(frozen=True)
class Integration:
    id: str
    name: str
    type: str
    enabled: bool
    team_id: str | None


def integration(raw: object) -> Integration:
    d = as_obj(raw, "integration")
    team_id = opt_str(d, "teamId", "integration") or team_ref(d, "ownerTeam", "integration")
    return Integration(
        id=req_str(d, "id", "integration"),
        name=req_str(d, "name", "integration"),
        type=req_str(d, "type", "integration"),
        enabled=as_bool(d, "enabled", "integration", True),
        team_id=team_id,
    )


@dataclass(frozen=True)
class Heartbeat:
    name: str
    description: str
    interval_minutes: int
    enabled: bool
    team_id: str | None
    alert_message: str | None
    alert_priority: str | None


def heartbeat(raw: object) -> Heartbeat:
    d = as_obj(raw, "heartbeat")
    unit = req_str(d, "intervalUnit", "heartbeat", "minutes")
    if unit not in UNIT_MINUTES:
        raise ParseError(f"heartbeat.intervalUnit: expected minutes, hours or days, got {unit!r}")
    interval = as_int(d, "interval", "heartbeat")
    if interval <= 0:
        raise ParseError("heartbeat.interval: must be positive")
    return Heartbeat(
        name=req_str(d, "name", "heartbeat"),
        description=opt_str(d, "description", "heartbeat") or "",
        interval_minutes=interval * UNIT_MINUTES[unit],
        enabled=as_bool(d, "enabled", "heartbeat", True),
        team_id=team_ref(d, "ownerTeam", "heartbeat"),
        alert_message=opt_str(d, "alertMessage", "heartbeat"),
        alert_priority=opt_str(d, "alertPriority", "heartbeat"),
    )


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    type: str  # alert | notification
    enabled: bool
    order: int
    filter: Filter
    time_restriction: TimeRestriction | None
    priority: str | None  # alert policies: the new priority
    suppress: bool  # notification policies
    other_actions: tuple[str, ...]  # actions set that the import cannot carry


_ALERT_ACTION_FIELDS = ("message", "alias", "description", "entity", "source", "tags", "details")
_NOTIFICATION_ACTIONS = (
    "delayAction",
    "autoCloseAction",
    "autoRestartAction",
    "deduplicationAction",
)


def policy(raw: object) -> Policy:
    d = as_obj(raw, "policy")
    kind = req_str(d, "type", "policy")
    other: list[str] = []
    if kind == "alert":
        other += [f for f in _ALERT_ACTION_FIELDS if d.get(f) not in (None, "", [], {})]
        if d.get("responders"):
            other.append("responders")
    else:
        other += [f for f in _NOTIFICATION_ACTIONS if d.get(f)]
    return Policy(
        id=req_str(d, "id", "policy"),
        name=req_str(d, "name", "policy"),
        type=kind,
        enabled=as_bool(d, "enabled", "policy", True),
        order=as_int(d, "order", "policy", 0),
        filter=filter_(d.get("filter"), "policy.filter"),
        # Policies name it ``timeRestrictions`` (plural) but hold the single-object shape.
        time_restriction=time_restriction(d.get("timeRestrictions"), "policy.timeRestrictions"),
        priority=opt_str(d, "priority", "policy") if kind == "alert" else None,
        suppress=as_bool(d, "suppress", "policy", False) if kind == "notification" else False,
        other_actions=tuple(other),
    )


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    team_id: str | None
    description: str


def service(raw: object) -> Service:
    d = as_obj(raw, "service")
    return Service(
        id=req_str(d, "id", "service"),
        name=req_str(d, "name", "service"),
        team_id=opt_str(d, "teamId", "service"),
        description=opt_str(d, "description", "service") or "",
    )
