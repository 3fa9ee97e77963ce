"""What the API enforces on parameters is in its OpenAPI document; a 405 names what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.api.openapi import document
from shared.api.v1 import API
from shared.store.sqlite import SqliteStore
from tests.unit.api.test_query_bounds import _call, store

__all__ = ["store"]


def test_every_limit_parameter_declares_the_enforced_range() -> None:
    limits = [
        p["schema"]
        for ops in document(API)["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["name"] == "limit"
    ]
    assert limits and all(s == {"type": "integer", "minimum": 1, "maximum": 200} for s in limits)


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"])
async def test_an_unsupported_method_is_a_405_with_the_exact_allow(
    store: SqliteStore, tmp_path: Path, method: str
) -> None:
    reply = await _call(store, method, "teams")
    assert reply.status == 405, reply.body
    assert reply.headers["Allow"] == "GET, POST"
