"""Adaptive Cards (schema 1.5, Universal Actions) for incidents, and bot command parsing.

One card per incident, updated in place: the buttons are ``Action.Execute`` with a ``verb`` and
the incident id in ``data``; Teams sends a click to the bot as an ``adaptiveCard/action`` invoke
and shows the card the bot answers with. ``refresh`` makes Teams fetch the current card when
someone opens an old message.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from shared.incidents.models import Incident, IncidentStatus
from shared.msteams.text import md_escape
from shared.notifications.render import page_description

#: verb -> (incident action, snooze minutes)
VERBS: dict[str, tuple[str, int | None]] = {
    "acknowledge": ("acknowledge", None),
    "resolve": ("resolve", None),
    "snooze30": ("snooze", 30),
    "snooze60": ("snooze", 60),
    "snooze240": ("snooze", 240),
    "escalate": ("escalate", None),
    "note": ("add_note", None),
    "reopen": ("reopen", None),
}

#: The card's "Post to status page": the note's text as an update of the incident's open
#: status-page posts (shared.msteams.status_update), with this status.
STATUS_UPDATE = "status_update"
STATUS_CHOICE: dict[str, Any] = {
    "type": "Input.ChoiceSet",
    "id": "status",
    "label": "Status (for a status-page update)",
    "value": "identified",
    "choices": [
        {"title": s.title(), "value": s}
        for s in ("investigating", "identified", "monitoring", "resolved")
    ],
}

_SEVERITY_COLOR = {
    "P1": "attention",
    "P2": "attention",
    "P3": "warning",
    "P4": "accent",
    "P5": "default",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _fact(title: str, value: str) -> dict[str, str]:
    """A FactSet row; Teams renders fact values as Markdown, and most values are user text."""
    return {"title": title, "value": md_escape(value)}


def _execute(title: str, verb: str, incident_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": {"incident_id": incident_id, **extra},
    }


def incident_card(
    incident: Incident,
    *,
    service_name: str,
    on_call: list[str],
    url: str,
    notice: str | None = None,
    tab_url: str | None = None,
) -> dict[str, Any]:
    """``url``: the incident's console page; ``tab_url``: a Teams deep link to that page in the
    app's OpenAlert tab, which the "Open" button then uses (Teams shows at most six actions,
    so the console page stays reachable as a link under the facts: a card forwarded outside
    Teams, or read where the app is not installed, still opens in a browser)."""
    status = incident.status
    facts = [
        _fact("Severity", incident.severity),
        _fact("Status", status.value),
        _fact("Service", service_name),
        _fact("Alerts", str(incident.alert_count)),
        _fact("On call", ", ".join(on_call) or "—"),
    ]
    if incident.acknowledged_by and status == IncidentStatus.ACKNOWLEDGED:
        facts.append(
            _fact(
                "Acknowledged",
                f"{incident.acknowledged_by.label()}, {_when(incident.acknowledged_at)}",
            )
        )
    if status == IncidentStatus.SNOOZED:
        facts.append(_fact("Snoozed until", _when(incident.snoozed_until)))
    if status == IncidentStatus.RESOLVED and incident.resolved_by:
        facts.append(
            _fact("Resolved", f"{incident.resolved_by.label()}, {_when(incident.resolved_at)}")
        )
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": md_escape(f"#{incident.number} {incident.title}"),
            "wrap": True,
            "size": "Large",
            "weight": "Bolder",
            "color": "good"
            if status == IncidentStatus.RESOLVED
            else _SEVERITY_COLOR[incident.severity],
        },
        {"type": "FactSet", "facts": facts},
    ]
    description = page_description(incident)
    if description:
        # The source's own words under the title; long ones fold (the API has them whole).
        body.insert(1, {"type": "TextBlock", "text": description, "wrap": True, "maxLines": 8})
    if tab_url:
        body.append(
            {
                "type": "TextBlock",
                "text": f"[Open in the browser]({url})",
                "wrap": True,
                "size": "Small",
                "isSubtle": True,
            }
        )
    if notice:
        body.append(
            {
                "type": "TextBlock",
                "text": md_escape(notice),
                "wrap": True,
                "color": "attention",
                "isSubtle": False,
            }
        )
    actions: list[dict[str, Any]]
    if status == IncidentStatus.RESOLVED:
        actions = [_execute("Reopen", "reopen", incident.id)]
    else:
        actions = []
        if status != IncidentStatus.ACKNOWLEDGED:
            actions.append(_execute("Acknowledge", "acknowledge", incident.id))
        actions += [
            _execute("Resolve", "resolve", incident.id),
            {
                "type": "Action.ShowCard",
                "title": "Snooze",
                "card": {
                    "type": "AdaptiveCard",
                    "body": [],
                    "actions": [
                        _execute("30 minutes", "snooze30", incident.id),
                        _execute("1 hour", "snooze60", incident.id),
                        _execute("4 hours", "snooze240", incident.id),
                    ],
                },
            },
            _execute("Escalate now", "escalate", incident.id),
            {
                "type": "Action.ShowCard",
                "title": "Add note",
                "card": {
                    "type": "AdaptiveCard",
                    "body": [
                        {
                            "type": "Input.Text",
                            "id": "note",
                            "isMultiline": True,
                            "placeholder": "What did you find?",
                            "maxLength": 2000,
                        },
                        STATUS_CHOICE,
                    ],
                    # Teams shows at most six actions on a card, all taken: the text can go
                    # to the incident's status-page posts from here instead.
                    "actions": [
                        _execute("Save note", "note", incident.id),
                        _execute("Post to status page", STATUS_UPDATE, incident.id),
                    ],
                },
            },
        ]
    if tab_url:
        actions.append({"type": "Action.OpenUrl", "title": "Open", "url": tab_url})
    else:
        actions.append({"type": "Action.OpenUrl", "title": "Open incident", "url": url})
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "refresh": {
            "action": {
                "type": "Action.Execute",
                "verb": "refresh",
                "data": {"incident_id": incident.id},
            }
        },
        "body": body,
        "actions": actions,
    }


def message_card(text: str, *, title: str = "OpenAlert") -> dict[str, Any]:
    """``text`` is Markdown: callers escape what they put into it (``shared.msteams.text``)."""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "Bolder"},
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }


Command = Literal["oncall", "incidents", "help", "unknown"]
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def parse_command(text: str | None) -> Command:
    """The bot command in a message (``@OpenAlert oncall``); mentions and case are ignored."""
    cleaned = _MENTION.sub(" ", text or "").strip().lower()
    word = cleaned.split()[0] if cleaned.split() else ""
    word = word.strip("/!.?")
    if word in ("oncall", "on-call", "who"):
        return "oncall"
    if word in ("incidents", "incident", "open"):
        return "incidents"
    if word in ("help", "", "hi", "hello"):
        return "help"
    return "unknown"


HELP = (
    "I can tell you **oncall** (who is on call for your teams now and next) and **incidents** "
    "(your open incidents). Incident cards have buttons to acknowledge, resolve, snooze, "
    "escalate and add notes."
)
