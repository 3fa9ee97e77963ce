"""The document-store port: what every adapter implements and the product calls.

Documents are JSON objects with ``id`` (str), the container's partition-key field, ``_etag``
(opaque, set by the store on every write) and optionally ``ttl`` (int seconds, Cosmos semantics:
the document expires ``ttl`` seconds after its last write). Hot paths are point operations by
partition key and id; queries page with opaque continuation tokens, never OFFSET.

Errors are the product's own (:mod:`shared.errors`, so the HTTP edge maps them), re-exported
here for adapters and callers of the port::

    NotFound            the document does not exist (replace/patch)
    Conflict            create of an id that exists in the partition
    PreconditionFailed  stale ``if_match`` etag
    StoreUnavailable    the backend is unreachable after retries (503; an ``Unavailable``)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from shared import errors
from shared.errors import Conflict as Conflict
from shared.errors import NotFound as NotFound
from shared.errors import PreconditionFailed as PreconditionFailed

Doc = dict[str, Any]

Op = Literal["eq", "ne", "in", "lt", "lte", "gt", "gte", "array_contains"]


class StoreUnavailable(errors.Unavailable):
    pass


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any


def eq(field: str, value: Any) -> Condition:
    return Condition(field, "eq", value)


def ne(field: str, value: Any) -> Condition:
    return Condition(field, "ne", value)


def in_(field: str, values: Sequence[Any]) -> Condition:
    return Condition(field, "in", list(values))


def lt(field: str, value: Any) -> Condition:
    return Condition(field, "lt", value)


def lte(field: str, value: Any) -> Condition:
    return Condition(field, "lte", value)


def gt(field: str, value: Any) -> Condition:
    return Condition(field, "gt", value)


def gte(field: str, value: Any) -> Condition:
    return Condition(field, "gte", value)


def array_contains(field: str, value: Any) -> Condition:
    return Condition(field, "array_contains", value)


@dataclass(frozen=True)
class Page:
    items: list[Doc]
    #: Opaque; None when there are no more results.
    continuation: str | None


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    #: Top-level field holding the partition key value.
    pk_field: str
    #: Top-level fields allowed in ``where`` / ``order_by`` (indexed by the SQL adapters).
    query_fields: tuple[str, ...] = ()
    #: Seconds; None = no expiry unless a document sets ``ttl``.
    default_ttl: int | None = None


class DocumentStore(Protocol):
    async def get(self, container: str, pk: str, id: str) -> Doc | None: ...

    async def create(self, container: str, doc: Doc) -> Doc: ...

    async def replace(self, container: str, doc: Doc, *, if_match: str | None = None) -> Doc: ...

    async def upsert(self, container: str, doc: Doc) -> Doc: ...

    async def delete(self, container: str, pk: str, id: str) -> None: ...

    async def patch(
        self,
        container: str,
        pk: str,
        id: str,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
    ) -> Doc: ...

    async def increment(self, container: str, pk: str, id: str, field: str, *, by: int = 1) -> int:
        """Atomically add ``by`` to the integer ``field`` and return the new value, creating
        ``{id, <pk field>: pk, field: by}`` when the document does not exist. One round trip
        where the backend has an atomic increment; never a lost update under concurrency."""
        ...

    async def query(
        self,
        container: str,
        *,
        pk: str | None = None,
        where: Sequence[Condition] = (),
        order_by: tuple[str, bool] | None = None,
        limit: int = 100,
        continuation: str | None = None,
    ) -> Page: ...

    async def close(self) -> None: ...
