"""Opsgenie Alert API v2, for senders repointed by URL alone (``Authorization: GenieKey``).

- create (``POST /v2/alerts``): dedup key = ``alias``; without an alias every create is a new
  alert (as in Opsgenie), so the key is derived from the request id;
- acknowledge / close / notes (``POST /v2/alerts/{identifier}/...``) address an alert by
  ``identifierType``: ``id`` (our incident id), ``tiny`` (our incident number) or ``alias``;
- field limits as Opsgenie documents them: message 130, alias 512, description 15,000, entity
  512, source and user 100, note 25,000 characters; tags 20 of 50, actions 10 of 50, details 8,000
  in total. Longer values are truncated, the way Opsgenie stores them; a missing message or an
  unknown priority is rejected (Opsgenie answers 422 there, and so do we);
- every request is answered asynchronously: ``202 {result, took, requestId}`` (:func:`accepted`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.alerts.models import AlertEvent, InvalidPayload, Severity, SourceFormat, Target
from shared.alerts.sources._common import derived_id, labels, load_model, stable_hash, text

MAX_BYTES = 256 * 1024

Priority = Literal["P1", "P2", "P3", "P4", "P5"]


class Recipient(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["team", "user", "escalation", "schedule", "all", "none", "group"]
    id: str | None = None
    name: str | None = None
    username: str | None = None


class CreateAlert(BaseModel):
    model_config = ConfigDict(extra="allow")

    message: str = Field(min_length=1)
    alias: str | None = None
    description: str | None = None
    responders: list[Recipient] = Field(default_factory=list, max_length=50)
    visibleTo: list[Recipient] = Field(default_factory=list, max_length=50)
    actions: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    entity: str | None = None
    source: str | None = None
    priority: Priority = "P3"
    user: str | None = None
    note: str | None = None


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    user: str | None = None
    source: str | None = None
    note: str | None = None


#: ``PUT /v2/alerts/{identifier}/<field>``: the update calls Alertmanager's ``opsgenie_configs``
#: makes after each create when ``update_alerts`` is on. The create just before carries the same
#: message and description, and OpenAlert keeps the newest of those on the incident already, so
#: an update is checked and answered as Opsgenie answers it, and changes nothing more.
UPDATES = ("message", "description")


def parse_update(field: str, identifier: str, body: bytes | Mapping[str, Any]) -> None:
    """Raise :class:`InvalidPayload` unless ``body`` is Opsgenie's update body for ``field``."""
    if field not in UPDATES:
        raise InvalidPayload(f"unsupported update {field!r}", field="path", expected="message")
    if not text(identifier, limit=512):
        raise InvalidPayload(
            "empty identifier", field="identifier", expected="an alert id, alias or tinyId"
        )
    doc = load_model(UpdateBody, body, limit=MAX_BYTES, source="opsgenie")
    value = doc.message if field == "message" else doc.description
    if not value:
        raise InvalidPayload(f"{field} is required", field=f"$.{field}", expected="text")


class UpdateBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    message: str | None = None
    description: str | None = None


def accepted(request_id: str, took: float = 0.0) -> tuple[int, dict[str, Any]]:
    return 202, {
        "result": "Request will be processed",
        "took": round(took, 3),
        "requestId": request_id,
    }


def error(
    status: int, message: str, request_id: str, took: float = 0.0
) -> tuple[int, dict[str, Any]]:
    return status, {"message": message, "took": round(took, 3), "requestId": request_id}


def _details(raw: Mapping[str, Any]) -> dict[str, str]:
    """Opsgenie details are string→string, 8,000 characters in total."""
    out: dict[str, str] = {}
    used = 0
    for key, value in labels(raw).items():
        used += len(key) + len(value)
        if used > 8000:
            break
        out[key] = value
    return out


def parse(
    body: bytes | Mapping[str, Any], *, received_at: datetime, event_id: str = "", **_: Any
) -> list[AlertEvent]:
    """Create-alert requests."""
    req = load_model(CreateAlert, body, limit=MAX_BYTES, source="opsgenie")
    alias = text(req.alias, limit=512)
    dedup = alias or "opsgenie:" + derived_id("opsgenie", event_id or stable_hash(req.model_dump()))
    tags = [t for t in (text(tag, limit=50) for tag in req.tags[:20]) if t]
    lab = _details(req.details)
    if req.entity:
        lab.setdefault("entity", text(req.entity, limit=512))
    if req.source:
        lab.setdefault("source", text(req.source, limit=100))
    if tags:
        lab.setdefault("tags", ",".join(tags))
    severity: Severity = req.priority
    return [
        AlertEvent(
            source=SourceFormat.OPSGENIE,
            dedup_key=dedup,
            action="trigger",
            severity=severity,
            raw_severity=req.priority,
            title=text(req.message, limit=130) or "Opsgenie alert",
            description=text(req.description, limit=15_000),
            labels=lab,
            occurred_at=received_at,
            source_ids={"alias": alias} if alias else {},
            details={
                "responders": [r.model_dump(exclude_none=True) for r in req.responders],
                "visibleTo": [r.model_dump(exclude_none=True) for r in req.visibleTo],
                "actions": [text(a, limit=50) for a in req.actions[:10]],
                "tags": tags,
            },
            note=text(req.note, limit=25_000) or None,
            actor=text(req.user, limit=100) or None,
        )
    ]


_ACTIONS: dict[str, Literal["acknowledge", "resolve", "note"]] = {
    "acknowledge": "acknowledge",
    "close": "resolve",
    "notes": "note",
}


def parse_action(
    action: str,
    identifier: str,
    identifier_type: str | None,
    body: bytes | Mapping[str, Any],
    *,
    received_at: datetime,
) -> AlertEvent:
    """``POST /v2/alerts/{identifier}/{acknowledge|close|notes}?identifierType=...``."""
    kind = _ACTIONS.get(action)
    if kind is None:
        raise InvalidPayload(
            f"unsupported action {action!r}", field="action", expected="acknowledge, close or notes"
        )
    id_type = (identifier_type or "id").lower()
    if id_type not in ("id", "alias", "tiny"):
        raise InvalidPayload(
            f"identifierType {identifier_type!r}",
            field="identifierType",
            expected="id, alias or tiny",
        )
    ident = text(identifier, limit=512)
    if not ident:
        raise InvalidPayload(
            "empty identifier", field="identifier", expected="an alert id, alias or tinyId"
        )
    req = load_model(ActionBody, body, limit=MAX_BYTES, source="opsgenie") if body else ActionBody()
    note = text(req.note, limit=25_000) or None
    if kind == "note" and not note:
        raise InvalidPayload("a note is required", field="$.note", expected="non-empty text")
    target = Target(
        by={"alias": "dedup_key", "id": "incident_id", "tiny": "incident_number"}[id_type],
        value=ident,
    )
    return AlertEvent(
        source=SourceFormat.OPSGENIE,
        dedup_key=ident if id_type == "alias" else f"opsgenie-{id_type}:{ident}",
        action=kind,
        title=f"Opsgenie {action}",
        occurred_at=received_at,
        source_ids={"identifier": ident, "identifierType": id_type},
        target=target,
        note=note,
        actor=text(req.user, limit=100) or None,
        labels={"source": text(req.source, limit=100)} if req.source else {},
    )
