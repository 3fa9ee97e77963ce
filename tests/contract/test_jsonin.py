"""The one JSON decoder of the HTTP edge: hostile JSON is an InvalidJson (400), nothing else."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import jsonin
from shared.api.v1 import API, ApiPorts
from shared.errors import InvalidInput
from shared.msteams.auth import parse_activity
from shared.notifications.voice_events import parse_events
from shared.store._sql import decode_state
from shared.store.sqlite import SqliteStore
from tests.contract.api.test_api_views import _as_admin
from tests.unit.alerts.test_parsers import HOSTILE_FRAGMENTS

NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (NESTED, "nested deeper than 64"),
        (b'{"a":' * 65 + b"1" + b"}" * 65, "nested deeper than 64"),
        (b'{"n":' + b"9" * 5000 + b"}", "5000 characters"),
        (b'{"n":1e999}', "out of range"),
        (b'{"n":NaN}', "NaN is not a JSON number"),
        (b"\xff", "not valid JSON"),
        (b'{"a":', "not valid JSON"),
    ],
)
def test_hostile_json_is_refused_saying_why(body: bytes, says: str) -> None:
    with pytest.raises(jsonin.InvalidJson, match=says) as caught:
        jsonin.loads(body, field="$")
    assert caught.value.extensions["field"] == "$"


def test_ordinary_json_decodes_as_json_loads_does() -> None:
    doc = {"a": [1, 2.5, -3e10, None, True, "x\u202e"], "b": {"c": "9" * 5000}, "d": 2**63}
    body = json.dumps(doc).encode()
    assert jsonin.loads(body) == json.loads(body)
    assert jsonin.loads(b'{"a":' * 63 + b"1" + b"}" * 63) is not None


@given(body=st.binary(max_size=200) | st.sampled_from(HOSTILE_FRAGMENTS).map(str.encode))
def test_any_bytes_decode_or_are_invalid_json(body: bytes) -> None:
    try:
        doc = jsonin.loads(body)
    except jsonin.InvalidJson:
        return
    json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("body", [NESTED, b'{"type":' + b"9" * 5000 + b"}"])
def test_a_hostile_teams_activity_is_a_4xx(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_activity(body)


def test_a_hostile_call_event_batch_is_a_4xx() -> None:
    with pytest.raises(InvalidInput):
        parse_events(NESTED)


@pytest.mark.parametrize(
    "body",
    [
        NESTED,
        b'{"name":' + b"[" * 900 + b"]" * 900 + b"}",
        b'{"name":"x","description":' + b"9" * 5000 + b"}",
        b'{"name":"x","n":1e999}',
    ],
)
async def test_a_hostile_api_body_is_a_400_problem(tmp_path: Path, body: bytes) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        ports: Any = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
        reply = await API.dispatch(
            method="POST",
            path="teams",
            query={},
            headers={"Authorization": "Bearer x"},
            body=body,
            authenticate=_as_admin,
            ports=ports,
            base_url="http://oa.example",
        )
        assert reply.status == 400, reply.body
        assert isinstance(reply.body, dict) and reply.body["field"] == "(body)"
    finally:
        await store.close()


@pytest.mark.parametrize("raw", [b"[" * 3000, b'{"last":' + b"9" * 2900 + b"}", b'{"o":NaN}'])
def test_a_forged_store_continuation_token_is_a_400(raw: bytes) -> None:
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with pytest.raises(InvalidInput) as caught:
        decode_state(token, expect={"c": "teams"})
    assert caught.value.extensions["field"] == "continuation"
