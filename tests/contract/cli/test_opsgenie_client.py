"""The Opsgenie client against the stand-in over loopback HTTP: paging followed to the end,
429s waited out and retried, keys checked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openalert_cli.opsgenie.client import MAX_RETRIES, Opsgenie, OpsgenieError
from tests.fixtures.opsgenie_account import account
from tests.fixtures.opsgenie_standin import StandIn, serve


def test_pages_are_followed_and_429s_retried() -> None:
    waits: list[float] = []
    with serve(StandIn(account(datetime.now(UTC)), key="k", throttle_every=3)) as standin:
        client = Opsgenie("k", base_url=standin.base_url, sleep=waits.append)
        try:
            users = list(client.pages("/v2/users"))
            beats = list(client.pages("/v2/heartbeats", nested="heartbeats"))
        finally:
            client.close()
    assert len(users) == 25 and len({u["id"] for u in users}) == 25
    assert len(beats) == 3
    assert standin.throttled >= 1 and client.throttled == standin.throttled
    assert waits and all(0.1 <= w <= 60 for w in waits)
    assert client.calls == standin.requests


def test_a_wrong_key_is_an_error_not_a_retry() -> None:
    with serve(StandIn({"users": []}, key="right", throttle_every=0)) as standin:
        client = Opsgenie("wrong", base_url=standin.base_url, sleep=lambda _: None)
        with pytest.raises(OpsgenieError, match="401"):
            client.get("/v2/users")
        client.close()
    assert standin.requests == 1


def test_persistent_throttling_gives_up_after_the_retries() -> None:
    with serve(StandIn({"users": []}, key="k", throttle_every=1)) as standin:
        client = Opsgenie("k", base_url=standin.base_url, sleep=lambda _: None)
        with pytest.raises(OpsgenieError, match="429"):
            client.get("/v2/users")
        client.close()
    assert standin.requests == MAX_RETRIES + 1
