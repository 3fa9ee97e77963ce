"""Generic JSON webhook with a per-integration field mapping.

A mapping names where each field is, as a path: ``/a/b/0`` (JSON pointer) or ``a.b.0``.
Unmapped fields fall back to common names:

| field | defaults tried, in order | when nothing matches |
|---|---|---|
| title | title, summary, message, name, alertname | 400 (map ``title``) |
| dedup key | dedup_key, dedupKey, fingerprint, alert_id, id, key | a hash of the title |
| status | status, state, action, event_action | trigger |
| severity | severity, priority, level | P3 |
| description | description, details, body, text | "" |
| labels | labels, tags | {} |
| link | link, url, href, web_url, html_url | none |

Labels may be an object, a list of ``[key, value]`` pairs, a list of ``"key:value"`` strings (a
string without a colon is a label with an empty value) or one comma-separated such string. A
body with no title anywhere is refused: without one, every such alert would share one incident
titled "Alert", so the 400 says which field to map.

Status values resolved / resolve / ok / closed / close / recovered / inactive / normal resolve;
acknowledged / acknowledge / ack acknowledge; anything else triggers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.alerts.models import AlertEvent, InvalidPayload, Link, SourceFormat
from shared.alerts.sources._common import (
    labels,
    load,
    parse_time,
    severity_from_word,
    stable_hash,
    text,
)

MAX_BYTES = 1024 * 1024

_DEFAULTS: dict[str, tuple[str, ...]] = {
    "title": ("title", "summary", "message", "name", "alertname"),
    "dedup_key": ("dedup_key", "dedupKey", "fingerprint", "alert_id", "id", "key"),
    "status": ("status", "state", "action", "event_action"),
    "severity": ("severity", "priority", "level"),
    "description": ("description", "details", "body", "text"),
    "labels": ("labels", "tags"),
    "link": ("link", "url", "href", "web_url", "html_url"),
}
_RESOLVE = {"resolved", "resolve", "ok", "closed", "close", "recovered", "inactive", "normal"}
_ACK = {"acknowledged", "acknowledge", "ack"}
_MISSING = object()


def lookup(doc: Any, path: str) -> Any:
    """Follow ``/a/b/0`` or ``a.b.0``; returns a sentinel when any step is missing."""
    parts = path.strip("/").split("/") if path.startswith("/") else path.split(".")
    current = doc
    for raw in parts:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _field(doc: Mapping[str, Any], mapping: Mapping[str, str | None], name: str) -> Any:
    path = mapping.get(name)
    if path:
        value = lookup(doc, path)
        if value is _MISSING:
            return None
        return value
    for candidate in _DEFAULTS[name]:
        if candidate in doc and doc[candidate] not in (None, ""):
            return doc[candidate]
    return None


def _labels(value: Any) -> dict[str, str]:
    """An object as is; tag lists as ``[key, value]`` pairs or ``key:value`` strings."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return labels(value)
    pairs: dict[str, Any] = {}
    for item in value:
        if isinstance(item, list) and len(item) == 2:
            pairs[text(item[0])] = item[1]
        elif isinstance(item, str):
            key, _, val = item.partition(":")
            pairs[key] = val
    return labels(pairs)


def _links(value: Any) -> tuple[Link, ...]:
    url = text(value, limit=2048) if isinstance(value, str) else ""
    if not url.lower().startswith(("https://", "http://")):
        return ()
    return (Link(kind="source", url=url, text="Source"),)


def parse(
    body: bytes | Mapping[str, Any],
    *,
    received_at: datetime,
    mapping: Mapping[str, str | None] | None = None,
    **_: Any,
) -> list[AlertEvent]:
    doc = load(body, limit=MAX_BYTES, source="generic")
    m = mapping or {}
    for name, path in m.items():
        if name not in _DEFAULTS:
            raise InvalidPayload(
                f"unknown mapping field {name!r}", field="mapping", expected=sorted(_DEFAULTS)
            )
        if path is not None and not isinstance(path, str):
            raise InvalidPayload(f"mapping for {name} is not a path", field=f"mapping.{name}")
    title = text(_field(doc, m, "title"), limit=1024)
    if not title:
        where = f"at {m['title']}" if m.get("title") else "in " + ", ".join(_DEFAULTS["title"])
        raise InvalidPayload(
            f"no alert title {where}",
            field="mapping.title" if m.get("title") else "$.title",
            expected=(
                "a non-empty title: send one of "
                + ", ".join(_DEFAULTS["title"])
                + ", or set the integration's generic_mapping.title to the path of the field "
                "that names the alert (e.g. /alert/name)"
            ),
        )
    raw_key = _field(doc, m, "dedup_key")
    dedup = text(raw_key, limit=512) if raw_key not in (None, "") else "title:" + stable_hash(title)
    status = text(_field(doc, m, "status")).lower()
    action = "resolve" if status in _RESOLVE else "acknowledge" if status in _ACK else "trigger"
    raw_sev = _field(doc, m, "severity")
    raw_sev_text = text(raw_sev, limit=64) if raw_sev is not None else None
    occurred = parse_time(doc.get("timestamp") if isinstance(doc.get("timestamp"), str) else None)
    return [
        AlertEvent(
            source=SourceFormat.GENERIC,
            dedup_key=dedup,
            action=action,
            severity=severity_from_word(raw_sev_text),
            raw_severity=raw_sev_text,
            title=title,
            description=text(_field(doc, m, "description"), limit=20_000),
            labels=_labels(_field(doc, m, "labels")),
            links=_links(_field(doc, m, "link")),
            occurred_at=occurred or received_at,
            source_ids={"dedup_key": dedup},
        )
    ]
