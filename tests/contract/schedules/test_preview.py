"""The schedule editor's server side: previews of unsaved bodies, "take over now", and the
calendar import's dry run, through the API router against a real SQLite store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from shared.api.router import Reply
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole
from shared.schedules import stored
from shared.schedules.models import Layer, Schedule, Shift
from shared.schedules.preview import summarize
from shared.store.sqlite import SqliteStore
from tests.fixtures.router import dispatch_as, member

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday; ann's day (09:00 to 09:00)


PEOPLE = {
    "ann": member("ann", NOW),
    "ben": member("ben", NOW),
    "lead": member("lead", NOW, TeamRole.ADMIN),
    "outsider": member("outsider", NOW, TeamRole.ADMIN, team="other"),
}

LAYER = {
    "name": "daily",
    "participants": ["ann", "ben"],
    "start": "2026-11-23T09:00",
    "frequency": "daily",
}


def body(**change: Any) -> dict[str, Any]:
    return {"name": "Primary", "team_id": "team", "time_zone": "UTC", "layers": [LAYER], **change}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for u in PEOPLE.values():
        await s.upsert("users", user_doc(u))
    daily = Layer.model_validate(LAYER)
    sched = Schedule(id="sched", name="Primary", team_id="team", time_zone="UTC", layers=(daily,))
    await s.upsert("schedules", {**sched.model_dump(mode="json"), "pk": "sched"})
    yield s
    await s.close()


async def call(
    store: SqliteStore,
    who: str,
    method: str,
    path: str,
    payload: Any = None,
    query: dict[str, str] | None = None,
    http: httpx.AsyncClient | None = None,
) -> Reply:
    # Only the outbound client of the notification ports is read here (calendar URLs).
    return await dispatch_as(
        PEOPLE[who],
        store=store,
        now=NOW,
        method=method,
        path=path,
        payload=payload,
        query=query,
        notify=SimpleNamespace(http=http),
    )


def test_summary_flags_gaps_and_adds_hours() -> None:
    t = NOW
    shifts = [
        Shift(user="ann", start=t, end=t + timedelta(hours=8), source="l"),
        Shift(user=None, start=t + timedelta(hours=8), end=t + timedelta(hours=10), source=None),
        Shift(
            user="ann,ben", start=t + timedelta(hours=10), end=t + timedelta(hours=11), source="o"
        ),
    ]
    got = summarize(shifts, t, t + timedelta(hours=11))
    assert [s.gap for s in got.shifts] == [False, True, False]
    assert (got.gaps, got.gap_hours) == (1, 2.0)
    assert got.hours == {"ann": 9.0, "ben": 1.0}


async def test_preview_of_a_new_body_is_the_final_schedule_with_gaps(store: SqliteStore) -> None:
    weekdays = {"weekdays": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
    reply = await call(
        store,
        "lead",
        "POST",
        "/schedules/preview",
        body(layers=[{**LAYER, "restrictions": [weekdays]}]),
        {"weeks": "1"},
    )
    assert reply.status == 200, reply.body
    got = reply.body
    assert got["start"] == "2026-11-23T09:30:00Z" and got["end"] == "2026-11-30T09:30:00Z"
    first = got["shifts"][0]
    assert (first["user"], first["start"], first["end"]) == (
        "ann",
        "2026-11-23T09:30:00Z",
        "2026-11-23T17:00:00Z",
    )
    assert got["shifts"][1] == {
        "user": None,
        "start": "2026-11-23T17:00:00Z",
        "end": "2026-11-24T09:00:00Z",
        "source": None,
        "gap": True,
    }
    # Working hours only, from 09:30 on Monday to 09:30 the next Monday.
    assert got["hours"] == {"ann": 23.5, "ben": 16.5}
    assert got["gaps"] == 5
    assert await stored.load_schedule_doc(store, "preview") is None, "a preview saves nothing"


async def test_preview_of_an_edit_keeps_the_schedules_overrides(store: SqliteStore) -> None:
    override = {"user": "lead", "start": "2026-11-24T00:00:00Z", "end": "2026-11-24T06:00:00Z"}
    made = await call(store, "lead", "POST", "/schedules/sched/overrides", override)
    assert made.status == 201, made.body
    reply = await call(store, "lead", "POST", "/schedules/sched/preview", body(name="Edited"))
    assert reply.status == 200, reply.body
    users = [(s["user"], s["start"]) for s in reply.body["shifts"]]
    assert ("lead", "2026-11-24T00:00:00Z") in users
    assert reply.body["end"] == "2026-12-07T09:30:00Z", "two weeks by default"
    assert (await stored.load_schedule(store, "sched"))[0].name == "Primary"


@pytest.mark.parametrize(
    ("who", "path", "payload", "query", "status", "field"),
    [
        ("lead", "/schedules/preview", body(), {"weeks": "14"}, 400, "weeks"),
        ("lead", "/schedules/preview", body(), {"weeks": "two"}, 400, "weeks"),
        ("lead", "/schedules/preview", body(), {"start": "2026-11-23T09:00"}, 400, "start"),
        ("lead", "/schedules/preview", body(layers=[{**LAYER, "participants": ["zed"]}]), {}, 400,
         "layers.0.participants.0"),
        ("ann", "/schedules/preview", body(), {}, 403, None),
        ("outsider", "/schedules/sched/preview", body(team_id="other"), {}, 403, None),
        ("lead", "/schedules/nope/preview", body(), {}, 404, None),
    ],
)  # fmt: skip
async def test_preview_refusals_are_problems(
    store: SqliteStore,
    who: str,
    path: str,
    payload: Any,
    query: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    reply = await call(store, who, "POST", path, payload, query)
    assert reply.status == status, reply.body
    assert reply.content_type == "application/problem+json"
    if field is not None:
        assert reply.body["field"] == field


async def test_take_over_now_runs_to_the_shifts_end_or_a_chosen_time(store: SqliteStore) -> None:
    reply = await call(store, "lead", "POST", "/schedules/sched/take-over", {})
    assert reply.status == 201, reply.body
    assert reply.body["user"] == "lead"
    assert (reply.body["start"], reply.body["end"]) == (
        "2026-11-23T09:30:00Z",
        "2026-11-24T09:00:00Z",
    )
    oncall = await call(store, "lead", "GET", "/schedules/sched/oncall")
    assert oncall.body == {"users": ["lead"], "source": "override"}
    again = await call(store, "lead", "POST", "/schedules/sched/take-over", {})
    assert again.status == 409, "already on call"

    until = {"until": "2026-11-23T12:00:00Z"}
    chosen = await call(store, "ben", "POST", "/schedules/sched/take-over", until)
    assert chosen.status == 403, "an override takes the right to configure the team"
    await store.upsert("users", user_doc(member("ben", NOW, TeamRole.ADMIN)))
    PEOPLE["ben"] = member("ben", NOW, TeamRole.ADMIN)
    try:
        chosen = await call(store, "ben", "POST", "/schedules/sched/take-over", until)
    finally:
        PEOPLE["ben"] = member("ben", NOW)
    assert chosen.status == 201, chosen.body
    assert chosen.body["end"] == "2026-11-23T12:00:00Z"
    # lead held the shift through an override: it gives way to ben's until 12:00 (not both on
    # call), and lead has the rest of the shift back after that.
    oncall = await call(store, "lead", "GET", "/schedules/sched/oncall")
    assert oncall.body == {"users": ["ben"], "source": "override"}
    overrides = (await stored.load_schedule(store, "sched"))[0].overrides
    assert sorted((o.user, o.start.isoformat(), o.end.isoformat()) for o in overrides) == [
        ("ben", "2026-11-23T09:30:00+00:00", "2026-11-23T12:00:00+00:00"),
        ("lead", "2026-11-23T12:00:00+00:00", "2026-11-24T09:00:00+00:00"),
    ]


@pytest.mark.parametrize(
    ("until", "field"),
    [("2026-11-23T09:00:00Z", "until"), ("2026-11-23T12:00:00", "until"), (None, "end")],
)
async def test_take_over_refuses_bad_ends(
    store: SqliteStore, until: str | None, field: str
) -> None:
    payload = {"until": until} if until else {"until": "2026-11-23T09:35:00Z"}
    reply = await call(store, "lead", "POST", "/schedules/sched/take-over", payload)
    assert reply.status == 400, reply.body
    assert reply.body["field"] == field, "the 15-minute override rule holds"


async def test_ical_import_dry_run_answers_and_writes_nothing(store: SqliteStore) -> None:
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTART:20261124T100000Z\r\nDTEND:20261124T140000Z\r\nSUMMARY:lead@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path = "/schedules/sched/ical-import"
    dry = await call(store, "lead", "POST", path, {"ics": ics, "dry_run": True})
    assert dry.status == 200, dry.body
    assert dry.body["imported"] == 1
    assert [(o["user"], o["start"], o["end"]) for o in dry.body["created"]] == [
        ("lead", "2026-11-24T10:00:00Z", "2026-11-24T14:00:00Z")
    ]
    assert (await stored.load_schedule(store, "sched"))[0].overrides == ()
    real = await call(store, "lead", "POST", path, {"ics": ics})
    assert real.body["created"] == dry.body["created"]
    assert len((await stored.load_schedule(store, "sched"))[0].overrides) == 1


async def test_the_fix_of_a_schedule_that_needs_repair_can_be_previewed(store: SqliteStore) -> None:
    doc = await store.get("schedules", "sched", "sched")
    assert doc is not None
    broken = {**doc["layers"][0], "frequency": "rrule", "rrule": "FREQ=SECONDLY"}
    await store.upsert(
        "schedules", {k: v for k, v in doc.items() if k != "_etag"} | {"layers": [broken]}
    )
    read = await call(store, "lead", "GET", "/schedules/sched")
    assert read.status == 409, "it needs repair"
    reply = await call(store, "lead", "POST", "/schedules/sched/preview", body(), {"weeks": "1"})
    assert reply.status == 200, reply.body
    assert reply.body["shifts"][0]["user"] == "ann"


async def test_a_calendar_is_imported_from_a_url_through_the_guarded_client(
    store: SqliteStore,
) -> None:
    """The server reads the URL once (a browser could not: calendar hosts send no CORS
    headers); a refusal names the field and never repeats the URL, which may hold a secret."""
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTART:20261124T100000Z\r\nDTEND:20261124T140000Z\r\nSUMMARY:lead@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oncall.ics":
            return httpx.Response(200, text=ics)
        if request.url.path == "/big.ics":
            return httpx.Response(200, content=b"x" * (600 * 1024))
        return httpx.Response(404)

    path = "/schedules/sched/ical-import"
    async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as http:

        async def post(payload: dict[str, Any]) -> Reply:
            return await call(store, "lead", "POST", path, payload, http=http)

        dry = await post({"url": "https://cal.example/oncall.ics?token=s3cret", "dry_run": True})
        assert dry.status == 200, dry.body
        assert [o["user"] for o in dry.body["created"]] == ["lead"]
        for url, why in (
            ("https://cal.example/gone.ics", "answered HTTP 404"),
            ("https://cal.example/big.ics", "larger than 512 KiB"),
            ("https://10.0.0.7/oncall.ics?token=s3cret", "not an allowed target"),
            ("http://cal.example/oncall.ics", "not an allowed target"),
            # A character httpx refuses (InvalidURL is not an HTTPError): a 400 all the same.
            ("https://cal.example/\x7f.ics", "could not be read"),
        ):
            refused = await post({"url": url, "dry_run": True})
            assert refused.status == 400, refused.body
            assert why in refused.body["detail"] and "s3cret" not in refused.body["detail"]
            assert refused.body["field"] == "url"
        both = await post({"url": "https://cal.example/oncall.ics", "ics": ics})
        assert both.status in (400, 422) and "not both" in json.dumps(both.body)
    assert (await stored.load_schedule(store, "sched"))[0].overrides == ()
