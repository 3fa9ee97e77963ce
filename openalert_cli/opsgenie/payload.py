"""The shared parts of Opsgenie payloads: the JSON readers every parser uses, time
restrictions, recipients and filters (their shapes are the same wherever they appear)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class ParseError(ValueError):
    """An Opsgenie payload without a field the import needs, or with a field of a wrong type."""


def as_obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(f"{where}: expected an object")
    return value


def as_list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(f"{where}: expected a list")
    return value


def req_str(d: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = d.get(key, default)
    if not isinstance(value, str) or (default is None and not value):
        raise ParseError(f"{where}.{key}: expected a non-empty string")
    return value


def opt_str(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"{where}.{key}: expected a string")
    return value or None


def as_int(d: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"{where}.{key}: expected an integer")
    return int(value)


def as_bool(d: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise ParseError(f"{where}.{key}: expected true or false")
    return value


def as_time(d: Mapping[str, Any], key: str, where: str) -> datetime:
    text = req_str(d, key, where)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ParseError(f"{where}.{key}: not an ISO 8601 date-time: {text!r}") from exc
    if at.utcoffset() is None:
        raise ParseError(f"{where}.{key}: needs a UTC offset: {text!r}")
    return at


def opt_time(d: Mapping[str, Any], key: str, where: str) -> datetime | None:
    return None if d.get(key) in (None, "") else as_time(d, key, where)


def team_ref(d: Mapping[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    return opt_str(as_obj(value, f"{where}.{key}"), "id", f"{where}.{key}")


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
    hours = [as_int(d, k, where) for k in ("startHour", "startMin", "endHour", "endMin")]
    start_hour, start_min, end_hour, end_min = hours
    if not (0 <= start_hour <= 24 and 0 <= end_hour <= 24):
        raise ParseError(f"{where}: hours must be 0-24")
    if not (0 <= start_min <= 59 and 0 <= end_min <= 59):
        raise ParseError(f"{where}: minutes must be 0-59")
    return Window(
        start_day=req_str(d, "startDay", where).lower() if days else None,
        start_hour=hours[0],
        start_min=hours[1],
        end_day=req_str(d, "endDay", where).lower() if days else None,
        end_hour=hours[2],
        end_min=hours[3],
    )


def time_restriction(raw: object, where: str = "timeRestriction") -> TimeRestriction | None:
    if raw is None:
        return None
    d = as_obj(raw, where)
    kind = req_str(d, "type", where)
    if kind == "time-of-day":
        one = d.get("restriction")
        if one is None:  # some payloads carry the single window in a one-element list
            items = as_list(d.get("restrictions"), f"{where}.restrictions")
            one = items[0] if items else None
        return TimeRestriction(kind, (_window(as_obj(one, f"{where}.restriction"), where, False),))
    items = as_list(d.get("restrictions"), f"{where}.restrictions")
    windows = tuple(
        _window(as_obj(w, f"{where}.restrictions.{i}"), f"{where}.restrictions.{i}", True)
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
    d = as_obj(raw, where)
    return Recipient(
        type=req_str(d, "type", where),
        id=opt_str(d, "id", where),
        name=opt_str(d, "username", where) or opt_str(d, "name", where),
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
    d = as_obj(raw, where)
    conditions = []
    items = as_list(d.get("conditions"), f"{where}.conditions")
    ordered = sorted(
        enumerate(items), key=lambda p: p[1].get("order", p[0]) if isinstance(p[1], Mapping) else 0
    )
    for i, c in ordered:
        cw = f"{where}.conditions.{i}"
        cd = as_obj(c, cw)
        expected = cd.get("expectedValue")
        conditions.append(
            Condition(
                field=req_str(cd, "field", cw),
                key=opt_str(cd, "key", cw),
                negate=as_bool(cd, "not", cw, False),
                operation=req_str(cd, "operation", cw),
                expected=None if expected is None else str(expected),
            )
        )
    # Integration actions name the type ``conditionMatchType``; everything else ``type``.
    kind = d.get("type", d.get("conditionMatchType", "match-all"))
    if not isinstance(kind, str):
        raise ParseError(f"{where}.type: expected a string")
    return Filter(kind, tuple(conditions))


UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def minutes_of(raw: object, where: str) -> int:
    if raw is None:
        return 0
    d = as_obj(raw, where)
    unit = req_str(d, "timeUnit", where, "minutes")
    if unit not in UNIT_MINUTES:
        raise ParseError(f"{where}.timeUnit: expected minutes, hours or days, got {unit!r}")
    amount = as_int(d, "timeAmount", where, 0)
    if amount < 0:
        raise ParseError(f"{where}.timeAmount: must not be negative")
    return amount * UNIT_MINUTES[unit]
