"""Opsgenie schedules (rotations, overrides, the timeline) and escalations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openalert_cli.opsgenie.payload import (
    ParseError,
    Recipient,
    TimeRestriction,
    as_bool,
    as_int,
    as_list,
    as_obj,
    as_time,
    minutes_of,
    opt_str,
    opt_time,
    recipient,
    req_str,
    team_ref,
    time_restriction,
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
    d = as_obj(raw, where)
    return Rotation(
        id=req_str(d, "id", where),
        name=req_str(d, "name", where, "") or "rotation",
        type=req_str(d, "type", where),
        length=as_int(d, "length", where, 1),
        start=as_time(d, "startDate", where),
        end=opt_time(d, "endDate", where),
        participants=tuple(
            recipient(p, f"{where}.participants.{i}")
            for i, p in enumerate(as_list(d.get("participants"), f"{where}.participants"))
        ),
        time_restriction=time_restriction(d.get("timeRestriction"), f"{where}.timeRestriction"),
        enabled=as_bool(d, "enabled", where, True),
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
    d = as_obj(raw, "schedule")
    return Schedule(
        id=req_str(d, "id", "schedule"),
        name=req_str(d, "name", "schedule"),
        description=opt_str(d, "description", "schedule") or "",
        timezone=req_str(d, "timezone", "schedule", "UTC") or "UTC",
        enabled=as_bool(d, "enabled", "schedule", True),
        team_id=team_ref(d, "ownerTeam", "schedule"),
        rotations=tuple(
            rotation(r, f"schedule.rotations.{i}")
            for i, r in enumerate(as_list(d.get("rotations"), "schedule.rotations"))
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
    d = as_obj(raw, "override")
    rotations = [
        req_str(as_obj(r, f"override.rotations.{i}"), "id", f"override.rotations.{i}")
        for i, r in enumerate(as_list(d.get("rotations"), "override.rotations"))
    ]
    return Override(
        alias=req_str(d, "alias", "override"),
        user=recipient(d.get("user"), "override.user"),
        start=as_time(d, "startDate", "override"),
        end=as_time(d, "endDate", "override"),
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
    d = as_obj(raw, "timeline")
    final = as_obj(d.get("finalTimeline", {}), "timeline.finalTimeline")
    out: list[Period] = []
    for i, rot in enumerate(as_list(final.get("rotations"), "finalTimeline.rotations")):
        rw = f"finalTimeline.rotations.{i}"
        for j, p in enumerate(as_list(as_obj(rot, rw).get("periods"), f"{rw}.periods")):
            pw = f"{rw}.periods.{j}"
            pd = as_obj(p, pw)
            out.append(
                Period(
                    start=as_time(pd, "startDate", pw),
                    end=as_time(pd, "endDate", pw),
                    type=req_str(pd, "type", pw, "historical"),
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


def escalation(raw: object) -> Escalation:
    d = as_obj(raw, "escalation")
    rules = []
    for i, r in enumerate(as_list(d.get("rules"), "escalation.rules")):
        w = f"escalation.rules.{i}"
        rd = as_obj(r, w)
        rules.append(
            EscalationRule(
                condition=req_str(rd, "condition", w, "if-not-acked"),
                notify_type=req_str(rd, "notifyType", w, "default"),
                delay_minutes=minutes_of(rd.get("delay"), f"{w}.delay"),
                recipient=recipient(rd.get("recipient"), f"{w}.recipient"),
            )
        )
    rep = d.get("repeat")
    repeat = None
    if rep is not None:
        rd = as_obj(rep, "escalation.repeat")
        repeat = Repeat(
            wait_interval=as_int(rd, "waitInterval", "escalation.repeat", 0),
            count=as_int(rd, "count", "escalation.repeat", 0),
            reset_recipient_states=as_bool(rd, "resetRecipientStates", "escalation.repeat", False),
            close_alert_after_all=as_bool(rd, "closeAlertAfterAll", "escalation.repeat", False),
        )
        if repeat.count < 0 or repeat.wait_interval < 0:
            raise ParseError("escalation.repeat: count and waitInterval must not be negative")
    return Escalation(
        id=req_str(d, "id", "escalation"),
        name=req_str(d, "name", "escalation"),
        description=opt_str(d, "description", "escalation") or "",
        team_id=team_ref(d, "ownerTeam", "escalation"),
        rules=tuple(rules),
        repeat=repeat,
    )
