"""Pure parts of the devhost Durable engine: action flattening, retries, payload decoding."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.durable_functions.models.history.HistoryEvent import HistoryEvent
from hypothesis import given
from hypothesis import strategies as st

from devhost.durable.api import MAX_BODY, decode_payload
from devhost.durable.history import (
    CALL_ACTIVITY,
    CREATE_TIMER,
    TASK_SCHEDULED,
    WAIT_EVENT,
    WHEN_ANY,
    consumes_id,
    event,
    flatten,
    retry_delay,
    signature,
)
from devhost.durable.state import Replay

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def test_flatten_orders_compound_children_depth_first() -> None:
    actions: list[Any] = [
        [
            {"actionType": CALL_ACTIVITY, "functionName": "a"},
            {
                "actionType": WHEN_ANY,
                "compoundActions": [
                    {"actionType": CREATE_TIMER, "fireAt": "2026-01-01T00:00:00Z"},
                    {"actionType": WAIT_EVENT, "externalEventName": "ack"},
                ],
            },
            {"actionType": CALL_ACTIVITY, "functionName": "b"},
        ]
    ]
    flat = list(flatten(actions))
    assert [a["actionType"] for a in flat] == [
        CALL_ACTIVITY,
        CREATE_TIMER,
        WAIT_EVENT,
        CALL_ACTIVITY,
    ]
    # External-event waits are keyed by name and never take a sequence number.
    assert [signature(a) for a in flat if consumes_id(a)] == [
        (CALL_ACTIVITY, "a"),
        (CREATE_TIMER, ""),
        (CALL_ACTIVITY, "b"),
    ]


@pytest.mark.parametrize(
    ("options", "attempt", "seconds"),
    [
        ({"firstRetryIntervalInMilliseconds": 500, "maxNumberOfAttempts": 3}, 1, 0.5),
        ({"firstRetryIntervalInMilliseconds": 500, "maxNumberOfAttempts": 3}, 3, 0.5),
        ({"firstRetryIntervalInMilliseconds": 100, "backoffCoefficient": 2}, 4, 0.8),
        (
            {
                "firstRetryIntervalInMilliseconds": 100,
                "backoffCoefficient": 10,
                "maxRetryIntervalInMilliseconds": 2000,
            },
            5,
            2.0,
        ),
    ],
)
def test_retry_delay(options: dict[str, Any], attempt: int, seconds: float) -> None:
    assert retry_delay(options, attempt) == pytest.approx(seconds)


def test_history_events_parse_with_the_sdk() -> None:
    doc = event(TASK_SCHEDULED, now=1_700_000_000.25, event_id=3, Name="notify", Input="1")
    parsed = HistoryEvent(**doc)
    assert parsed.event_id == 3
    assert parsed.timestamp.tzinfo is not None
    assert parsed.timestamp.timestamp() == pytest.approx(1_700_000_000.25)


def test_replay_state_round_trips() -> None:
    replay = Replay(next_id=5, sigs=[(0, "a"), (5, "")], ids=[0, 3])
    replay.retry_tasks["4"] = {"kind": "activity", "attempt": 2}
    again = Replay.loads(replay.dumps())
    assert again == replay


@given(json_values)
def test_rpc_bodies_are_double_encoded(value: Any) -> None:
    serialized = json.dumps(value)
    body = json.dumps(serialized).encode()
    decoded = decode_payload(body, rpc=True)
    assert decoded is not None
    assert json.loads(decoded) == value


@given(json_values)
def test_public_bodies_are_plain_json(value: Any) -> None:
    decoded = decode_payload(json.dumps(value).encode(), rpc=False)
    assert decoded is not None
    assert json.loads(decoded) == value


@given(st.binary(max_size=200))
def test_any_body_decodes_or_raises_value_error(body: bytes) -> None:
    for rpc in (True, False):
        try:
            decoded = decode_payload(body, rpc=rpc)
        except ValueError:
            continue
        assert decoded is None or isinstance(json.loads(decoded), object)


def test_empty_and_oversized_bodies() -> None:
    assert decode_payload(b"", rpc=True) is None
    assert decode_payload(b"  \n", rpc=False) is None
    assert decode_payload(b"null", rpc=True) is None
    with pytest.raises(ValueError, match="larger than"):
        decode_payload(b" " * (MAX_BODY + 1), rpc=False)
