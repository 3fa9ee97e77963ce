"""Opsgenie REST payloads -> typed records. Shapes are from the Opsgenie OpenAPI description
(opsgenie/opsgenie-oas ``definitions/*.yaml``), the Go SDK (opsgenie-go-sdk-v2 ``*/result.go``)
and the Terraform provider docs, as summarised in docs/migrate-from-opsgenie.md.

Every parser takes untrusted JSON and either returns a record or raises :class:`ParseError`
naming the field; enum values are kept as strings (the sources disagree on the enum sets, and an
unknown value is reported by the mapping, never a crash).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class ParseError(ValueError):
    """An Opsgenie payload without a field the import needs, or with a field of a wrong type."""


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(f"{where}: expected an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{where}: expected a list")
    return value


def _str(d: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = d.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ParseError(f"{where}.{key}: expected a non-empty string")
    return value


def _opt_str(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{where}.{key}: expected a string")
    return value or None


def _int(d: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"{where}.{key}: expected an integer")
    return int(value)


def _bool(d: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise ParseError(f"{where}.{key}: expected true or false")
    return value


def _time(d: Mapping[str, Any], key: str, where: str) -> datetime:
    text = _str(d, key, where)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ParseError(f"{where}.{key}: not an ISO 8601 date-time: {text!r}") from exc
    if at.utcoffset() is None:
        raise ParseError(f"{where}.{key}: needs a UTC offset: {text!r}")
    return at


def _opt_time(d: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return None if d.get(key) in (None, "") else _time(d, key, where)


def _team_ref(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    return _opt_str(_obj(value, f"{where}.{key}"), "id", f"{where}.{key}")


# --- users -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    id: str
    username: str  # the login e-mail (Opsgenie has no separate e-mail field)
    full_name: str
    time_zone: str | None
    role: str


def user(raw: object) -> User:
    d = _obj(raw, "user")
    role = d.get("role")
    return User(
        id=_str(d, "id", "user"),
        username=_str(d, "username", "user").lower(),
        full_name=_str(d, "fullName", "user", ""),
        time_zone=_opt_str(d, "timeZone", "user"),
        role=_str(_obj(role, "user.role"), "name", "user.role") if role is not None else "user",
    )


@dataclass(frozen=True)
class Contact:
    method: str  # email | sms | voice | mobile
    to: str
    enabled: bool


def contact(raw: object) -> Contact:
    d = _obj(raw, "contact")
    # The list endpoint says ``method`` + ``status.enabled``; ``expand=contact`` says
    # ``contactMethod`` + ``enabled``.
    method = d.get("method", d.get("contactMethod"))
    if not isinstance(method, str) or not method:
        raise ParseError("contact.method: expected a non-empty string")
    status = d.get("status")
    enabled = (
        _bool(_obj(status, "contact.status"), "enabled", "contact.status", True)
        if status is not None
        else _bool(d, "enabled", "contact", True)
    )
    return Contact(method=method, to=_str(d, "to", "contact"), enabled=enabled)


# --- time restrictions (rotations, routing rules, notification rules, policies) ---------------
@dataclass(frozen=True)
class Window:
    """One restriction window; days are None for ``time-of-day`` (every day)."""

    start_day: str | None
    start_hour: int
    start_min: int
    end_day: str | None
    end_hour: int
    end_min: int


@dataclass(frozen=True)
class TimeRestriction:
    type: str  # time-of-day | weekday-and-time-of-day
    windows: tuple[Window, ...]


def _window(d: Mapping[str, Any], where: str, days: bool) -> Window:
    hours = [_int(d, k, where) for k in ("startHour", "startMin", "endHour", "endMin")]
    start_hour, start_min, end_hour, end_min = hours
    if not (0 <= start_hour <= 24 and 0 <= end_hour <= 24):
        raise ParseError(f"{where}: hours must be 0-24")
    if not (0 <= start_min <= 59 and 0 <= end_min <= 59):
        raise ParseError(f"{where}: minutes must be 0-59")
    return Window(
        start_day=_str(d, "startDay", where).lower() if days else None,
        start_hour=hours[0],
        start_min=hours[1],
        end_day=_str(d, "endDay", where).lower() if days else None,
        end_hour=hours[2],
        end_min=hours[3],
    )


def time_restriction(raw: object, where: str = "timeRestriction") -> TimeRestriction | None:
    if raw is None:
        return None
    d = _obj(raw, where)
    kind = _str(d, "type", where)
    if kind == "time-of-day":
        one = d.get("restriction")
        if one is None:  # some payloads carry the single window in a one-element list
            items = _list(d.get("restrictions"), f"{where}.restrictions")
            one = items[0] if items else None
        return TimeRestriction(kind, (_window(_obj(one, f"{where}.restriction"), where, False),))
    items = _list(d.get("restrictions"), f"{where}.restrictions")
    windows = tuple(
        _window(_obj(w, f"{where}.restrictions.{i}"), f"{where}.restrictions.{i}", True)
        for i, w in enumerate(items)
    )
    return TimeRestriction(kind, windows)


# --- recipients and participants -------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    type: str  # user | team | escalation | schedule | none
    id: str | None
    name: str | None  # ``username`` for users, ``name`` otherwise


def recipient(raw: object, where: str = "recipient") -> Recipient:
    d = _obj(raw, where)
    return Recipient(
        type=_str(d, "type", where),
        id=_opt_str(d, "id", where),
        name=_opt_str(d, "username", where) or _opt_str(d, "name", where),
    )


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
    d = _obj(raw, "team")
    members = []
    for i, m in enumerate(_list(d.get("members"), "team.members")):
        where = f"team.members.{i}"
        md = _obj(m, where)
        u = _obj(md.get("user"), f"{where}.user")
        members.append(
            Member(
                user_id=_opt_str(u, "id", f"{where}.user"),
                username=(_opt_str(u, "username", f"{where}.user") or "").lower() or None,
                role=_str(md, "role", where, "user"),
            )
        )
    return Team(
        id=_str(d, "id", "team"),
        name=_str(d, "name", "team"),
        description=_str(d, "description", "team", "") if d.get("description") else "",
        members=tuple(members),
    )


@dataclass(frozen=True)
class Condition:
    field: str
    key: str | None
    negate: bool
    operation: str
    expected: str | None


@dataclass(frozen=True)
class Filter:
    type: str  # match-all | match-any-condition | match-all-conditions
    conditions: tuple[Condition, ...]


def filter_(raw: object, where: str = "criteria") -> Filter:
    if raw is None:
        return Filter("match-all", ())
    d = _obj(raw, where)
    conditions = []
    items = _list(d.get("conditions"), f"{where}.conditions")
    ordered = sorted(
        enumerate(items), key=lambda p: p[1].get("order", p[0]) if isinstance(p[1], Mapping) else 0
    )
    for i, c in ordered:
        cw = f"{where}.conditions.{i}"
        cd = _obj(c, cw)
        expected = cd.get("expectedValue")
        conditions.append(
            Condition(
                field=_str(cd, "field", cw),
                key=_opt_str(cd, "key", cw),
                negate=_bool(cd, "not", cw, False),
                operation=_str(cd, "operation", cw),
                expected=None if expected is None else str(expected),
            )
        )
    # Integration actions name the type ``conditionMatchType``; everything else ``type``.
    kind = d.get("type", d.get("conditionMatchType", "match-all"))
    if not isinstance(kind, str):
        raise ParseError(f"{where}.type: expected a string")
    return Filter(kind, tuple(conditions))


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
    d = _obj(raw, "routingRule")
    notify = d.get("notify")
    return RoutingRule(
        id=_str(d, "id", "routingRule"),
        name=_str(d, "name", "routingRule", ""),
        is_default=_bool(d, "isDefault", "routingRule", False),
        order=_int(d, "order", "routingRule", 0),
        criteria=filter_(d.get("criteria"), "routingRule.criteria"),
        time_restriction=time_restriction(d.get("timeRestriction"), "routingRule.timeRestriction"),
        timezone=_opt_str(d, "timezone", "routingRule"),
        notify=recipient(notify, "routingRule.notify")
        if notify is not None
        else Recipient("none", None, None),
    )


# --- schedules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rotation:
    id: str
    name: str
    type: str  # hourly | daily | weekly
    length: int
    start: datetime
    end: datetime | None
    participants: tuple[Recipient, ...]
    time_restriction: TimeRestriction | None
    enabled: bool


def rotation(raw: object, where: str = "rotation") -> Rotation:
    d = _obj(raw, where)
    return Rotation(
        id=_str(d, "id", where),
        name=_str(d, "name", where, "") or "rotation",
        type=_str(d, "type", where),
        length=_int(d, "length", where, 1),
        start=_time(d, "startDate", where),
        end=_opt_time(d, "endDate", where),
        participants=tuple(
            recipient(p, f"{where}.participants.{i}")
            for i, p in enumerate(_list(d.get("participants"), f"{where}.participants"))
        ),
        time_restriction=time_restriction(d.get("timeRestriction"), f"{where}.timeRestriction"),
        enabled=_bool(d, "enabled", where, True),
    )


@dataclass(frozen=True)
class Schedule:
    id: str
    name: str
    description: str
    timezone: str
    enabled: bool
    team_id: str | None
    rotations: tuple[Rotation, ...]


def schedule(raw: object) -> Schedule:
    d = _obj(raw, "schedule")
    return Schedule(
        id=_str(d, "id", "schedule"),
        name=_str(d, "name", "schedule"),
        description=_opt_str(d, "description", "schedule") or "",
        timezone=_str(d, "timezone", "schedule", "UTC") or "UTC",
        enabled=_bool(d, "enabled", "schedule", True),
        team_id=_team_ref(d, "ownerTeam", "schedule"),
        rotations=tuple(
            rotation(r, f"schedule.rotations.{i}")
            for i, r in enumerate(_list(d.get("rotations"), "schedule.rotations"))
        ),
    )


@dataclass(frozen=True)
class Override:
    alias: str
    user: Recipient
    start: datetime
    end: datetime
    rotation_ids: tuple[str, ...]


def override(raw: object) -> Override:
    d = _obj(raw, "override")
    rotations = [
        _str(_obj(r, f"override.rotations.{i}"), "id", f"override.rotations.{i}")
        for i, r in enumerate(_list(d.get("rotations"), "override.rotations"))
    ]
    return Override(
        alias=_str(d, "alias", "override"),
        user=recipient(d.get("user"), "override.user"),
        start=_time(d, "startDate", "override"),
        end=_time(d, "endDate", "override"),
        rotation_ids=tuple(rotations),
    )


@dataclass(frozen=True)
class Period:
    """One period of a timeline (``finalTimeline.rotations[].periods[]``)."""

    start: datetime
    end: datetime
    type: str
    recipient: Recipient


def timeline(raw: object) -> list[Period]:
    """The periods of ``data.finalTimeline`` of ``GET /v2/schedules/{id}/timeline``."""
    d = _obj(raw, "timeline")
    final = _obj(d.get("finalTimeline", {}), "timeline.finalTimeline")
    out: list[Period] = []
    for i, rot in enumerate(_list(final.get("rotations"), "finalTimeline.rotations")):
        rw = f"finalTimeline.rotations.{i}"
        for j, p in enumerate(_list(_obj(rot, rw).get("periods"), f"{rw}.periods")):
            pw = f"{rw}.periods.{j}"
            pd = _obj(p, pw)
            out.append(
                Period(
                    start=_time(pd, "startDate", pw),
                    end=_time(pd, "endDate", pw),
                    type=_str(pd, "type", pw, "historical"),
                    recipient=recipient(pd.get("recipient"), f"{pw}.recipient"),
                )
            )
    return out


# --- escalations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EscalationRule:
    condition: str  # if-not-acked | if-not-closed
    notify_type: str  # default | next | previous | users | admins | all | random
    delay_minutes: int
    recipient: Recipient


@dataclass(frozen=True)
class Repeat:
    wait_interval: int
    count: int
    reset_recipient_states: bool
    close_alert_after_all: bool


@dataclass(frozen=True)
class Escalation:
    id: str
    name: str
    description: str
    team_id: str | None
    rules: tuple[EscalationRule, ...]
    repeat: Repeat | None


_UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def _delay(raw: object, where: str) -> int:
    if raw is None:
        return 0
    d = _obj(raw, where)
    unit = _str(d, "timeUnit", where, "minutes")
    if unit not in _UNIT_MINUTES:
        raise ParseError(f"{where}.timeUnit: expected minutes, hours or days, got {unit!r}")
    amount = _int(d, "timeAmount", where, 0)
    if amount < 0:
        raise ParseError(f"{where}.timeAmount: must not be negative")
    return amount * _UNIT_MINUTES[unit]


def escalation(raw: object) -> Escalation:
    d = _obj(raw, "escalation")
    rules = []
    for i, r in enumerate(_list(d.get("rules"), "escalation.rules")):
        w = f"escalation.rules.{i}"
        rd = _obj(r, w)
        rules.append(
            EscalationRule(
                condition=_str(rd, "condition", w, "if-not-acked"),
                notify_type=_str(rd, "notifyType", w, "default"),
                delay_minutes=_delay(rd.get("delay"), f"{w}.delay"),
                recipient=recipient(rd.get("recipient"), f"{w}.recipient"),
            )
        )
    rep = d.get("repeat")
    repeat = None
    if rep is not None:
        rd = _obj(rep, "escalation.repeat")
        repeat = Repeat(
            wait_interval=_int(rd, "waitInterval", "escalation.repeat", 0),
            count=_int(rd, "count", "escalation.repeat", 0),
            reset_recipient_states=_bool(rd, "resetRecipientStates", "escalation.repeat", False),
            close_alert_after_all=_bool(rd, "closeAlertAfterAll", "escalation.repeat", False),
        )
        if repeat.count < 0 or repeat.wait_interval < 0:
            raise ParseError("escalation.repeat: count and waitInterval must not be negative")
    return Escalation(
        id=_str(d, "id", "escalation"),
        name=_str(d, "name", "escalation"),
        description=_opt_str(d, "description", "escalation") or "",
        team_id=_team_ref(d, "ownerTeam", "escalation"),
        rules=tuple(rules),
        repeat=repeat,
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
    d = _obj(raw, "integration")
    team_id = _opt_str(d, "teamId", "integration") or _team_ref(d, "ownerTeam", "integration")
    return Integration(
        id=_str(d, "id", "integration"),
        name=_str(d, "name", "integration"),
        type=_str(d, "type", "integration"),
        enabled=_bool(d, "enabled", "integration", True),
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
    d = _obj(raw, "heartbeat")
    unit = _str(d, "intervalUnit", "heartbeat", "minutes")
    if unit not in _UNIT_MINUTES:
        raise ParseError(f"heartbeat.intervalUnit: expected minutes, hours or days, got {unit!r}")
    interval = _int(d, "interval", "heartbeat")
    if interval <= 0:
        raise ParseError("heartbeat.interval: must be positive")
    return Heartbeat(
        name=_str(d, "name", "heartbeat"),
        description=_opt_str(d, "description", "heartbeat") or "",
        interval_minutes=interval * _UNIT_MINUTES[unit],
        enabled=_bool(d, "enabled", "heartbeat", True),
        team_id=_team_ref(d, "ownerTeam", "heartbeat"),
        alert_message=_opt_str(d, "alertMessage", "heartbeat"),
        alert_priority=_opt_str(d, "alertPriority", "heartbeat"),
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
    d = _obj(raw, "policy")
    kind = _str(d, "type", "policy")
    other: list[str] = []
    if kind == "alert":
        other += [f for f in _ALERT_ACTION_FIELDS if d.get(f) not in (None, "", [], {})]
        if d.get("responders"):
            other.append("responders")
    else:
        other += [f for f in _NOTIFICATION_ACTIONS if d.get(f)]
    return Policy(
        id=_str(d, "id", "policy"),
        name=_str(d, "name", "policy"),
        type=kind,
        enabled=_bool(d, "enabled", "policy", True),
        order=_int(d, "order", "policy", 0),
        filter=filter_(d.get("filter"), "policy.filter"),
        # Policies name it ``timeRestrictions`` (plural) but hold the single-object shape.
        time_restriction=time_restriction(d.get("timeRestrictions"), "policy.timeRestrictions"),
        priority=_opt_str(d, "priority", "policy") if kind == "alert" else None,
        suppress=_bool(d, "suppress", "policy", False) if kind == "notification" else False,
        other_actions=tuple(other),
    )


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    team_id: str | None
    description: str


def service(raw: object) -> Service:
    d = _obj(raw, "service")
    return Service(
        id=_str(d, "id", "service"),
        name=_str(d, "name", "service"),
        team_id=_opt_str(d, "teamId", "service"),
        description=_opt_str(d, "description", "service") or "",
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
    d = _obj(raw, "notificationRule")
    steps = []
    for i, s in enumerate(_list(d.get("steps"), "notificationRule.steps")):
        w = f"notificationRule.steps.{i}"
        sd = _obj(s, w)
        c = _obj(sd.get("contact"), f"{w}.contact")
        steps.append(
            RuleStep(
                method=_str(c, "method", f"{w}.contact"),
                to=_str(c, "to", f"{w}.contact"),
                send_after_minutes=_delay(sd.get("sendAfter"), f"{w}.sendAfter"),
                enabled=_bool(sd, "enabled", w, True),
            )
        )
    return NotificationRule(
        id=_str(d, "id", "notificationRule"),
        name=_str(d, "name", "notificationRule", ""),
        action_type=_str(d, "actionType", "notificationRule"),
        enabled=_bool(d, "enabled", "notificationRule", True),
        order=_int(d, "order", "notificationRule", 0),
        criteria=filter_(d.get("criteria"), "notificationRule.criteria"),
        time_restriction=time_restriction(
            d.get("timeRestriction"), "notificationRule.timeRestriction"
        ),
        steps=tuple(steps),
    )
