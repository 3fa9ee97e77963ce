"""A saved integration's answer says what to paste into each sender, with the key as a
placeholder: the key itself is in no answer after the one that issued it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.api.v1 import API, ApiPorts
from shared.auth.models import AppRole, Principal, PrincipalKind
from shared.catalog.models import Service, Team
from shared.catalog.setup import KEY_PLACEHOLDER
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

ADMIN = Principal(kind=PrincipalKind.USER, id="admin", roles=frozenset({AppRole.ADMIN}))
BASE = "https://oa.example.com"


async def _who(authorization: str | None) -> Principal:
    return ADMIN


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "s.sqlite")
    await s.upsert("teams", to_doc(Team(id="t", name="t")))
    await s.upsert("services", to_doc(Service(id="svc", name="svc", team_id="t")))
    yield s
    await s.close()


async def _call(store: SqliteStore, method: str, path: str, body: Any = None) -> Any:
    ports = ApiPorts(store=store, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
    reply = await API.dispatch(
        method=method,
        path=path,
        query={},
        headers={"Authorization": "Bearer x"},
        body=json.dumps(body).encode() if body is not None else b"",
        authenticate=_who,
        ports=ports,
        base_url=BASE,
    )
    assert reply.status < 300, reply.body
    return reply.body


@pytest.mark.parametrize("fmt", ["alertmanager", "pagerduty", "opsgenie", "heartbeat"])
async def test_reads_carry_the_setup_with_a_placeholder_and_never_the_key(
    store: SqliteStore, fmt: str
) -> None:
    body = {"name": fmt, "service_id": "svc", "format": fmt}
    created = await _call(store, "POST", "/integrations", body)
    key, iid = created["key"], created["integration"]["id"]
    rotated = await _call(store, "POST", f"/integrations/{iid}/rotate")
    keys = (key, rotated["key"])
    got = await _call(store, "GET", f"/integrations/{iid}")
    listed = (await _call(store, "GET", "/integrations"))["items"]
    updated = await _call(store, "PUT", f"/integrations/{iid}", {**body, "name": "renamed"})
    for answer in (got, *listed, updated):
        text = json.dumps(answer)
        assert not [k for k in keys if k in text]
        setup = answer["setup"]
        assert setup["url"].startswith(BASE)
        assert setup["snippets"]
        assert all(KEY_PLACEHOLDER in s for s in setup["snippets"].values())
    # The setup shown once has the real key where a saved one has the placeholder.
    assert json.dumps(rotated["setup"]).replace(rotated["key"], KEY_PLACEHOLDER) == json.dumps(
        got["setup"]
    )
