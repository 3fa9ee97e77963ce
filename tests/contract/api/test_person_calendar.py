"""A person's calendar (``/me/calendar``): reused per day, recomputed when a schedule changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from icalendar import Calendar

from shared.api import calendars as api
from shared.api.router import Request
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.schedules import overrides
from shared.schedules.models import Layer, Schedule
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def person(uid: str) -> User:
    return User(
        id=uid,
        tenant_id="t",
        name=uid.title(),
        email=f"{uid}@example.com",
        teams={"team": TeamRole.MEMBER},
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )


async def test_polls_reuse_the_day_and_see_every_change(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "s.sqlite")
    try:
        for uid in ("ann", "ben"):
            await store.upsert("users", user_doc(person(uid)))
        layer = Layer(
            name="d",
            participants=("ann", "ben"),
            start=datetime(2026, 11, 22, 9),
            frequency="daily",
        )
        s = Schedule(id="sc", name="Ops", team_id="team", time_zone="UTC", layers=(layer,))
        await store.upsert("schedules", {**s.model_dump(mode="json"), "pk": s.id})
        now = [NOW]
        req = Request(
            None, {}, {}, {}, None, SimpleNamespace(store=store, clock=lambda: now[0]), ""
        )

        async def ben_starts() -> list[datetime]:
            reply = await api.person_calendar(req, person("ben"))
            events = Calendar.from_ical(str(reply.body).encode()).walk("VEVENT")
            assert {str(e["summary"]) for e in events} == {"Ben on call: Ops"}
            return [e.decoded("dtstart") for e in events]

        first = await ben_starts()
        # Ben's shift running now (from 09:00 today) keeps its start, so its UID is stable.
        assert first[:2] == [
            datetime(2026, 11, 23, 9, tzinfo=UTC),
            datetime(2026, 11, 25, 9, tzinfo=UTC),
        ]
        now[0] = NOW + timedelta(hours=3)
        assert await ben_starts() == first
        await overrides.create_override(
            store=store,
            schedule_id="sc",
            user="ben",
            start=datetime(2026, 11, 24, 12, tzinfo=UTC),
            end=datetime(2026, 11, 24, 14, tzinfo=UTC),
        )
        assert datetime(2026, 11, 24, 12, tzinfo=UTC) in await ben_starts()
    finally:
        await store.close()
