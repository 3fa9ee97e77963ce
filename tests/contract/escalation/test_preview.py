""" "Who would be paged, and when": a policy walked forward through the API router against a real
SQLite store, with schedules resolved at each step's moment and nobody paged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.api.router import Reply
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole
from shared.escalation import policies
from shared.escalation.models import Policy
from shared.notifications.models import ContactMethod
from shared.schedules.models import Layer, Schedule
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.router import dispatch_as, member

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday; ann's day, ben's from Tuesday 09:00


PEOPLE = {
    "ann": member("ann", NOW),
    "ben": member("ben", NOW),
    "cat": member("cat", NOW, TeamRole.ADMIN),
    "outsider": member("outsider", NOW, TeamRole.ADMIN, team="other"),
}

STEPS: list[dict[str, Any]] = [
    {"type": "notify_schedule", "schedule_id": "sched", "importance": "important"},
    {"type": "wait", "minutes": 30},
    {"type": "notify_round_robin", "team_id": "team"},
    {"type": "wait", "minutes": 1440},
    {"type": "notify_schedule", "schedule_id": "sched"},
    {"type": "repeat", "times": 1},
]


WAIT = {"type": "wait", "minutes": 1}


def policy_body(steps: list[dict[str, Any]], team: str = "team") -> dict[str, Any]:
    return {"name": "Primary", "team_id": team, "steps": steps}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for u in PEOPLE.values():
        await s.upsert("users", user_doc(u))
    daily = Layer(
        name="daily",
        participants=("ann", "ben"),
        start=datetime(2026, 11, 23, 9),
        frequency="daily",
    )
    sched = Schedule(id="sched", name="Primary", team_id="team", time_zone="UTC", layers=(daily,))
    await s.upsert("schedules", {**sched.model_dump(mode="json"), "pk": "sched"})
    await policies.save_policy(s, Policy(id="pol", version=3, **policy_body(STEPS)))
    # Round-robin has handed out one turn already: ben's is next (members by id: ann, ben, cat).
    await s.create("counters", {"id": "rr:team", "pk": "rr:team", "value": 1})
    for m in (
        ContactMethod(id="ann-mail", user_id="ann", kind="email", address="a@x.io", verified=True),
        ContactMethod(id="ann-sms", user_id="ann", kind="sms", address="+15550100", verified=True),
    ):
        await s.create("contact_methods", to_doc(m, pk_field="user_id", pk="ann"))
    rules = {
        "default": [{"type": "notify", "contact": "email"}],
        "important": [
            {"type": "notify", "contact": "sms"},
            {"type": "wait", "minutes": 2},
            {"type": "notify", "contact": "email"},
        ],
    }
    await s.upsert("notification_rules", {"id": "ann", "pk": "ann", "user_id": "ann", **rules})
    yield s
    await s.close()


async def call(
    store: SqliteStore,
    who: str,
    path: str,
    payload: Any = None,
    query: dict[str, str] | None = None,
) -> Reply:
    return await dispatch_as(
        PEOPLE[who], store=store, now=NOW, method="POST", path=path, payload=payload, query=query
    )


def fired(reply: Reply) -> list[tuple[int, int, str, list[str]]]:
    return [
        (f["step"], f["round"], f["at"], [p["user_id"] for p in f["people"]])
        for f in reply.body["fired"]
    ]


async def test_saved_policy_each_step_at_its_moment_with_its_people(store: SqliteStore) -> None:
    reply = await call(store, "ann", "/escalation-policies/pol/preview")
    assert reply.status == 200, reply.body
    assert (reply.body["policy_id"], reply.body["version"]) == ("pol", 3)
    assert fired(reply) == [
        (1, 0, "2026-11-23T09:30:00Z", ["ann"]),
        (3, 0, "2026-11-23T10:00:00Z", ["ben"]),
        # A day later the schedule has handed over: resolved when the step fires.
        (5, 0, "2026-11-24T10:00:00Z", ["ben"]),
        (1, 1, "2026-11-24T10:00:00Z", ["ben"]),
        (3, 1, "2026-11-24T10:30:00Z", ["cat"]),
        (5, 1, "2026-11-25T10:30:00Z", ["ann"]),
    ]
    first = reply.body["fired"][0]["people"][0]
    assert first["name"] == "Ann"
    assert first["plan"]["rule_set"] == "important"
    deliveries = first["plan"]["deliveries"]
    assert [(d["after_minutes"], [m["kind"] for m in d["methods"]]) for d in deliveries] == [
        (0, ["sms"]),
        (2, ["email"]),
    ]
    assert "all steps done" in reply.body["notes"]
    counter = await store.get("counters", "rr:team", "rr:team")
    assert counter is not None and counter["value"] == 1, "a preview takes no round-robin turn"


async def test_unsaved_body_windows_counts_and_a_chosen_moment(store: SqliteStore) -> None:
    steps = [
        {
            "type": "time_window",
            "timezone": "Europe/Berlin",
            "ranges": [{"weekdays": [0, 1, 2, 3, 4], "start": "09:00:00", "end": "17:00:00"}],
            "outside": "wait",
        },
        {"type": "notify_users", "user_ids": ["ann"]},
        {"type": "wait", "minutes": 5},
        {"type": "alert_count", "threshold": 3, "window_minutes": 10},
        {"type": "notify_team", "team_id": "team"},
    ]
    saturday = {"at": "2026-11-28T12:00:00Z"}
    reply = await call(store, "cat", "/escalation-policies/preview", policy_body(steps), saturday)
    assert reply.status == 200, reply.body
    assert reply.body["policy_id"] is None
    # Held until Monday 09:00 in Berlin (08:00 UTC), then five minutes on.
    assert fired(reply) == [
        (2, 0, "2026-11-30T08:00:00Z", ["ann"]),
        (5, 0, "2026-11-30T08:05:00Z", ["ann", "ben", "cat"]),
    ]
    assert any("taken as met" in n for n in reply.body["notes"])
    ann = reply.body["fired"][0]["people"][0]["plan"]
    assert ann["rule_set"] == "default" and ann["deliveries"][0]["methods"][0]["id"] == "ann-mail"


async def test_people_who_left_the_team_are_skipped_with_the_reason(store: SqliteStore) -> None:
    await store.upsert("users", user_doc(member("ben", NOW, team="other")))
    reply = await call(store, "ann", "/escalation-policies/pol/preview")
    second = reply.body["fired"][2]
    assert second["people"] == [] and second["skipped"], second


@pytest.mark.parametrize(
    ("who", "path", "payload", "query", "status"),
    [
        ("ann", "/escalation-policies/pol/preview", None, {"at": "tomorrow"}, 400),
        ("ann", "/escalation-policies/nope/preview", None, {}, 404),
        ("ann", "/escalation-policies/preview", policy_body(STEPS), {}, 403),
        ("outsider", "/escalation-policies/preview", policy_body(STEPS, "team"), {}, 403),
        (
            "outsider",
            "/escalation-policies/preview",
            policy_body([{"type": "notify_schedule", "schedule_id": "sched"}], "other"),
            {},
            400,
        ),
        ("cat", "/escalation-policies/preview", policy_body([WAIT]), {}, 400),
    ],
)  # fmt: skip
async def test_refusals_are_problems(
    store: SqliteStore,
    who: str,
    path: str,
    payload: Any,
    query: dict[str, str],
    status: int,
) -> None:
    reply = await call(store, who, path, payload, query)
    assert reply.status == status, reply.body
    assert reply.content_type == "application/problem+json"
