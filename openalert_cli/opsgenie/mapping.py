"""Pure mapping from parsed Opsgenie records to OpenAlert API bodies. No I/O: every function
takes what it needs and returns the body plus the notes about what did not map exactly.

Semantics assumed where Opsgenie's documentation is silent (each checked by the import against
Opsgenie's own ``timeline`` answer, see ``verify``):
- daily and weekly rotations hand off at the same local time in the schedule's zone across DST;
  hourly rotations count real hours;
- a time restriction masks the rotation (hand-offs still happen outside it);
- an escalation rule's delay counts from the start of the escalation (not from the previous rule),
  and a repeat starts ``waitInterval`` minutes after the last rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openalert_cli.opsgenie import parse as og

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEK = 7 * 1440
#: OpenAlert's limits (shared/schedules/models.py, shared/escalation/models.py).
MAX_RESTRICTIONS = 20
MAX_REPEATS = 10
MAX_WAIT = 24 * 60
GAP = ""


@dataclass(frozen=True)
class Note:
    """A difference between the Opsgenie object and what OpenAlert gets."""

    reason: str
    todo: str
    skipped: bool = False


def ext(kind: str, og_id: str) -> str:
    """The ``external_id`` of an imported object (shared/catalog/external.py's pattern)."""
    safe = re.sub(r"[^A-Za-z0-9._~:@/+=-]", "-", og_id)[:150]
    return f"opsgenie:{kind}:{safe}"


def zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


# --- time restrictions -----------------------------------------------------------------------
def hm(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def restriction_pieces(tr: og.TimeRestriction) -> list[tuple[int, int, int]]:
    """The restriction as (weekday, start minute, end minute) pieces within single days;
    end 1440 is midnight. Multi-day weekday windows (Monday 09:00 - Friday 17:00) become one
    piece per day they touch."""
    intervals: list[tuple[int, int]] = []
    for w in tr.windows:
        start = w.start_hour * 60 + w.start_min
        end = w.end_hour * 60 + w.end_min
        if w.start_day is None or w.end_day is None:
            for d in range(7):
                s, e = d * 1440 + start, d * 1440 + end
                intervals.append((s, e if e > s else e + 1440))
            continue
        s = DAYS.index(w.start_day) * 1440 + start
        e = DAYS.index(w.end_day) * 1440 + end
        intervals.append((s, e if e > s else e + WEEK))
    pieces: set[tuple[int, int, int]] = set()
    for s, e in intervals:
        at = s
        while at < e:
            day = at // 1440
            stop = min(e, (day + 1) * 1440)
            pieces.add((day % 7, at - day * 1440, stop - day * 1440))
            at = stop
    return sorted(pieces)


def restrictions(tr: og.TimeRestriction | None) -> tuple[list[dict[str, Any]], list[Note]]:
    """Opsgenie's two restriction kinds as OpenAlert layer restrictions (local wall-clock
    windows with weekdays, 0 = Monday)."""
    if tr is None:
        return [], []
    bad = [
        d for w in tr.windows for d in (w.start_day, w.end_day) if d is not None and d not in DAYS
    ]
    if bad or tr.type not in ("time-of-day", "weekday-and-time-of-day"):
        what = f"day {bad[0]!r}" if bad else f"type {tr.type!r}"
        return [], [Note(f"unknown time restriction {what}", "add the restriction by hand", True)]
    by_window: dict[tuple[int, int], set[int]] = {}
    for day, s, e in restriction_pieces(tr):
        by_window.setdefault((s, e), set()).add(day)
    out = [
        {"weekdays": sorted(days), "start": hm(s), "end": hm(e)}
        for (s, e), days in sorted(by_window.items())
    ]
    if len(out) > MAX_RESTRICTIONS:
        return [], [
            Note(
                f"the restriction splits into {len(out)} daily windows; a layer holds "
                f"{MAX_RESTRICTIONS}",
                "split the rotation into several layers by hand",
                True,
            )
        ]
    return out, []


# --- schedules -------------------------------------------------------------------------------
_FREQUENCY = {"hourly": "hourly", "daily": "daily", "weekly": "weekly"}


def layer(
    rot: og.Rotation, tz: str, users: Mapping[str, str]
) -> tuple[dict[str, Any] | None, list[Note]]:
    """One rotation as a layer. ``users``: Opsgenie user id -> OpenAlert user id."""
    notes: list[Note] = []
    if not rot.enabled:
        return None, [Note("the rotation is disabled in Opsgenie", "nothing", True)]
    if rot.type not in _FREQUENCY:
        return None, [Note(f"unknown rotation type {rot.type!r}", "add it by hand", True)]
    if not 1 <= rot.length <= 1000:
        return None, [Note(f"rotation length {rot.length} is out of range", "add by hand", True)]
    participants: list[str] = []
    for p in rot.participants:
        if p.type == "user" and p.id is not None and p.id in users:
            participants.append(users[p.id])
        elif p.type == "none":
            participants.append(GAP)
        else:
            who = p.name or p.id or p.type
            if p.type == "user":
                reason = f"participant {who} has no OpenAlert account"
                todo = "add the person (they sign in, or POST /users/pending) and re-run"
            else:
                reason = f"participant {who} is a {p.type}; its turns are gaps here"
                todo = f"put the people of that {p.type} into the rotation"
            notes.append(Note(reason, todo))
            participants.append(GAP)
    if not participants or all(p == GAP for p in participants):
        return None, [*notes, Note("the rotation has nobody to put on call", "nothing", True)]
    restr, rnotes = restrictions(rot.time_restriction)
    if any(n.skipped for n in rnotes):
        return None, rnotes
    body: dict[str, Any] = {
        "name": rot.name,
        "participants": participants,
        "start": rot.start.astimezone(ZoneInfo(tz)).replace(tzinfo=None).isoformat(),
        "frequency": _FREQUENCY[rot.type],
        "interval": rot.length,
        "restrictions": restr,
    }
    if rot.type == "hourly":
        body["hourly_clock"] = "elapsed"
    if rot.end is not None:
        body["effective_until"] = rot.end.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return body, notes


def _slots(tr: og.TimeRestriction | None) -> set[int]:
    """The half-hours of the week (local time) a restriction lets the rotation page in."""
    if tr is None:
        return set(range(WEEK // 30))
    return {(day * 1440 + m) // 30 for day, s, e in restriction_pieces(tr) for m in range(s, e, 30)}


def may_overlap(a: og.Rotation, b: og.Rotation) -> bool:
    """Whether two rotations can have someone on call at the same time (then Opsgenie pages
    both, and OpenAlert's later layer wins)."""
    if (a.end is not None and a.end <= b.start) or (b.end is not None and b.end <= a.start):
        return False
    try:
        return bool(_slots(a.time_restriction) & _slots(b.time_restriction))
    except ValueError:  # an unknown day name: reported with the restriction
        return True


def schedule_body(
    s: og.Schedule, team_id: str, users: Mapping[str, str]
) -> tuple[dict[str, Any], list[tuple[str, Note]]]:
    """The schedule body and (rotation name, note) pairs."""
    notes: list[tuple[str, Note]] = []
    tz = zone(s.timezone)
    if tz is None:
        notes.append((s.name, Note(f"unknown time zone {s.timezone!r}; UTC used", "set the zone")))
        tz = "UTC"
    layers = []
    for rot in s.rotations:
        body, rnotes = layer(rot, tz, users)
        notes += [(rot.name, n) for n in rnotes]
        if body is not None:
            layers.append(body)
    if any(may_overlap(a, b) for i, a in enumerate(s.rotations) for b in s.rotations[i + 1 :]):
        notes.append(
            (
                s.name,
                Note(
                    "where rotations overlap Opsgenie pages everyone on call in each; OpenAlert "
                    "pages the later rotation's person (layers are priorities)",
                    "check the timeline comparison below for differences",
                ),
            )
        )
    body = {
        "name": s.name,
        "team_id": team_id,
        "time_zone": tz,
        "layers": layers,
        "external_id": ext("schedule", s.id),
    }
    return body, notes


def override_body(
    o: og.Override, s: og.Schedule, users: Mapping[str, str]
) -> tuple[dict[str, str] | None, list[Note]]:
    if o.user.type != "user" or o.user.id is None or o.user.id not in users:
        who = o.user.name or o.user.id or o.user.type
        return None, [
            Note(
                f"override by {who} ({o.user.type}) has no OpenAlert person",
                "add the override by hand",
                True,
            )
        ]
    notes = []
    all_rotations = {r.id for r in s.rotations}
    if o.rotation_ids and set(o.rotation_ids) != all_rotations:
        notes.append(
            Note(
                "the override applies to some rotations only; here it covers the whole schedule",
                "check the override's hours",
            )
        )
    return {
        "user": users[o.user.id],
        "start": o.start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "end": o.end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }, notes


# --- escalations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Refs:
    """What escalation recipients resolve to in OpenAlert."""

    users: Mapping[str, str]  # Opsgenie user id -> user id
    schedules: Mapping[str, str]  # Opsgenie schedule id -> schedule id
    teams: Mapping[str, str]  # Opsgenie team id -> team id
    #: Opsgenie team id -> OpenAlert user ids by Opsgenie team role ("admin", "user", ...).
    members: Mapping[str, Mapping[str, Sequence[str]]]
    #: Opsgenie team id -> the schedule its default routing rule notifies (imported), and
    #: whether the team also has routing rules with conditions.
    default_schedules: Mapping[str, str] = field(default_factory=dict)
    conditional_routing: frozenset[str] = frozenset()


def _waits(minutes: int) -> list[dict[str, Any]]:
    out = []
    while minutes > 0:
        out.append({"type": "wait", "minutes": min(minutes, MAX_WAIT)})
        minutes -= MAX_WAIT
    return out


def _notify(rule: og.EscalationRule, refs: Refs) -> tuple[dict[str, Any] | None, list[Note]]:
    r, kind = rule.recipient, rule.notify_type
    rid = r.id or ""
    who = r.name or rid or r.type
    if r.type == "user":
        if rid not in refs.users:
            return None, [Note(f"{who} has no OpenAlert account", "add the person", True)]
        note = [] if kind == "default" else [Note(f"notify type {kind!r} on a user", "check")]
        return {"type": "notify_users", "user_ids": [refs.users[rid]]}, note
    if r.type == "schedule":
        if rid not in refs.schedules:
            return None, [Note(f"schedule {who} was not imported", "add the step by hand", True)]
        which = {"default": "current", "next": "next", "previous": "previous"}.get(kind)
        if which is None:
            return None, [Note(f"notify type {kind!r} on a schedule", "add by hand", True)]
        return {"type": "notify_schedule", "schedule_id": refs.schedules[rid], "which": which}, []
    if r.type == "team":
        if rid not in refs.teams:
            return None, [Note(f"team {who} was not imported", "add the step by hand", True)]
        team_id = refs.teams[rid]
        if kind == "all":
            return {"type": "notify_team", "team_id": team_id}, []
        if kind == "default" and rid in refs.default_schedules:
            step = {"type": "notify_schedule", "schedule_id": refs.default_schedules[rid]}
            if rid not in refs.conditional_routing:
                return step, []
            return step, [
                Note(
                    f"team {who}: its default routing rule's schedule is paged; the team's "
                    "routing rules with conditions are not consulted here",
                    "check the step",
                )
            ]
        if kind == "default":
            return {"type": "notify_team", "team_id": team_id}, [
                Note(
                    f"team {who}: Opsgenie lets the team's routing rules pick; here every "
                    "member is paged",
                    "point the step at the schedule the team's default route used",
                )
            ]
        if kind == "random":
            return {"type": "notify_round_robin", "team_id": team_id}, [
                Note(f"team {who}: one member in turn, not at random", "nothing")
            ]
        if kind in ("admins", "users"):
            role = "admin" if kind == "admins" else "user"
            ids = list(refs.members.get(rid, {}).get(role, ()))
            if not ids:
                return None, [Note(f"team {who} has no {kind} to page", "add by hand", True)]
            return {"type": "notify_users", "user_ids": ids}, [
                Note(
                    f"team {who}'s {kind} as they are now; later membership changes do not "
                    "change the step",
                    "edit the step when the team changes",
                )
            ]
        return None, [Note(f"unknown notify type {kind!r}", "add the step by hand", True)]
    return None, [Note(f"recipient type {r.type!r}", "add the step by hand", True)]


def policy_body(
    e: og.Escalation, team_id: str, refs: Refs
) -> tuple[dict[str, Any] | None, list[Note]]:
    """The escalation as a policy: waits between the rules' offsets, then the repeat."""
    notes: list[Note] = []
    steps: list[dict[str, Any]] = []
    at = 0
    for rule in sorted(e.rules, key=lambda r: r.delay_minutes):
        step, rnotes = _notify(rule, refs)
        notes += rnotes
        if rule.condition == "if-not-closed":
            notes.append(
                Note(
                    "a rule fires 'if not closed'; here paging stops at the acknowledgement",
                    "set an acknowledgement timeout on the policy if it should page again",
                )
            )
        elif rule.condition != "if-not-acked":
            notes.append(Note(f"unknown rule condition {rule.condition!r}", "check the rule"))
        if step is None:
            continue
        steps += _waits(rule.delay_minutes - at)
        at = rule.delay_minutes
        steps.append(step)
    if not any(s["type"].startswith("notify") for s in steps):
        return None, [*notes, Note("no rule could be carried over", "build the policy", True)]
    rep = e.repeat
    if rep is not None and rep.count > 0:
        wait = rep.wait_interval
        if wait <= 0:
            wait = 1
            notes.append(Note("repeat without a wait: one minute used", "nothing"))
        steps += _waits(wait)
        if rep.count > MAX_REPEATS:
            notes.append(
                Note(f"repeats {rep.count} times; OpenAlert at most {MAX_REPEATS}", "nothing")
            )
        steps.append({"type": "repeat", "times": min(rep.count, MAX_REPEATS)})
        if rep.reset_recipient_states:
            notes.append(
                Note(
                    "'reset recipient states': here a repeat pages again whether or not "
                    "someone acknowledged in between (an acknowledgement stops the policy)",
                    "nothing",
                )
            )
        if rep.close_alert_after_all:
            steps.append({"type": "resolve"})
    body = {
        "name": e.name,
        "team_id": team_id,
        "steps": steps,
        "external_id": ext("escalation", e.id),
    }
    return body, notes
