"""Models ⇄ documents, and the one datetime format every backend sorts correctly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.store.port import Doc

M = TypeVar("M", bound=BaseModel)

#: Store-managed fields that are not part of a model.
SYSTEM_FIELDS = frozenset({"_etag", "ttl"})


def utc_iso(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 with microseconds (``2026-11-22T11:09:00.000000Z``).

    Fixed width is what makes lexicographic order equal time order in every backend.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetimes are not stored; attach a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date | time):  # wall-clock values (time windows): ISO, as the API shows
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_normalise(v) for v in value)
    return value


def to_doc(model: BaseModel, *, pk_field: str = "pk", pk: str | None = None, **extra: Any) -> Doc:
    """``model`` as a document: JSON types, datetimes as :func:`utc_iso`, the partition field set
    (``pk`` defaults to the model's ``id``)."""
    raw = model.model_dump(mode="python")
    doc: Doc = _normalise(raw)
    if pk_field not in doc:
        doc[pk_field] = pk if pk is not None else doc["id"]
    doc.update(extra)
    return doc


def from_doc(model: type[M], doc: Doc) -> M:
    """Validate a stored document back into ``model``; store-managed fields are dropped."""
    return model.model_validate({k: v for k, v in doc.items() if k not in SYSTEM_FIELDS})


def strip_doc(doc: Doc, *derived: str) -> Doc:
    """``doc``'s model fields: without store-managed fields, the partition key ``pk`` and the
    ``derived`` query fields that :func:`to_doc`'s ``extra`` added (e.g. a user's
    ``teams_list``), for models that reject unknown fields."""
    dropped = SYSTEM_FIELDS | {"pk", *derived}
    return {k: v for k, v in doc.items() if k not in dropped}
