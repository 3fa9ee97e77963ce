"""The store raises the product's own errors: one NotFound, Conflict and PreconditionFailed."""

from __future__ import annotations

from shared import errors
from shared.store import port


def test_the_store_errors_are_the_products() -> None:
    assert port.NotFound is errors.NotFound
    assert port.Conflict is errors.Conflict
    assert port.PreconditionFailed is errors.PreconditionFailed
    assert issubclass(port.StoreUnavailable, errors.Unavailable)
