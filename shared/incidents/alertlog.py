"""An incident's alerts: the newest on the incident document itself, older ones in chunks. Pure.

Every alert an incident receives changes the incident anyway (its count, its last-seen time).
Recording the alert in that same etag-guarded write makes "counted" and "recorded" one atomic
fact: a redelivery finds its alert and counts nothing twice, and a duplicate costs one write.

The incident keeps at most :data:`RECENT_ALERTS_KEPT` alert records (oldest first). When one
more arrives, the kept ones move, all together, to one chunk document in the ``alerts``
container (partition = incident id) that is written *before* the incident write that empties
the list. A chunk's id derives from its first alert's id and its contents are fixed by the
incident version it came from, so a crash between the two writes leaves a chunk that the next
writer creates again identically (a conflict, ignored), and readers skip alerts that are both
in a chunk and still on the incident. Alert records are JSON dicts with at least ``id``,
``action`` and ``received_at`` (the store's sortable ISO-8601 string).

A storm of duplicates repeats the same labels with every alert, and every duplicate rewrites
the records the incident holds. So a record whose labels are those of the record before it *in
the same document* is stored without ``labels`` (the first record of a document always has
them: a chunk is exactly the list the incident held, which started empty). Readers that show
records take them through :func:`expand` (:func:`flatten` does), never raw.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shared.incidents.models import Incident

#: Alert records kept on the incident document. Bounds the document (records are 0.5 to 2 KB)
#: while a storm pays one chunk write per this many duplicates.
RECENT_ALERTS_KEPT = 16

#: Bytes of JSON one alert record may take (larger labels, links or source ids are clipped;
#: the record says so). With RECENT_ALERTS_KEPT this bounds what alert records add to an
#: incident document and a chunk to 256 KiB, well inside Cosmos DB's 2 MB per document.
RECORD_MAX_BYTES = 16 * 1024

#: Kept whole by :func:`clip`: ids, times and the few bounded fields readers sort and show by.
_ESSENTIAL = (
    "id",
    "integration_id",
    "dedup_key",
    "action",
    "grouping",
    "title",
    "severity",
    "occurred_at",
    "received_at",
    "raw_ref",
)

CHUNKS = "alerts"

#: Characters of an alert's description kept, on the incident and on the alert record that
#: changed it; a longer one is cut and ends with :data:`DESCRIPTION_CLIPPED`.
DESCRIPTION_MAX_CHARS = 4000
DESCRIPTION_CLIPPED = "… [clipped]"

AlertRecord = dict[str, Any]


def chunk_id(first_alert_id: str) -> str:
    return f"chunk-{first_alert_id}"


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def clip(alert: AlertRecord) -> AlertRecord:
    """``alert`` within :data:`RECORD_MAX_BYTES`: the essential fields whole, then as many
    entries of the others (labels, links, source ids, in their order) as fit, and
    ``clipped: true`` when any had to go."""
    if _size(alert) <= RECORD_MAX_BYTES:
        return alert
    out: AlertRecord = {k: alert[k] for k in _ESSENTIAL if k in alert}
    out["clipped"] = True
    room = RECORD_MAX_BYTES - _size(out)
    for key, value in alert.items():
        if key in out:
            continue
        kept: Any
        if isinstance(value, dict):
            kept = {}
            for k, v in value.items():
                cost = _size({k: v})
                if cost > room:
                    continue
                kept[k], room = v, room - cost
        elif isinstance(value, list):
            kept = []
            for v in value:
                cost = _size(v) + 1
                if cost > room:
                    continue
                kept.append(v)
                room -= cost
        else:
            cost = _size(value)
            if cost > room:
                continue
            kept, room = value, room - cost
        out[key] = kept
        room -= _size(key) + 4
    return out


def held(incident: Incident, alert_id: str) -> AlertRecord | None:
    """The incident's own record of the alert, if it still holds it (chunks are the caller's
    lookup)."""
    return next((a for a in incident.recent_alerts if a["id"] == alert_id), None)


def bounded_description(text: str) -> str:
    if len(text) <= DESCRIPTION_MAX_CHARS:
        return text
    return text[: DESCRIPTION_MAX_CHARS - len(DESCRIPTION_CLIPPED)] + DESCRIPTION_CLIPPED


def described(alert: AlertRecord, shown: str, description: str) -> tuple[AlertRecord, str]:
    """``alert`` and the incident's description after it: a non-empty description that differs
    from the one the incident shows is kept on the record (clipped) and becomes the incident's;
    the same one again is not written a second time (a storm of duplicates repeats it)."""
    new = bounded_description(description)
    if not new or new == shown:
        return alert, shown
    return clip({**alert, "description": new}), new


def _last_labels(records: tuple[AlertRecord, ...]) -> Any:
    return next((r["labels"] for r in reversed(records) if "labels" in r), None)


def expand(records: Iterable[AlertRecord]) -> list[AlertRecord]:
    """The records of one document (a chunk's, or the incident's own) with the labels left out
    of repeats put back (see the module's docstring)."""
    out: list[AlertRecord] = []
    labels: Any = {}
    for record in records:
        if "labels" in record:
            labels = record["labels"]
            out.append(record)
        else:
            out.append({**record, "labels": labels})
    return out


def add(
    incident: Incident, alert: AlertRecord, *, count: bool, description: str = ""
) -> tuple[Incident, dict[str, Any] | None]:
    """The incident with ``alert`` recorded (and counted, for a firing alert), and the chunk
    document to create first when the kept records have to move out (else None).
    ``description``: the alert's (see :func:`described`)."""
    alert, shown = described(alert, incident.description, description)
    chunk: dict[str, Any] | None = None
    kept = incident.recent_alerts
    if len(kept) >= RECENT_ALERTS_KEPT:
        chunk = _chunk(incident.id, kept)
        kept = ()
    if kept and "labels" in alert and alert["labels"] == _last_labels(kept):
        alert = {k: v for k, v in alert.items() if k != "labels"}
    updated = incident.model_copy(
        update={
            "recent_alerts": (*kept, alert),
            "alert_count": incident.alert_count + (1 if count else 0),
            "description": shown,
        }
    )
    return updated, chunk


def _chunk(incident_id: str, alerts: tuple[AlertRecord, ...]) -> dict[str, Any]:
    return {
        "id": chunk_id(alerts[0]["id"]),
        "incident_id": incident_id,
        # The newest alert's time: a "since" filter on it finds every chunk that holds an alert
        # at or after that time, and ordering by it orders chunks.
        "received_at": max(a["received_at"] for a in alerts),
        "alert_ids": [a["id"] for a in alerts],
        "alerts": list(alerts),
    }


def flatten(chunks: Iterable[dict[str, Any]], incident: Incident) -> list[AlertRecord]:
    """Alerts of ``chunks`` (in order) without those the incident still holds itself."""
    kept = {a["id"] for a in incident.recent_alerts}
    return [a for c in chunks for a in expand(c["alerts"]) if a["id"] not in kept]
