"""What the SQL adapters share: validation, continuation tokens, TTL arithmetic."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shared import jsonin
from shared.errors import InvalidInput
from shared.store.port import Condition, ContainerSpec, Doc

MAX_LIMIT = 1000
#: A JSON-escaped NUL: ``\u0000`` preceded by an even number of backslashes.
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
#: Documents are capped like Cosmos DB's item limit (2 MB), so all backends agree.
MAX_DOC_BYTES = 2 * 1024 * 1024
#: The comparison conditions and their operator, the same in SQLite, PostgreSQL and Cosmos SQL.
COMPARISONS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def table(spec: ContainerSpec) -> str:
    return f"oa_{spec.name}"


def check_doc(spec: ContainerSpec, doc: Doc) -> tuple[str, str, str]:
    """Returns (pk, id, json text) after validating the document's identity and size."""
    doc_id = doc.get("id")
    pk = doc.get(spec.pk_field)
    if not isinstance(doc_id, str) or not doc_id or len(doc_id) > 255 or "/" in doc_id:
        raise InvalidInput(
            "document id must be a non-empty string of at most 255 characters without '/'",
            field="id",
        )
    if not isinstance(pk, str) or not pk:
        raise InvalidInput(
            f"document needs a string partition key in {spec.pk_field!r}", field=spec.pk_field
        )
    ttl = doc.get("ttl")
    if ttl is not None and (
        not isinstance(ttl, int) or isinstance(ttl, bool) or ttl == 0 or ttl < -1
    ):
        raise InvalidInput(
            "ttl must be a positive number of seconds (or -1 for never)", field="ttl"
        )
    body = {k: v for k, v in doc.items() if k != "_etag"}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if "\\u0000" in text and _ESCAPED_NUL.search(text):
        # PostgreSQL's jsonb cannot hold U+0000; rejecting it everywhere keeps the backends
        # interchangeable. Parsers replace NULs in untrusted text before it gets here.
        raise InvalidInput("documents cannot contain the NUL character (U+0000)", field="doc")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(
            "document text is not valid Unicode (lone surrogate)", field="doc"
        ) from exc
    if size > MAX_DOC_BYTES:
        raise InvalidInput("document larger than 2 MB", field="doc")
    return pk, doc_id, text


def check_patch(spec: ContainerSpec, changes: Mapping[str, Any]) -> None:
    """A patch may not move a document: identity and partition are fixed."""
    if "id" in changes or spec.pk_field in changes:
        raise InvalidInput("patch cannot change id or the partition key", field="changes")


def expires_at(spec: ContainerSpec, doc: Doc, now: float | None = None) -> float | None:
    ttl = doc.get("ttl", spec.default_ttl)
    if ttl is None or ttl == -1:
        return None
    return (time.time() if now is None else now) + float(ttl)


def check_query(
    spec: ContainerSpec, where: Sequence[Condition], order_by: tuple[str, bool] | None, limit: int
) -> None:
    allowed = {"id", spec.pk_field, *spec.query_fields}
    for cond in where:
        if cond.field not in allowed:
            raise InvalidInput(
                f"{spec.name}: {cond.field!r} is not a declared query field",
                field="where",
                expected=sorted(allowed),
            )
        if cond.op == "in" and (not isinstance(cond.value, list) or not cond.value):
            raise InvalidInput("'in' needs a non-empty list", field=cond.field)
        if isinstance(cond.value, float) and not math.isfinite(cond.value):
            raise InvalidInput("query values must be finite", field=cond.field)
    if order_by is not None and order_by[0] not in allowed:
        raise InvalidInput(
            f"{spec.name}: cannot order by {order_by[0]!r}",
            field="order_by",
            expected=sorted(allowed),
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be 1..{MAX_LIMIT}", field="limit")


def encode_token(state: dict[str, Any]) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )


def decode_state(token: str, *, expect: dict[str, Any]) -> dict[str, Any]:
    """Decode a continuation token and check it belongs to the same query; else 400."""
    try:
        padded = token + "=" * (-len(token) % 4)
        # A token is caller input like a body: the edge decoder's depth and number limits.
        state = jsonin.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, InvalidInput) as exc:
        raise InvalidInput("malformed continuation token", field="continuation") from exc
    if not isinstance(state, dict) or any(state.get(k) != v for k, v in expect.items()):
        raise InvalidInput("continuation token does not belong to this query", field="continuation")
    return state


def decode_token(token: str, *, expect: dict[str, Any]) -> dict[str, Any]:
    """A SQL adapter's keyset token: ``last`` = [order value, pk, id] of the previous page."""
    state = decode_state(token, expect=expect)
    last = state.get("last")
    if (
        not isinstance(last, list)
        or len(last) != 3
        or not all(isinstance(x, str) for x in last[1:])
    ):
        raise InvalidInput("malformed continuation token", field="continuation")
    return state


def keyset_after(
    *,
    value_col: str | None,
    desc: bool,
    last: list[Any],
    ph: str,
    value_ph: str,
    encode: Callable[[Any], Any],
) -> tuple[str, list[Any]]:
    """The WHERE fragment that continues after ``last`` = [order value, pk, id].

    Rows are ordered by (value, pk_col, id), NULL values first ascending and last descending
    (SQLite's natural order; PostgreSQL is told NULLS FIRST/LAST to match). ``ph`` is the
    dialect's placeholder, ``value_ph`` the placeholder for an order value (PostgreSQL casts it
    to jsonb), ``encode`` turns a value into its parameter.
    """
    lv, lpk, lid = last
    cmp = "<" if desc else ">"
    tie = f"(pk_col, id) {cmp} ({ph}, {ph})"
    if value_col is None:
        return tie, [lpk, lid]
    if lv is None:
        if desc:
            return f"({value_col} IS NULL AND {tie})", [lpk, lid]
        return f"(({value_col} IS NULL AND {tie}) OR {value_col} IS NOT NULL)", [lpk, lid]
    null_tail = f" OR {value_col} IS NULL" if desc else ""
    sql = f"({value_col} {cmp} {value_ph} OR ({value_col} = {value_ph} AND {tie}){null_tail})"
    return sql, [encode(lv), encode(lv), lpk, lid]
