"""``/me/calendar`` for a person on 30 schedules (3 layers each, one restricted, 40 overrides):
the first poll of a day computes every schedule, later polls reuse the per-day results."""

from __future__ import annotations

import asyncio
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

from shared.api import schedules as api
from shared.api.router import Request
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.schedules.models import Frequency, Layer, Override, Restriction, Schedule
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 3, 2, 10, 17, tzinfo=UTC)
SCHEDULES = 30


def _schedule(i: int) -> Schedule:
    start = datetime(2026, 1, 1, 9, 0)
    people = ("me", *(f"p{i}-{n}" for n in range(5)))
    layers = (
        Layer(name="weekly", participants=people, start=start),
        Layer(
            name="daytime",
            participants=people[::-1],
            start=start,
            frequency=Frequency.DAILY,
            restrictions=(Restriction(weekdays=frozenset(range(5)), start=time(9), end=time(17)),),
        ),
        Layer(
            name="twelve",
            participants=people[1:],
            start=start,
            frequency=Frequency.HOURLY,
            interval=12,
        ),
    )
    overrides = tuple(
        Override(
            user="me" if n % 3 == 0 else people[n % 6],
            start=NOW + timedelta(hours=31 * n),
            end=NOW + timedelta(hours=31 * n + 5),
        )
        for n in range(40)
    )
    return Schedule(
        id=f"s{i}",
        name=f"S{i}",
        team_id=f"t{i}",
        time_zone=("America/New_York", "Europe/Berlin", "Australia/Sydney")[i % 3],
        layers=layers,
        overrides=overrides,
    )


async def _run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqliteStore.open(Path(tmp) / "bench.sqlite")
        me = User(
            id="me",
            tenant_id="t",
            name="Me",
            email="me@example.com",
            teams={f"t{i}": TeamRole.MEMBER for i in range(SCHEDULES)},
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await store.upsert("users", user_doc(me))
        for i in range(SCHEDULES):
            s = _schedule(i)
            await store.upsert("schedules", {**s.model_dump(mode="json"), "pk": s.id})
        now = [NOW]
        ports = SimpleNamespace(store=store, clock=lambda: now[0])
        req = Request(None, {}, {}, {}, None, ports, "http://localhost")
        t0 = clock.perf_counter()
        reply = await api.person_calendar(req, me)
        cold = (clock.perf_counter() - t0) * 1e3
        events = str(reply.body).count("BEGIN:VEVENT")
        polls = 20
        t0 = clock.perf_counter()
        for n in range(polls):
            now[0] = NOW + timedelta(minutes=2 * n)  # calendar apps poll every few minutes
            await api.person_calendar(req, me)
        warm = (clock.perf_counter() - t0) / polls * 1e3
        now[0] = NOW + timedelta(hours=5)
        t0 = clock.perf_counter()
        await api.person_calendar(req, me)
        later = (clock.perf_counter() - t0) * 1e3
        await store.close()
    print(f"/me/calendar, {SCHEDULES} schedules, {events} events: first poll {cold:.0f} ms")
    print(f"/me/calendar, 5 hours later: {later:.0f} ms")
    print(f"/me/calendar, later polls: {warm:.1f} ms each (goal <= 100)")


def main() -> None:
    asyncio.run(_run())
