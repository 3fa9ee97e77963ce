"""Helpers every parser shares: size limits, JSON decoding, validation errors, text, times."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared import jsonin
from shared.alerts.models import InvalidPayload, PayloadTooBig, Severity

M = TypeVar("M", bound=BaseModel)

#: Namespace for ids we derive deterministically (generated dedup keys), so a redelivered
#: request yields the same key.
_NAMESPACE = uuid.UUID("5c4b1f8e-3d0a-4f7e-9a51-2f0e6a7c9b13")


def _check_size(body: bytes, limit: int, source: str) -> None:
    if len(body) > limit:
        raise PayloadTooBig(
            f"{source} payload is {len(body)} bytes; the limit is {limit}",
            limit=limit,
            size=len(body),
        )


def load(body: bytes | Mapping[str, Any], *, limit: int, source: str) -> dict[str, Any]:
    """The decoded top-level object; size and JSON errors are the parser's too."""
    if isinstance(body, Mapping):
        return dict(body)
    _check_size(body, limit, source)
    try:
        doc = jsonin.loads(body, field="$")
    except jsonin.InvalidJson as exc:
        raise InvalidPayload(f"body is {exc.detail}", field="$", expected="a JSON object") from exc
    if not isinstance(doc, dict):
        raise InvalidPayload(
            f"body is a JSON {type(doc).__name__}", field="$", expected="a JSON object"
        )
    return doc


def _invalid(exc: ValidationError, prefix: str) -> InvalidPayload:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return InvalidPayload(
            f"body is not valid JSON: {first['msg']}", field="$", expected="a JSON object"
        )
    if not first["loc"] and first["type"] in ("model_type", "dict_type"):
        return InvalidPayload("body is not a JSON object", field="$", expected="a JSON object")
    path = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
    return InvalidPayload(f"{path}: {first['msg']}", field=path, expected=first["msg"])


def validate(model: type[M], doc: Mapping[str, Any], *, prefix: str = "$") -> M:
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise _invalid(exc, prefix) from exc


def load_model(model: type[M], body: bytes | Mapping[str, Any], *, limit: int, source: str) -> M:
    """Size check, then JSON decoding and validation in one pass (pydantic's JSON parser is
    much faster than ``json.loads`` followed by validation)."""
    if isinstance(body, Mapping):
        return validate(model, body)
    _check_size(body, limit, source)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc, "$") from exc


def text(value: Any, *, limit: int | None = None) -> str:
    """Printable text: NULs replaced (stores cannot keep them), surrogates repaired, trimmed."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    s = s.replace("\x00", "\ufffd")
    s = s.encode("utf-8", "replace").decode("utf-8")
    s = s.strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def labels(value: Any) -> dict[str, str]:
    """A str→str label map from an object (non-string values JSON-encoded)."""
    if not isinstance(value, Mapping):
        return {}
    return {text(k, limit=256): text(v, limit=4096) for k, v in value.items() if text(k)}


def parse_time(value: Any) -> datetime | None:
    """ISO-8601/RFC 3339 → aware UTC; Go's zero time (``0001-01-01T00:00:00Z``) → None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year <= 1:
        return None
    return moment.astimezone(UTC)


def parse_epoch_ms(value: Any) -> datetime | None:
    try:
        ms = float(value)
    except (TypeError, ValueError):
        return None
    if not 0 < ms < 1e14:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


def stable_hash(value: Any) -> str:
    """Hash of a JSON value that ignores key order (dedup keys stable under reordering)."""
    canonical = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:32]


def derived_id(*parts: str) -> str:
    """A deterministic 32-hex id (PagerDuty-style) from the request's own id."""
    return uuid.uuid5(_NAMESPACE, "\x1f".join(parts)).hex


_WORD_SEVERITY: dict[str, Severity] = {
    "p1": "P1",
    "p2": "P2",
    "p3": "P3",
    "p4": "P4",
    "p5": "P5",
    "critical": "P1",
    "crit": "P1",
    "fatal": "P1",
    "emergency": "P1",
    "disaster": "P1",
    "sev0": "P1",
    "sev1": "P2",
    "sev2": "P3",
    "sev3": "P4",
    "sev4": "P5",
    "high": "P2",
    "error": "P2",
    "major": "P2",
    "average": "P3",
    "warning": "P3",
    "warn": "P3",
    "medium": "P3",
    "moderate": "P3",
    "minor": "P4",
    "info": "P4",
    "information": "P4",
    "informational": "P4",
    "low": "P5",
    "none": "P5",
    "debug": "P5",
    "ok": "P5",
}


def severity_from_word(value: Any, default: Severity = "P3") -> Severity:
    """Common severity words and Opsgenie priorities → P1..P5 (documented in integrations.md)."""
    if not isinstance(value, str):
        return default
    return _WORD_SEVERITY.get(value.strip().lower(), default)


def lower_severity(sev: Severity) -> Severity:
    order: list[Severity] = ["P1", "P2", "P3", "P4", "P5"]
    return order[min(order.index(sev) + 1, 4)]
