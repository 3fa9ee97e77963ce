"""KeyedLocks: deliveries of one key take turns; other keys run alongside; nothing is kept."""

from __future__ import annotations

import asyncio

from shared.pipeline.keyed_locks import KeyedLocks


async def test_one_key_takes_turns_other_keys_do_not_wait() -> None:
    locks = KeyedLocks()
    inside: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0, "both": 0}

    async def work(key: str) -> None:
        async with locks.hold(key):
            inside[key] += 1
            most[key] = max(most[key], inside[key])
            most["both"] = max(most["both"], inside["a"] + inside["b"])
            await asyncio.sleep(0.001)
            inside[key] -= 1

    await asyncio.gather(*(work("a") for _ in range(20)), *(work("b") for _ in range(20)))
    # One at a time per key, and the two keys at the same time (not one lock for all).
    assert most == {"a": 1, "b": 1, "both": 2}
    assert len(locks) == 0  # no lock outlives its last holder


async def test_an_error_inside_releases_the_key() -> None:
    locks = KeyedLocks()

    async def fail() -> None:
        async with locks.hold("k"):
            raise ValueError("boom")

    for _ in range(2):
        try:
            await fail()
        except ValueError:
            pass
    assert len(locks) == 0
    async with locks.hold("k"):
        assert len(locks) == 1
