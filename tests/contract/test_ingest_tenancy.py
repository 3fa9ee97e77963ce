"""Ingest tenancy: an integration key reaches only incidents its own integration opened.

Two teams with an integration of every kind each (``tests/fixtures/tenancy.py``); every
incident shares one dedup key and both teams' heartbeats share a name. Each row has team A's
integration of one kind try to act on team B's incident of that kind — by dedup key on its own
endpoint, by dedup key on the PagerDuty endpoint, by id, tiny number or alias on the Opsgenie
action endpoint — and asserts the documented answer (accepted, as for an unknown alert) and
that nothing of team B changed. Each row then sends the same request with team B's own key
and asserts that it does change the incident, so a row whose request could never reach
anything fails instead of passing.

Real ingest and processing code on the real SQLite store; a seeded template is copied per row.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.alerts.models import SourceFormat
from shared.pipeline.ingest import Accepted
from shared.pipeline.process import ProcessResult
from tests.fixtures.tenancy import (
    KINDS,
    World,
    build_template,
    integration_id,
    open_world,
    pagerduty_body,
)

Attempt = Callable[[World, str, str], Awaitable[Accepted]]
"""(world, acting team, victim kind) -> the accepted request."""

#: What each verb leaves on the victim when its owner sends it.
AFTER = {
    "resolve": "resolved",
    "close": "resolved",
    "acknowledge": "acknowledged",
    "notes": "triggered",
}


@dataclass(frozen=True)
class Row:
    name: str
    attempt: Attempt
    verb: str
    #: Which integration of team B the row targets; the actor is that kind (of A, then of B).
    kind: str


def _native(verb: str) -> Attempt:
    async def attempt(world: World, team: str, kind: str) -> Accepted:
        if kind == "heartbeat":
            return await world.heartbeat(world.key(team, kind))
        return await world.send(team, kind, "acknowledge" if verb == "acknowledge" else "resolve")

    return attempt


def _pagerduty() -> Attempt:
    async def attempt(world: World, team: str, kind: str) -> Accepted:
        victim = world.opened[integration_id("b", kind)]
        body = pagerduty_body(world.key(team, kind), "resolve", victim.dedup_key)
        accepted = await world.post(endpoint=SourceFormat.PAGERDUTY, body=body)
        # PagerDuty's answer names the key, known or not.
        assert accepted.dedup_key == victim.dedup_key
        return accepted

    return attempt


def _opsgenie(action: str, identifier_type: str) -> Attempt:
    async def attempt(world: World, team: str, kind: str) -> Accepted:
        victim = world.opened[integration_id("b", kind)]
        identifier = {
            "id": victim.id,
            "tiny": str(victim.number),
            "alias": victim.dedup_key,
        }[identifier_type]
        return await world.opsgenie_action(
            world.key(team, kind), action, identifier, identifier_type
        )

    return attempt


def _rows() -> list[Row]:
    rows: list[Row] = []
    for kind in KINDS:
        verbs = ["resolve"]
        if kind in ("generic", "pagerduty", "opsgenie"):
            verbs.append("acknowledge")
        rows += [Row(f"{kind}-own-endpoint-{v}", _native(v), v, kind) for v in verbs]
        rows.append(Row(f"{kind}-key-on-pagerduty-resolve", _pagerduty(), "resolve", kind))
        rows += [
            Row(f"{kind}-key-on-opsgenie-{action}-by-{by}", _opsgenie(action, by), action, kind)
            for action in ("acknowledge", "close", "notes")
            for by in ("id", "tiny", "alias")
        ]
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("tenancy") / "template.sqlite"
    keys = asyncio.run(build_template(path))
    return path, keys


@pytest.fixture
async def world(template: tuple[Path, dict[str, str]], tmp_path: Path) -> AsyncIterator[World]:
    w = await open_world(*template, into=tmp_path / "world.sqlite")
    yield w
    await w.store.close()


def _reached(world: World, result: ProcessResult, actor: str) -> set[str]:
    """The incidents the request acted on; each must be one the actor's integration opened."""
    reached = {o.incident_id for o in result.outcomes if o.incident_id is not None}
    owned = {o.id for i, o in world.opened.items() if i == actor}
    assert reached <= owned, f"{actor} reached {reached - owned}"
    return reached


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
async def test_an_integration_cannot_act_on_another_teams_incident(world: World, row: Row) -> None:
    victim = world.opened[integration_id("b", row.kind)]
    before = await world.team_state("b")

    accepted = await row.attempt(world, "a", row.kind)
    result = await world.run(accepted)

    _reached(world, result, integration_id("a", row.kind))
    assert await world.team_state("b") == before, "team B's incidents changed"

    # The same request with team B's own key does reach the incident: the row is a real attempt.
    lines_before = len(next(lines for doc, lines in before if doc["id"] == victim.id))
    result = await world.run(await row.attempt(world, "b", row.kind))
    assert _reached(world, result, integration_id("b", row.kind)) == {victim.id}
    after = {doc["id"]: (doc, lines) for doc, lines in await world.team_state("b")}
    doc, lines = after[victim.id]
    assert doc["status"] == AFTER[row.verb]
    assert len(lines) > lines_before


SAME_TEAM = [
    pytest.param(kind, by, id=f"{kind}-by-{by}") for kind in KINDS for by in ("id", "tiny")
]


@pytest.mark.parametrize(("kind", "by"), SAME_TEAM)
async def test_opsgenie_actions_by_id_or_tiny_stay_within_the_integration(
    world: World, kind: str, by: str
) -> None:
    """Another integration of the same team is no closer: Opsgenie scopes actions per API
    integration, and so do we."""
    other = KINDS[(KINDS.index(kind) + 1) % len(KINDS)]
    victim = world.opened[integration_id("b", kind)]
    before = await world.incident(victim.id)
    identifier = victim.id if by == "id" else str(victim.number)
    for action in ("acknowledge", "close", "notes"):
        accepted = await world.opsgenie_action(world.key("b", other), action, identifier, by)
        result = await world.run(accepted)
        # Exactly the outcome of an identifier that names no alert at all.
        assert [(o.decision, o.incident_id) for o in result.outcomes] == [("ignore", None)]
    assert await world.incident(victim.id) == before


async def test_an_unknown_identifier_is_answered_like_a_foreign_one(world: World) -> None:
    for identifier, by in (("inc-nothing", "id"), ("999999", "tiny")):
        accepted = await world.opsgenie_action(world.key("a", "opsgenie"), "close", identifier, by)
        result = await world.run(accepted)
        assert [(o.decision, o.incident_id) for o in result.outcomes] == [("ignore", None)]


def test_every_integration_kind_is_in_the_table() -> None:
    # A new source format gets rows here (a body in tests/fixtures/tenancy.py) or this fails.
    assert set(KINDS) == {f.value for f in SourceFormat}
    assert {r.kind for r in ROWS} == set(KINDS)
