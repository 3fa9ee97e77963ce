"""Opsgenie's ``GET /v2/alerts/requests/{requestId}``: what became of an accepted request.

Opsgenie processes creates and actions asynchronously, answers them with a ``requestId``, and its
SDK's ``retrieve_result()`` polls this endpoint after every create until ``isSuccess`` is true
(up to ``short_polling_max_retries`` times), then reads ``alertId``. The request id is our
envelope id, and processing leaves a ``processed`` marker for every Opsgenie envelope
(``process_envelope``) naming what it did.

A request not processed yet (still queued) answers ``isSuccess: false`` with status "Request is
being processed" rather than a 404: the SDK polls again on that, while a 404 raises in the
caller right after a create that worked. Markers expire with the ``processed`` container's TTL
(7 days), as Opsgenie keeps request statuses for a limited time too.
"""

from __future__ import annotations

from typing import Any

from shared.store.port import DocumentStore

#: Our decision → Opsgenie's ``action`` and ``status`` for it.
_DESCRIBED: dict[str, tuple[str, str]] = {
    "create": ("Create", "Created alert"),
    "reopen": ("Create", "Created alert"),
    "append": ("Create", "Alert is deduplicated"),
    "acknowledge": ("Acknowledge", "Acknowledged"),
    "resolve": ("Close", "Closed"),
    "note": ("AddNote", "Added note"),
}
PENDING = "Request is being processed"


async def request_status(
    store: DocumentStore, *, request_id: str, integration_id: str
) -> dict[str, Any]:
    """The ``data`` object of Opsgenie's answer for ``request_id`` as seen by the integration
    that asks (another integration's request reads as not processed, revealing nothing)."""
    doc = await store.get("processed", request_id, request_id) if request_id else None
    if doc is None or doc.get("integration_id") != integration_id or not doc.get("outcomes"):
        return {"success": False, "isSuccess": False, "status": PENDING, "action": ""}
    decision, incident_id, *rest = doc["outcomes"][0]
    action, status = _DESCRIBED.get(decision, ("", "Alert does not exist"))
    ok = decision in _DESCRIBED and incident_id is not None
    data: dict[str, Any] = {
        "success": ok,
        "isSuccess": ok,
        "action": action,
        "processedAt": doc.get("at"),
        "integrationId": integration_id,
        "status": status if ok else "Alert does not exist",
    }
    if incident_id:
        data["alertId"] = incident_id
    if rest and rest[0]:
        data["alias"] = rest[0]
    return data
