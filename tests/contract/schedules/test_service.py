"""Handoff runs and shift swaps against a real SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.errors import Forbidden, InvalidInput
from shared.schedules import limits, service
from shared.schedules.models import Layer, Schedule
from shared.schedules.resolve import on_call
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC


def user(uid: str, role: TeamRole = TeamRole.MEMBER) -> User:
    return User(
        id=uid,
        tenant_id="t",
        name=uid.title(),
        teams={"team": role},
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for u in (user("ann"), user("ben"), user("boss", TeamRole.ADMIN)):
        await s.upsert("users", user_doc(u))
    # Daily 09:00 UTC handoffs: ann on Nov 23, ben on Nov 24, ...; nobody before Nov 22.
    schedule = Schedule(
        id="sched",
        name="Primary",
        team_id="team",
        time_zone="UTC",
        layers=(
            Layer(
                name="daily",
                participants=("ann", "ben"),
                start=datetime(2026, 11, 22, 9, 0),
                frequency="daily",
            ),
        ),
    )
    await s.upsert("schedules", {**schedule.model_dump(mode="json"), "pk": schedule.id})
    yield s
    await s.close()


async def test_first_run_announces_who_is_on_call_and_a_rerun_is_silent(
    store: SqliteStore,
) -> None:
    jobs, handoffs = await service.run_handoffs(store=store, now=NOW)
    assert [(h.from_users, h.to_users) for h in handoffs] == [((), ("ben",))]
    assert [(j["user_id"], j["subject"]) for j in jobs if "now on call" in j["subject"]] == [
        ("ben", "You are now on call: Primary")
    ]
    again, handoffs = await service.run_handoffs(store=store, now=NOW)
    assert again == [] and handoffs == []


async def test_reminders_and_the_next_handoff(store: SqliteStore) -> None:
    await service.run_handoffs(store=store, now=NOW)
    # 08:00 next day: ann's shift (09:00) starts in 1 hour.
    jobs, _ = await service.run_handoffs(store=store, now=NOW + timedelta(hours=23))
    assert [(j["user_id"], j["subject"]) for j in jobs] == [
        ("ann", "Your on-call shift starts in 1 h: Primary")
    ]
    jobs, handoffs = await service.run_handoffs(store=store, now=NOW + timedelta(hours=24))
    assert [(h.from_users, h.to_users) for h in handoffs] == [(("ben",), ("ann",))]
    assert {j["idempotency_key"] for j in jobs} == {
        f"sched|ann|{(NOW + timedelta(hours=24)).isoformat()}|now_on_call|ann",
        # ben's next shift (Nov 25 09:00) is now 24 h away.
        f"sched|ben|{(NOW + timedelta(hours=48)).isoformat()}|reminder-86400|ben",
    }


async def test_someone_who_left_the_team_gets_no_shift_notices(store: SqliteStore) -> None:
    await store.upsert("users", user_doc(user("ben").model_copy(update={"teams": {}})))
    jobs, handoffs = await service.run_handoffs(store=store, now=NOW)
    assert [(h.from_users, h.to_users) for h in handoffs] == [((), ("ben",))]
    assert [j["user_id"] for j in jobs if "now on call" in j["subject"]] == []


async def test_overlapping_runs_never_duplicate_notices(store: SqliteStore) -> None:
    results = await asyncio.gather(
        service.run_handoffs(store=store, now=NOW), service.run_handoffs(store=store, now=NOW)
    )
    keys = [j["idempotency_key"] for jobs, _ in results for j in jobs]
    assert len(keys) == len(set(keys))


async def test_gap_warnings_go_to_team_admins(store: SqliteStore) -> None:
    gappy = Schedule(
        id="gappy",
        name="Business hours",
        team_id="team",
        time_zone="UTC",
        layers=(
            Layer(
                name="l",
                participants=("ann",),
                start=datetime(2026, 11, 23, 9, 0),
                frequency="daily",
                effective_until=NOW + timedelta(hours=12),
            ),
        ),
    )
    await store.upsert("schedules", {**gappy.model_dump(mode="json"), "pk": gappy.id})
    jobs, _ = await service.run_handoffs(store=store, now=NOW)
    gaps = [j for j in jobs if j["subject"].startswith("Nobody is on call in Business hours")]
    assert [(j["user_id"], j["importance"]) for j in gaps] == [("boss", "important")]


async def test_swap_request_accept_becomes_an_override(store: SqliteStore) -> None:
    start, end = NOW + timedelta(hours=1), NOW + timedelta(hours=5)
    with pytest.raises(InvalidInput, match="not on call"):
        await service.request_swap(
            store=store,
            schedule_id="sched",
            requester=user("ann"),
            start=start,
            end=end,
            taker_id="ben",
            now=NOW,
        )
    swap = await service.request_swap(
        store=store,
        schedule_id="sched",
        requester=user("ben"),
        start=start,
        end=end,
        taker_id="ann",
        now=NOW,
    )
    assert swap.status == "requested"
    with pytest.raises(Forbidden):
        await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap.id,
            user=user("ben"),
            decision="accept",
            now=NOW,
        )
    accepted = await service.decide_swap(
        store=store,
        schedule_id="sched",
        swap_id=swap.id,
        user=user("ann"),
        decision="accept",
        now=NOW,
    )
    assert accepted.status == "accepted"
    again = await service.decide_swap(
        store=store,
        schedule_id="sched",
        swap_id=swap.id,
        user=user("ann"),
        decision="accept",
        now=NOW,
    )
    assert again.status == "accepted", "idempotent"
    doc = await store.get("schedules", "sched", "sched")
    assert doc is not None
    schedule = Schedule.model_validate({k: v for k, v in doc.items() if k not in ("pk", "_etag")})
    assert on_call(schedule, NOW + timedelta(hours=2)).users == ("ann",)
    assert on_call(schedule, NOW + timedelta(hours=6)).users == ("ben",)


async def test_declined_swap_changes_nothing(store: SqliteStore) -> None:
    swap = await service.request_swap(
        store=store,
        schedule_id="sched",
        requester=user("ben"),
        start=NOW + timedelta(hours=1),
        end=NOW + timedelta(hours=2),
        taker_id="ann",
        now=NOW,
    )
    declined = await service.decide_swap(
        store=store,
        schedule_id="sched",
        swap_id=swap.id,
        user=user("ann"),
        decision="decline",
        now=NOW,
    )
    assert declined.status == "declined"
    doc = await store.get("schedules", "sched", "sched")
    assert doc is not None and doc["overrides"] == []


async def test_a_schedule_over_its_budget_skips_only_its_own_handoffs(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # 15-minute handoffs since 2020: the first computation generates ~240,000 occurrences.
    slow = Schedule(
        id="slow",
        name="Slow",
        team_id="team",
        time_zone="UTC",
        layers=(
            Layer(
                name="q",
                participants=("ann",),
                start=datetime(2020, 1, 1, 0, 7),
                frequency="rrule",
                rrule="FREQ=HOURLY;BYMINUTE=7,22,37,52",
            ),
        ),
    )
    await store.upsert("schedules", {**slow.model_dump(mode="json"), "pk": slow.id})
    monkeypatch.setattr(limits, "BUDGET_SECONDS", 0.2)
    _, handoffs = await service.run_handoffs(store=store, now=NOW)
    assert [h.schedule_id for h in handoffs] == ["sched"]
    assert "Handoffs of schedule slow not computed" in caplog.text
    assert "budget" in caplog.text


async def test_a_stored_schedule_that_breaks_a_newer_rule_skips_only_itself(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    # Saved when FREQ=SECONDLY was accepted; reading it now fails validation.
    doc = await store.get("schedules", "sched", "sched")
    assert doc is not None
    layer = {**doc["layers"][0], "frequency": "rrule", "rrule": "FREQ=SECONDLY"}
    bad = {k: v for k, v in doc.items() if k != "_etag"} | {"id": "bad", "pk": "bad"}
    await store.upsert("schedules", {**bad, "layers": [layer]})
    _, handoffs = await service.run_handoffs(store=store, now=NOW)
    assert [h.schedule_id for h in handoffs] == ["sched"]
    assert "Schedule bad cannot be read" in caplog.text
