"""A person's Opsgenie contact methods and notification rules in OpenAlert's shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openalert_cli.opsgenie import parse as og
from openalert_cli.opsgenie.mapping import MAX_WAIT, Note

_CONTACT_KIND = {"email": "email", "sms": "sms", "voice": "voice"}


def personal(
    contacts: Sequence[og.Contact], rules: Sequence[og.NotificationRule]
) -> tuple[dict[str, Any], list[Note]]:
    """A person's contact methods and their 'new alert' rule, in the shapes of
    ``POST /me/contact-methods`` and ``PUT /me/notification-rules``."""
    notes: list[Note] = []
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
        if rule.criteria.type != "match-all" or rule.time_restriction is not None:
            notes.append(
                Note(
                    f"rule {rule.name!r} has criteria or a time restriction; the steps apply "
                    "always (quiet hours are the closest setting)",
                    "set quiet hours by hand",
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
        "rules": {"default": steps, "important": steps} if steps else None,
    }, notes
