"""The optimistic-concurrency helper: retries only on RETRY, pauses between tries, gives up."""

from __future__ import annotations

import pytest

from shared.store.port import Conflict, PreconditionFailed
from shared.store.retry import RETRY, Retry, exponential_jitter, linear_jitter, optimistic


async def test_answers_the_first_attempt_that_is_not_a_retry() -> None:
    tries: list[int] = []
    pauses: list[int] = []

    async def attempt(n: int) -> str | Retry:
        tries.append(n)
        return RETRY if n < 2 else "done"

    def pause(n: int) -> float:
        pauses.append(n)
        return 0.0

    assert await optimistic(attempt, attempts=5, exhausted=Conflict, pause=pause) == "done"
    assert tries == [0, 1, 2]
    assert pauses == [1, 2]  # none before the first try


async def test_none_is_an_answer() -> None:
    async def attempt(n: int) -> Retry | None:
        return None

    assert await optimistic(attempt, attempts=1, exhausted=Conflict) is None


async def test_gives_up_after_the_callers_attempts() -> None:
    tries: list[int] = []

    async def attempt(n: int) -> str | Retry:
        tries.append(n)
        return RETRY

    with pytest.raises(PreconditionFailed, match="too contended"):
        await optimistic(attempt, attempts=3, exhausted=lambda: PreconditionFailed("too contended"))
    assert tries == [0, 1, 2]


async def test_errors_of_an_attempt_are_not_retried() -> None:
    tries: list[int] = []

    async def attempt(n: int) -> str | Retry:
        tries.append(n)
        raise PreconditionFailed("from elsewhere")

    with pytest.raises(PreconditionFailed, match="from elsewhere"):
        await optimistic(attempt, attempts=5, exhausted=Conflict)
    assert tries == [0]


def test_pauses_stay_within_their_bounds() -> None:
    for n in range(1, 30):
        assert 0 <= linear_jitter(n) <= 0.02 * n
        assert 0 <= exponential_jitter(n) <= 0.05
