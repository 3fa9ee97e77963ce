"""A team's configuration may only reference its own team's things (services on a real SQLite
store, through the same functions the API calls)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.auth.documents import user_doc
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole, User
from shared.catalog import models as catalog_models
from shared.catalog import service as catalog
from shared.errors import InvalidInput
from shared.escalation import policies
from shared.escalation.models import PolicyBody
from shared.schedules import overrides, stored
from shared.schedules import service as schedule_service
from shared.schedules import service as schedules
from shared.schedules.models import ScheduleBody
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
#: Team admin of red (and only red).
RED_ADMIN = Principal(
    kind=PrincipalKind.USER,
    id="ann",
    roles=frozenset({AppRole.RESPONDER}),
    teams={"red": TeamRole.ADMIN},
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for team in ("red", "blue"):
        await s.create("teams", {"id": team, "pk": team, "name": team})
    for user_id, team in (("ann", "red"), ("mallory", "blue")):
        user = User(
            id=user_id,
            tenant_id="t",
            name=user_id,
            email=f"{user_id}@example.com",
            teams={team: TeamRole.MEMBER},
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await s.upsert("users", user_doc(user))
    for container, doc_id in (
        ("escalation_policies", "pol-blue"),
        ("schedules", "sched-blue"),
        ("webhooks", "wh-blue"),
    ):
        await s.create(container, {"id": doc_id, "pk": doc_id, "team_id": "blue", "name": "b"})
    yield s
    await s.close()


async def refused_field(coro: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        await coro
    assert caught.value.status == 400
    return str(caught.value.extensions["field"])


async def test_a_service_cannot_use_another_teams_policy(store: SqliteStore) -> None:
    body = catalog_models.ServiceBody(name="s", team_id="red", escalation_policy_id="pol-blue")
    field = await refused_field(
        catalog.create_service(store=store, principal=RED_ADMIN, body=body, now=NOW)
    )
    assert field == "escalation_policy_id"


async def test_a_route_cannot_use_another_teams_policy(store: SqliteStore) -> None:
    service = await catalog.create_service(
        store=store,
        principal=RED_ADMIN,
        body=catalog_models.ServiceBody(name="s", team_id="red"),
        now=NOW,
    )
    created = await catalog.create_integration(
        store=store,
        principal=RED_ADMIN,
        body=catalog_models.IntegrationBody(name="i", service_id=service.id, format="generic"),
        now=NOW,
        base_url="https://oa.example",
    )
    body = catalog_models.RouteBody.model_validate(
        {
            "position": 0,
            "conditions": [{"field": "title", "op": "eq", "value": "x"}],
            "escalation_policy_id": "pol-blue",
        }
    )
    field = await refused_field(
        catalog.create_route(
            store=store, principal=RED_ADMIN, integration_id=created.integration.id, body=body
        )
    )
    assert field == "escalation_policy_id"
    # Nor can a route be changed to page through it.
    fine = await catalog.create_route(
        store=store,
        principal=RED_ADMIN,
        integration_id=created.integration.id,
        body=body.model_copy(update={"escalation_policy_id": None}),
    )
    changed = await refused_field(
        catalog.update_route(
            store=store,
            principal=RED_ADMIN,
            integration_id=created.integration.id,
            route_id=fine.id,
            body=body,
            etag=None,
        )
    )
    assert changed == "escalation_policy_id"


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([{"type": "notify_users", "user_ids": ["ann", "mallory"]}], "steps.0.user_ids.1"),
        ([{"type": "notify_users", "user_ids": ["nobody"]}], "steps.0.user_ids.0"),
        ([{"type": "notify_schedule", "schedule_id": "sched-blue"}], "steps.0.schedule_id"),
        ([{"type": "notify_team", "team_id": "blue"}], "steps.0.team_id"),
        ([{"type": "notify_round_robin", "team_id": "blue"}], "steps.0.team_id"),
        (
            [
                {"type": "notify_users", "user_ids": ["ann"]},
                {"type": "call_webhook", "webhook_id": "wh-blue"},
            ],
            "steps.1.webhook_id",
        ),
    ],
)
async def test_a_policy_cannot_page_or_call_another_team(
    store: SqliteStore, steps: list[dict[str, Any]], field: str
) -> None:
    body = PolicyBody.model_validate({"name": "p", "team_id": "red", "steps": steps})
    assert (
        await refused_field(
            policies.create_policy(store=store, principal=RED_ADMIN, body=body, now=NOW)
        )
        == field
    )
    own = PolicyBody.model_validate(
        {"name": "p", "team_id": "red", "steps": [{"type": "notify_users", "user_ids": ["ann"]}]}
    )
    policy = await policies.create_policy(store=store, principal=RED_ADMIN, body=own, now=NOW)
    update = policies.update_policy(
        store=store, principal=RED_ADMIN, policy_id=policy.id, body=body, etag=None, now=NOW
    )
    assert await refused_field(update) == field


def schedule_body(participant: str) -> ScheduleBody:
    return ScheduleBody.model_validate(
        {
            "name": "s",
            "team_id": "red",
            "time_zone": "UTC",
            "layers": [
                {"name": "l", "participants": ["ann", participant], "start": "2026-11-02T09:00:00"}
            ],
        }
    )


async def test_a_schedule_names_only_its_teams_members(store: SqliteStore) -> None:
    create = schedule_service.create_schedule(
        store=store, principal=RED_ADMIN, body=schedule_body("mallory")
    )
    assert await refused_field(create) == "layers.0.participants.1"
    schedule = await schedule_service.create_schedule(
        store=store, principal=RED_ADMIN, body=schedule_body("ann")
    )
    # Overrides are their own resource: the same rule holds there.
    override = overrides.create_override(
        store=store,
        schedule_id=schedule.id,
        user="mallory",
        start=NOW + timedelta(days=1),
        end=NOW + timedelta(days=2),
    )
    assert await refused_field(override) == "user"
    update = schedule_service.update_schedule(
        store=store,
        principal=RED_ADMIN,
        schedule_id=schedule.id,
        body=schedule_body("mallory"),
        etag=None,
    )
    assert await refused_field(update) == "layers.0.participants.1"


async def test_ical_import_and_swaps_cannot_bring_in_another_teams_people(
    store: SqliteStore,
) -> None:
    schedule = await schedule_service.create_schedule(
        store=store, principal=RED_ADMIN, body=schedule_body("ann")
    )
    start = NOW + timedelta(days=1)
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:1\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{start + timedelta(hours=8):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:mallory@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    # The import answers per event: mallory's is skipped with the reason, nothing is added.
    result = await overrides.import_calendar(store=store, schedule_id=schedule.id, ics=ics, now=NOW)
    (line,) = result.events
    assert line.outcome == "skipped" and "not a member of team 'red'" in (line.reason or "")
    assert (await stored.load_schedule(store, schedule.id))[0].overrides == ()
    swap = schedules.request_swap(
        store=store,
        schedule_id=schedule.id,
        requester=User(id="ann", tenant_id="t", created_at=NOW, updated_at=NOW, last_seen_at=NOW),
        start=NOW + timedelta(hours=1),
        end=NOW + timedelta(hours=2),
        taker_id="mallory",
        now=NOW,
    )
    assert await refused_field(swap) == "taker_id"
