"""Who may read, act and configure: the services against a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.auth.models import ApiKeyScope, AppRole, Principal, PrincipalKind, TeamRole
from shared.catalog import models as catalog_models
from shared.catalog import service as catalog
from shared.errors import Forbidden
from shared.incidents import service as incidents
from shared.incidents.models import Action, Actor, Incident, IncidentFilter
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass
class Signals:
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def start(self, incident: Incident) -> None:
        self.calls.append(("start", incident.id))

    async def signal(self, incident_id: str, signal: Any, *, from_source: bool) -> None:
        self.calls.append((signal, incident_id))


def user(*roles: AppRole, teams: dict[str, TeamRole] | None = None) -> Principal:
    return Principal(kind=PrincipalKind.USER, id="u", roles=frozenset(roles), teams=teams or {})


def key(*scopes: ApiKeyScope, teams: frozenset[str] | None = None) -> Principal:
    return Principal(kind=PrincipalKind.API_KEY, id="k", scopes=frozenset(scopes), team_limit=teams)


PRINCIPALS: dict[str, Principal] = {
    "admin": user(AppRole.ADMIN),
    "responder-member": user(AppRole.RESPONDER, teams={"red": TeamRole.MEMBER}),
    "responder-team-admin": user(AppRole.RESPONDER, teams={"red": TeamRole.ADMIN}),
    "responder-other-team": user(AppRole.RESPONDER, teams={"blue": TeamRole.MEMBER}),
    "viewer-member": user(AppRole.VIEWER, teams={"red": TeamRole.ADMIN}),
    "no-role": user(),
    "key-read": key(ApiKeyScope.READ),
    "key-incidents": key(ApiKeyScope.INCIDENTS),
    "key-write": key(ApiKeyScope.WRITE),
    "key-incidents-blue": key(ApiKeyScope.INCIDENTS, teams=frozenset({"blue"})),
}

#: who -> (may read the incident, may acknowledge it, may rename the red team)
EXPECTED: dict[str, tuple[bool, bool, bool]] = {
    "admin": (True, True, True),
    "responder-member": (True, True, False),
    "responder-team-admin": (True, True, True),
    "responder-other-team": (True, False, False),
    "viewer-member": (True, False, False),
    "no-role": (False, False, False),
    "key-read": (True, False, False),
    "key-incidents": (True, True, False),
    "key-write": (True, False, True),
    "key-incidents-blue": (False, False, False),
}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    await s.create("teams", {"id": "red", "pk": "red", "name": "Red"})
    incident = Incident(
        id="inc-1",
        number=1,
        title="t",
        team_id="red",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
    )
    await s.create("incidents", to_doc(incident))
    yield s
    await s.close()


async def _allowed(coro: Any) -> bool:
    try:
        await coro
    except Forbidden:
        return False
    return True


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
async def test_role_and_team_matrix(store: SqliteStore, who: str) -> None:
    principal = PRINCIPALS[who]
    signals = Signals()
    can_read = await _allowed(
        incidents.get_incident(store=store, principal=principal, incident_id="inc-1")
    )
    can_act = await _allowed(
        incidents.act(
            store=store,
            escalation=signals,
            principal=principal,
            incident_id="inc-1",
            action=Action(kind="acknowledge", actor=Actor(kind="user", id="u")),
            now=NOW,
        )
    )
    can_configure = await _allowed(
        catalog.update_team(
            store=store,
            principal=principal,
            team_id="red",
            body=catalog_models.TeamBody(name="Renamed"),
            etag=None,
        )
    )
    assert (can_read, can_act, can_configure) == EXPECTED[who]
    assert (("acknowledged", "inc-1") in signals.calls) == can_act
    listed, _ = await incidents.list_incidents(
        store=store, principal=principal, filters=IncidentFilter()
    )
    assert bool(listed) == can_read, "lists filter by the same rule"


async def test_acting_twice_is_one_change_and_one_signal(store: SqliteStore) -> None:
    signals = Signals()
    admin = PRINCIPALS["admin"]
    ack = Action(kind="acknowledge", actor=Actor(kind="user", id="u"))
    first = await incidents.act(
        store=store, escalation=signals, principal=admin, incident_id="inc-1", action=ack, now=NOW
    )
    second = await incidents.act(
        store=store, escalation=signals, principal=admin, incident_id="inc-1", action=ack, now=NOW
    )
    assert first == second
    assert signals.calls == [("acknowledged", "inc-1")]
    timeline, _ = await incidents.get_timeline(store=store, principal=admin, incident_id="inc-1")
    assert [e.kind for e in timeline] == ["acknowledged"]


async def test_reopen_restarts_escalation(store: SqliteStore) -> None:
    signals = Signals()
    admin = PRINCIPALS["admin"]
    actor = Actor(kind="user", id="u")
    for kind in ("resolve", "reopen"):
        await incidents.act(
            store=store,
            escalation=signals,
            principal=admin,
            incident_id="inc-1",
            action=Action(kind=kind, actor=actor),
            now=NOW,  # type: ignore[arg-type]
        )
    assert signals.calls == [("resolved", "inc-1"), ("start", "inc-1")]
