"""One bearer parser for endpoints that take only a bearer token (Bot Framework, ACS callbacks)."""

from __future__ import annotations

import pytest

from shared.auth.headers import MAX_AUTHORIZATION_CHARS, required_bearer
from shared.errors import Unauthenticated

REFUSAL = "A Bot Framework token is required."


@pytest.mark.parametrize("value", ["Bearer abc", "bearer abc", "BEARER   abc  ", " Bearer abc"])
def test_the_token_of_any_casing_and_spacing(value: str) -> None:
    assert required_bearer(value, REFUSAL) == "abc"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "Bearer",
        "Bearer   ",
        "Basic abc",
        "abc",
        "Bearer " + "x" * MAX_AUTHORIZATION_CHARS,
    ],
)
def test_anything_else_is_the_callers_refusal(value: str | None) -> None:
    with pytest.raises(Unauthenticated) as refused:
        required_bearer(value, REFUSAL)
    assert refused.value.detail == REFUSAL
