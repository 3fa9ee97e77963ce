"""A person's Opsgenie contact methods and notification rules in OpenAlert's shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openalert_cli.opsgenie import mapping
from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.mapping import MAX_WAIT, Note

_CONTACT_KIND = {"email": "email", "sms": "sms", "voice": "voice"}


#: OpenAlert's quiet hours hold at most this many ranges (shared/notifications/models.py).
MAX_QUIET_RANGES = 14


def quiet_hours(tr: og.TimeRestriction, tz: str) -> dict[str, Any] | None:
    """The hours outside a rule's time restriction, as quiet hours in the person's zone: the
    restriction says when the rule may notify, quiet hours when default pages wait. None when
    the complement needs more ranges than quiet hours hold."""
    allowed = {
        (day * 1440 + m) // 30
        for day, s, e in mapping.restriction_pieces(tr)
        for m in range(s, e, 30)
    }
    by_window: dict[tuple[int, int], set[int]] = {}
    for day in range(7):
        m = 0
        while m < 1440:
            if (day * 1440 + m) // 30 in allowed:
                m += 30
                continue
            start = m
            while m < 1440 and (day * 1440 + m) // 30 not in allowed:
                m += 30
            by_window.setdefault((start, m), set()).add(day)
    if not by_window:
        return None
    ranges = [
        {"weekdays": sorted(days), "start": mapping.hm(s), "end": mapping.hm(e)}
        for (s, e), days in sorted(by_window.items())
    ]
    if len(ranges) > MAX_QUIET_RANGES:
        return None
    return {"timezone": tz, "ranges": ranges}


def personal(
    contacts: Sequence[og.Contact],
    rules: Sequence[og.NotificationRule],
    time_zone: str | None = None,
) -> tuple[dict[str, Any], list[Note]]:
    """A person's contact methods and their 'new alert' rule, in the shapes of
    ``POST /me/contact-methods`` and ``PUT /me/notification-rules``."""
    notes: list[Note] = []
    quiet: dict[str, Any] | None = None
    methods = []
    for c in contacts:
        kind = _CONTACT_KIND.get(c.method)
        if kind is None:
            notes.append(Note(f"contact method {c.method!r} ({c.to})", "install Teams", True))
            continue
        methods.append({"kind": kind, "address": c.to, "label": "from Opsgenie"})
    steps: list[dict[str, Any]] = []
    create = [r for r in rules if r.action_type == "create-alert" and r.enabled]
    for r in rules:
        if r not in create and r.enabled and r.action_type not in ("schedule-start",):
            notes.append(
                Note(
                    f"rule {r.name!r} ({r.action_type}) has no counterpart",
                    "the ack/close updates are the notify_on_* switches",
                    True,
                )
            )
    if create:
        rule = sorted(create, key=lambda r: r.order)[0]
        tz = mapping.zone(time_zone)
        if rule.time_restriction is not None and tz is not None:
            quiet = quiet_hours(rule.time_restriction, tz)
        if rule.time_restriction is not None:
            notes.append(
                Note(
                    f"rule {rule.name!r} notifies only in its time restriction; the hours outside "
                    "it become quiet hours, when important pages still go out",
                    "nothing" if quiet else "set quiet hours by hand",
                )
            )
        if rule.criteria.type != "match-all":
            notes.append(
                Note(
                    f"rule {rule.name!r} has criteria; here its steps apply to every page",
                    "nothing",
                )
            )
        at = 0
        for st in sorted((s for s in rule.steps if s.enabled), key=lambda s: s.send_after_minutes):
            kind = _CONTACT_KIND.get(st.method)
            if kind is None:
                continue
            if st.send_after_minutes > at:
                steps.append({"type": "wait", "minutes": min(st.send_after_minutes - at, MAX_WAIT)})
                at = st.send_after_minutes
            steps.append({"type": "notify", "contact": kind})
    if any(r.action_type == "schedule-start" for r in rules):
        notes.append(
            Note("shift-start reminders", "OpenAlert sends shift reminders to everyone", True)
        )
    return {
        "contacts": methods,
        "rules": {"default": steps, "important": steps, "quiet_hours": quiet} if steps else None,
    }, notes
