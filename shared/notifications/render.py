"""One template set, rendered per channel: title, severity, service, link, action links."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from shared.incidents.models import Incident
from shared.notifications.sanitize import multi_line, one_line

#: SMS segments are 160 GSM-7 characters; keep one page to one segment where possible.
SMS_LIMIT = 160


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    short: str
    url: str
    #: What a voice call reads out (text-to-speech): short, no links.
    spoken: str = ""

    def __post_init__(self) -> None:
        # Every message is clean by construction: no renderer (or later one) can hand a
        # channel an alert's line break or bidi override.
        for name in ("subject", "short", "url", "spoken"):
            object.__setattr__(self, name, one_line(getattr(self, name)))
        for name in ("text", "html"):
            object.__setattr__(self, name, multi_line(getattr(self, name)))


def incident_url(base_url: str, incident_id: str) -> str:
    return f"{base_url.rstrip('/')}/incidents/{incident_id}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: Characters of the incident's description a page with room for it (e-mail, Teams) shows;
#: the whole one (up to 4,000) is on the incident page.
PAGE_DESCRIPTION_LIMIT = 1500


def page_description(incident: Incident) -> str:
    return _clip(incident.description.strip(), PAGE_DESCRIPTION_LIMIT)


#: Text-to-speech reads a long title for a long time; a caller wants the gist.
SPOKEN_TITLE_LIMIT = 120
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def _speakable(text: str) -> str:
    """Links and markup characters are noise when read out; collapse what is left."""
    text = _URL.sub(" ", text)
    text = re.sub(r"[<>{}\[\]|*_`#~^\\]", " ", text)
    return " ".join(text.split())


def render_spoken(incident: Incident, *, service_name: str, headline: str = "Incident") -> str:
    """One or two sentences for a phone call: headline, number, severity, title, service."""
    title = _clip(_speakable(incident.title), SPOKEN_TITLE_LIMIT) or "untitled"
    service = _clip(_speakable(service_name), 60)
    on = f" on service {service}" if service else ""
    return (
        f"OpenAlert. {_speakable(headline) or 'Incident'} {incident.number}, "
        f"severity {_speakable(incident.severity)}{on}: {title}."
    )


def render_incident(
    incident: Incident, *, base_url: str, service_name: str, headline: str = "Incident"
) -> Message:
    url = incident_url(base_url, incident.id)
    subject = _clip(f"[{incident.severity}] #{incident.number} {incident.title}", 200)
    lines = [
        f"{headline} #{incident.number}: {incident.title}",
        f"Severity: {incident.severity}   Status: {incident.status.value}",
        f"Service: {service_name}   Alerts: {incident.alert_count}",
    ]
    description = page_description(incident)
    if description:
        lines += ["", description, ""]
    lines += [
        f"Open: {url}",
        f"Acknowledge: {url}?action=acknowledge",
        f"Resolve: {url}?action=resolve",
    ]
    text = "\n".join(lines)
    e = html.escape
    body = (
        f"<h2>{e(headline)} #{incident.number}: {e(incident.title)}</h2>"
        f"<p><b>Severity</b> {e(incident.severity)} &middot; <b>Status</b> "
        f"{e(incident.status.value)} &middot; <b>Service</b> {e(service_name)} &middot; "
        f"<b>Alerts</b> {incident.alert_count}</p>"
        + (f'<p style="white-space:pre-wrap">{e(description)}</p>' if description else "")
        + f'<p><a href="{e(url)}">Open incident</a> &middot; '
        f'<a href="{e(url)}?action=acknowledge">Acknowledge</a> &middot; '
        f'<a href="{e(url)}?action=resolve">Resolve</a></p>'
    )
    # The link stays whole (it is how the person gets to the incident); the title gives way.
    head = f"OpenAlert {incident.severity} #{incident.number}: "
    room = max(10, SMS_LIMIT - len(head) - len(url) - 1)
    short = f"{head}{_clip(incident.title, room)} {url}"
    spoken = render_spoken(incident, service_name=service_name, headline=headline)
    return Message(subject=subject, text=text, html=body, short=short, url=url, spoken=spoken)


def render_digest(items: list[tuple[Incident, str]], *, base_url: str) -> Message:
    """Several pages to one person within the bundling window, as one message."""
    count = len(items)
    subject = f"{count} incidents need attention"
    lines = [subject + ":"]
    rows = []
    for incident, service in items:
        url = incident_url(base_url, incident.id)
        lines.append(
            f"- [{incident.severity}] #{incident.number} {incident.title} ({service}) {url}"
        )
        rows.append(
            f'<li>[{html.escape(incident.severity)}] <a href="{html.escape(url)}">'
            f"#{incident.number} {html.escape(incident.title)}</a> ({html.escape(service)})</li>"
        )
    first = items[0][0]
    spoken = (
        f"OpenAlert. {count} incidents need attention. The first is incident {first.number}, "
        f"severity {_speakable(first.severity)}: "
        f"{_clip(_speakable(first.title), SPOKEN_TITLE_LIMIT) or 'untitled'}."
    )
    short = _clip(
        f"OpenAlert: {count} incidents, first #{first.number} {first.title} "
        f"{incident_url(base_url, first.id)}",
        SMS_LIMIT,
    )
    return Message(
        subject=subject,
        text="\n".join(lines),
        html=f"<h2>{html.escape(subject)}</h2><ul>{''.join(rows)}</ul>",
        short=short,
        url=incident_url(base_url, first.id),
        spoken=spoken,
    )


def render_direct(subject: str, text: str, *, base_url: str, spoken: str = "") -> Message:
    return Message(
        subject=_clip(subject, 200),
        text=text,
        html=f"<p>{html.escape(text)}</p>",
        short=_clip(f"OpenAlert: {subject}", SMS_LIMIT),
        url=base_url,
        spoken=spoken or f"OpenAlert. {_clip(_speakable(text), 400)}",
    )
