"""Date-times in queries outside what schedules can compute are a 400, not an overflow 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.api.router import Reply
from shared.api.v1 import API, ApiPorts
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.store.sqlite import SqliteStore
from tests.contract.api.test_api_views import _as_admin


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    yield s
    await s.close()


async def _call(
    store: SqliteStore, method: str, path: str, body: Any = None, **query: str
) -> Reply:
    ports: Any = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
    return await API.dispatch(
        method=method,
        path=path,
        query=query,
        headers={"Authorization": "Bearer x"},
        body=json.dumps(body).encode() if body is not None else b"",
        authenticate=_as_admin,
        ports=ports,
        base_url="http://oa.example",
    )


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("oncall", {"at": "9999-12-31T23:59:59Z"}),
        ("oncall", {"at": "0001-01-01T00:00:00Z"}),
        ("oncall", {"at": "9999-12-31T23:59:59+14:00"}),
        ("final", {"start": "9999-12-30T00:00:00Z", "end": "9999-12-31T23:00:00Z"}),
        ("final", {"start": "0001-01-01T00:00:00Z"}),
    ],
)
async def test_on_call_queries_at_the_ends_of_time_are_a_400(
    store: SqliteStore, zone: str, path: str, query: dict[str, str]
) -> None:
    team = await _call(store, "POST", "teams", {"name": "Ops"})
    assert team.status == 201, team.body
    assert isinstance(team.body, dict)
    # Participants must be known people of the schedule's team.
    when = "2026-01-01T00:00:00Z"
    person = User.model_validate(
        {
            "id": "admin",
            "tenant_id": "t",
            "name": "Admin",
            "teams": {team.body["id"]: TeamRole.MEMBER},
            "created_at": when,
            "updated_at": when,
            "last_seen_at": when,
        }
    )
    await store.upsert("users", user_doc(person))
    layer = {
        "name": "l",
        "participants": ["admin"],
        "start": "2026-01-01T09:00:00",
        "frequency": "daily",
    }
    schedule = await _call(
        store,
        "POST",
        "schedules",
        {"name": "s", "team_id": team.body["id"], "time_zone": zone, "layers": [layer]},
    )
    assert schedule.status == 201, schedule.body
    assert isinstance(schedule.body, dict)
    reply = await _call(store, "GET", f"schedules/{schedule.body['id']}/{path}", **query)
    assert reply.status == 400, reply.body
    assert isinstance(reply.body, dict) and reply.body["field"] in query
    ok = await _call(
        store, "GET", f"schedules/{schedule.body['id']}/oncall", at="2199-12-31T23:59:59Z"
    )
    assert ok.status == 200, ok.body
