"""The card a Teams Workflows webhook posts: notify-only, since Workflows cannot call us back."""

from __future__ import annotations

from typing import Any

from shared.incidents.models import Incident
from shared.msteams.text import md_escape
from shared.notifications.render import incident_url, page_description


def workflows_message(
    incident: Incident, *, service_name: str, base_url: str, event: str
) -> dict[str, Any]:
    """A notify-only Adaptive Card for a Teams Workflows webhook: no buttons that call back
    (Workflows cannot deliver clicks to us), only a link to the incident."""
    url = incident_url(base_url, incident.id)
    description = page_description(incident)
    shown = (
        [{"type": "TextBlock", "text": description, "wrap": True, "maxLines": 8}]
        if description
        else []
    )
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {
                "type": "TextBlock",
                "weight": "Bolder",
                "size": "Large",
                "wrap": True,
                # Workflows renders the card's text as Markdown: alert text must stay text.
                "text": md_escape(f"#{incident.number} {incident.title}"),
            },
            *shown,
            {
                "type": "FactSet",
                "facts": [
                    {"title": title, "value": md_escape(value)}
                    for title, value in (
                        ("Event", event),
                        ("Severity", incident.severity),
                        ("Status", incident.status.value),
                        ("Service", service_name),
                        ("Alerts", str(incident.alert_count)),
                    )
                ],
            },
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open incident", "url": url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
