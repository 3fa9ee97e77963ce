"""What the API enforces on parameters is in its OpenAPI document; a 405 names what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.api.openapi import document
from shared.api.v1 import API
from shared.store.sqlite import SqliteStore
from tests.contract.api.test_query_bounds import _call, store

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


async def test_a_literal_segment_is_not_taken_for_a_parameter(store: SqliteStore) -> None:
    # /users/pending is its own resource (POST only), not /users/{user_id} with id "pending".
    reply = await _call(store, "GET", "users/pending")
    assert reply.status == 405, reply.body
    assert reply.headers["Allow"] == "POST"


def test_what_each_action_and_step_needs_is_required_in_the_document() -> None:
    doc = document(API)
    schemas = doc["components"]["schemas"]
    assert "note" in schemas["NoteBody"]["required"]
    assert "users" in schemas["UsersBody"]["required"]
    assert schemas["SnoozeBody"]["properties"]["minutes"]["minimum"] == 1
    for step in ("NotifyUsers", "Wait", "TimeWindow", "Repeat"):
        assert schemas[step]["required"][0] == "type", step


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "k", "scopes": ["read"], "team_ids": ["t", "t"]}, "team_ids"),
        ({"name": "k", "scopes": ["read", "read"]}, "scopes"),
        ({"name": 5, "scopes": ["read"]}, "name"),
    ],
)
async def test_bodies_are_held_to_the_document_strictly(
    store: SqliteStore, body: dict[str, object], field: str
) -> None:
    reply = await _call(store, "POST", "api-keys", body)
    assert reply.status == 400, reply.body
    assert isinstance(reply.body, dict) and reply.body["field"] == field


async def test_a_boolean_is_not_a_number_but_a_whole_float_is_an_integer(
    store: SqliteStore,
) -> None:
    team = await _call(store, "POST", "teams", {"name": "Ops"})
    assert isinstance(team.body, dict)
    policy = {
        "name": "p",
        "team_id": team.body["id"],
        "steps": [{"type": "notify_users", "user_ids": ["u"], "multi_ack": 0}],
    }
    reply = await _call(store, "POST", "escalation-policies", policy)
    assert reply.status == 400 and isinstance(reply.body, dict), reply.body
    assert reply.body["field"] == "steps.0.notify_users.multi_ack"
    # Repeat.times is an integer: 1.0 is one in JSON Schema.
    # The team itself: a reference the saving team may use (a user id must be a member).
    notify = {"type": "notify_team", "team_id": team.body["id"]}
    wait = {"type": "wait", "minutes": 5}
    policy["steps"] = [notify, wait, {"type": "repeat", "times": 1.0}]
    assert (await _call(store, "POST", "escalation-policies", policy)).status == 201
