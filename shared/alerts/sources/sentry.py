"""Sentry integration-platform webhooks (an internal integration's webhook URL).

Three resources arrive at the same URL (``Sentry-Hook-Resource`` names them; the body's shape
tells them apart too):

- ``event_alert`` (an issue alert rule's action, ``action: triggered``): ``data.event``;
- ``issue`` (issue webhooks: ``created``, ``unresolved``, ``resolved``, ``ignored`` or
  ``archived``, ``assigned``): ``data.issue``;
- ``metric_alert`` (``critical``, ``warning``, ``resolved``): ``data.metric_alert``;
- ``installation``, ``comment`` and ``error`` webhooks are accepted and change nothing.

Rules:

- dedup key: ``sentry-issue:<issue id>`` for issue alerts (``event.issue_id``) and issue webhooks
  (``issue.id``), so both meet on one incident; ``sentry-metric:<id>`` for metric alerts;
- action: triggered / created / unresolved / critical / warning → trigger; resolved → resolve;
  ignored / archived → resolve (the issue is muted in Sentry, paging for it stops); assigned → a
  timeline note naming the assignee;
- severity: the ``level`` (fatal P1, error P2, warning P3, info P4, debug P5); metric alerts:
  critical P2, warning P3;
- link: the issue's or event's ``web_url``; labels: the event's ``tags`` (``[key, value]`` pairs),
  plus ``project`` and ``level``.

Signed with ``Sentry-Hook-Signature``: the hex HMAC-SHA256 of the body with the integration's
client secret (verified at ingest when the integration has ``sentry_client_secret``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.alerts.models import AlertEvent, EventAction, InvalidPayload, Link, SourceFormat
from shared.alerts.sources._common import labels, load_model, parse_time, severity_from_word, text

MAX_BYTES = 1024 * 1024
SIGNATURE_HEADER = "Sentry-Hook-Signature"

_ISSUE_ACTIONS: dict[str, EventAction] = {
    "created": "trigger",
    "unresolved": "trigger",
    "resolved": "resolve",
    "ignored": "resolve",
    "archived": "resolve",
    "assigned": "note",
}
#: ``data`` keys of the other webhook resources (installation, comment, error): nothing to page.
_UNPAGED = ("installation", "comment", "error")
_METRIC_ACTIONS: dict[str, Literal["trigger", "resolve"]] = {
    "critical": "trigger",
    "warning": "trigger",
    "resolved": "resolve",
}


class Webhook(BaseModel):
    model_config = ConfigDict(extra="allow")

    action: str
    data: dict[str, Any]
    actor: dict[str, Any] | None = None


def _str(value: Any) -> str:
    return text(value, limit=1024) if isinstance(value, (str, int)) else ""


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return labels(value)
    if not isinstance(value, list):
        return {}
    pairs = {
        _str(item[0]): item[1]
        for item in value
        if isinstance(item, list) and len(item) == 2 and _str(item[0])
    }
    return labels(pairs)


def _link(url: Any, label: str) -> tuple[Link, ...]:
    url = _str(url)
    return (Link(kind="source", url=url, text=label),) if url.startswith("https://") else ()


def _issue_alert(hook: Webhook, event: Mapping[str, Any], received_at: datetime) -> AlertEvent:
    issue_id = _str(event.get("issue_id"))
    if not issue_id:
        raise InvalidPayload(
            "$.data.event.issue_id is missing", field="$.data.event.issue_id", expected="string"
        )
    level = _str(event.get("level")) or None
    lab = _tags(event.get("tags"))
    if level:
        lab.setdefault("level", level)
    project = event.get("project")
    if isinstance(project, (str, int)):
        lab.setdefault("project", _str(project))
    rule = _str(hook.data.get("triggered_rule"))
    if rule:
        lab.setdefault("sentry_rule", rule)
    return AlertEvent(
        source=SourceFormat.SENTRY,
        dedup_key=f"sentry-issue:{issue_id}",
        action="trigger",
        severity=severity_from_word(level),
        raw_severity=level,
        title=_str(event.get("title")) or _str(event.get("message")) or f"Sentry issue {issue_id}",
        description=text(event.get("culprit") or event.get("message"), limit=20_000),
        labels=lab,
        links=_link(event.get("web_url"), "Open in Sentry"),
        occurred_at=parse_time(event.get("datetime")) or received_at,
        source_ids={"issue_id": issue_id, "event_id": _str(event.get("event_id"))},
        raw_ref="/data/event",
    )


def _issue(hook: Webhook, issue: Mapping[str, Any], received_at: datetime) -> AlertEvent:
    issue_id = _str(issue.get("id"))
    action = _ISSUE_ACTIONS.get(hook.action)
    if not issue_id or action is None:
        field = "$.data.issue.id" if not issue_id else "$.action"
        raise InvalidPayload(
            f"{field} is missing or unknown",
            field=field,
            expected="an issue id and action " + ", ".join(sorted(_ISSUE_ACTIONS)),
        )
    level = _str(issue.get("level")) or None
    project = issue.get("project")
    lab: dict[str, str] = {}
    if level:
        lab["level"] = level
    if isinstance(project, Mapping) and _str(project.get("slug")):
        lab["project"] = _str(project.get("slug"))
    if _str(issue.get("shortId")):
        lab["short_id"] = _str(issue.get("shortId"))
    note = None
    if action == "note":
        assignee = issue.get("assignedTo")
        who = (
            _str(assignee.get("name") or assignee.get("email"))
            if isinstance(assignee, Mapping)
            else ""
        )
        note = f"Assigned in Sentry to {who or 'nobody'}"
    actor = hook.actor.get("name") if hook.actor else None
    when = issue.get("lastSeen") if action == "trigger" else None
    return AlertEvent(
        source=SourceFormat.SENTRY,
        dedup_key=f"sentry-issue:{issue_id}",
        action=action,
        severity=severity_from_word(level),
        raw_severity=level,
        title=_str(issue.get("title")) or f"Sentry issue {issue_id}",
        description=text(issue.get("culprit"), limit=20_000),
        labels=lab,
        links=_link(issue.get("web_url"), "Open in Sentry"),
        occurred_at=parse_time(when) or received_at,
        source_ids={"issue_id": issue_id},
        raw_ref="/data/issue",
        note=note,
        actor=_str(actor) or None,
    )


def _metric_alert(hook: Webhook, alert: Mapping[str, Any], received_at: datetime) -> AlertEvent:
    alert_id = _str(alert.get("id"))
    action = _METRIC_ACTIONS.get(hook.action)
    if not alert_id or action is None:
        field = "$.data.metric_alert.id" if not alert_id else "$.action"
        raise InvalidPayload(
            f"{field} is missing or unknown",
            field=field,
            expected="a metric alert id and action critical, warning or resolved",
        )
    title = _str(hook.data.get("description_title")) or _str(alert.get("title"))
    return AlertEvent(
        source=SourceFormat.SENTRY,
        dedup_key=f"sentry-metric:{alert_id}",
        action=action,
        severity="P3" if hook.action == "warning" else "P2",
        raw_severity=hook.action,
        title=title or f"Sentry metric alert {alert_id}",
        description=text(hook.data.get("description_text"), limit=20_000),
        links=_link(hook.data.get("web_url"), "Open in Sentry"),
        occurred_at=parse_time(alert.get("date_detected")) or received_at,
        source_ids={"metric_alert_id": alert_id},
        raw_ref="/data/metric_alert",
    )


def parse(body: bytes | Mapping[str, Any], *, received_at: datetime, **_: Any) -> list[AlertEvent]:
    hook = load_model(Webhook, body, limit=MAX_BYTES, source="sentry")
    for key, build in (("event", _issue_alert), ("issue", _issue), ("metric_alert", _metric_alert)):
        part = hook.data.get(key)
        if isinstance(part, Mapping):
            return [build(hook, part, received_at)]
    if any(key in hook.data for key in _UNPAGED):
        # Resources an integration may also be subscribed to; a 4xx would count as a failed
        # delivery on Sentry's side, so they are accepted and change nothing.
        return []
    raise InvalidPayload(
        "$.data has no event, issue or metric_alert",
        field="$.data",
        expected="a Sentry issue alert, issue or metric alert webhook",
    )
