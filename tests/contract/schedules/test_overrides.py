"""Overrides as their own resource, people that must exist, swaps taken back, calendar import
reports and round trips: against a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.auth import pending
from shared.auth import service as auth
from shared.auth.documents import user_doc
from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole, TokenClaims, User
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.schedules import limits, overrides, service, stored
from shared.schedules import service as schedule_service
from shared.schedules.ical import Person, export_shifts
from shared.schedules.models import Layer, Schedule, ScheduleBody, ShiftSwap
from shared.schedules.overrides import TooManyOverrides
from shared.schedules.people import UnknownPerson
from shared.schedules.resolve import final_schedule, on_call
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC
ADMIN = Principal(kind=PrincipalKind.USER, id="boss", roles=frozenset({AppRole.ADMIN}))


def user(uid: str, email: str | None = None) -> User:
    return User(
        id=uid,
        tenant_id="t",
        name=uid.title() + " Person",
        email=email,
        teams={"team": TeamRole.MEMBER},
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )


def schedule(sid: str = "sched") -> Schedule:
    daily = Layer(
        name="daily",
        participants=("ann", "ben"),
        start=datetime(2026, 11, 22, 9, 0),
        frequency="daily",
    )
    return Schedule(id=sid, name="Primary", team_id="team", time_zone="UTC", layers=(daily,))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    for u in (user("ann", "ann@example.com"), user("ben", "ben@example.com"), user("cat")):
        await s.upsert("users", user_doc(u))
    for sid in ("sched", "other"):
        await s.upsert("schedules", {**schedule(sid).model_dump(mode="json"), "pk": sid})
    yield s
    await s.close()


async def read(store: SqliteStore, sid: str = "sched") -> Schedule:
    return (await stored.load_schedule(store, sid))[0]


def body(**layer: object) -> ScheduleBody:
    fields = {"name": "daily", "participants": ["ann", "ben"], "start": "2026-11-22T09:00"}
    return ScheduleBody.model_validate(
        {"name": "Primary", "team_id": "team", "time_zone": "UTC", "layers": [{**fields, **layer}]}
    )


async def test_editing_the_layers_keeps_every_override(store: SqliteStore) -> None:
    made = await overrides.create_override(
        store=store, schedule_id="sched", user="cat", start=NOW, end=NOW + timedelta(hours=3)
    )
    await service.issue_ical_link(store=store, schedule_id="sched")
    edited = await schedule_service.update_schedule(
        store=store, principal=ADMIN, schedule_id="sched", body=body(frequency="weekly"), etag=None
    )
    assert edited.overrides == (made,)
    assert edited.ical_token_hash is not None, "an edit keeps the calendar subscription link"
    assert [o.id for o in (await read(store)).overrides] == [made.id]
    assert "overrides" not in ScheduleBody.model_fields


async def test_overrides_list_by_range_and_delete(store: SqliteStore) -> None:
    for hours in (0, 24, 48):
        await overrides.create_override(
            store=store,
            schedule_id="sched",
            user="cat",
            start=NOW + timedelta(hours=hours),
            end=NOW + timedelta(hours=hours + 2),
        )
    s = await read(store)
    found = overrides.in_range(s, NOW + timedelta(hours=1), NOW + timedelta(hours=25))
    assert [o.start for o in found] == [NOW, NOW + timedelta(hours=24)]
    await overrides.delete_override(store=store, schedule_id="sched", override_id=found[0].id)
    assert len((await read(store)).overrides) == 2
    with pytest.raises(Exception, match="does not exist"):
        await overrides.delete_override(store=store, schedule_id="sched", override_id=found[0].id)


async def test_people_must_exist_and_the_error_names_the_field(store: SqliteStore) -> None:
    with pytest.raises(UnknownPerson) as err:
        await schedule_service.create_schedule(
            store=store, principal=ADMIN, body=body(participants=["ann", "alice@example.con"])
        )
    assert err.value.extensions["field"] == "layers.0.participants.1"
    assert err.value.status == 400
    with pytest.raises(UnknownPerson, match="'no-such-user'") as err:
        await overrides.create_override(
            store=store,
            schedule_id="sched",
            user="no-such-user",
            start=NOW,
            end=NOW + timedelta(hours=1),
        )
    assert err.value.extensions["field"] == "user"
    with pytest.raises(UnknownPerson) as err:
        await service.request_swap(
            store=store,
            schedule_id="sched",
            requester=user("ben"),
            start=NOW + timedelta(hours=1),
            end=NOW + timedelta(hours=2),
            taker_id="nobody",
            now=NOW,
        )
    assert err.value.extensions["field"] == "taker_id"


async def test_the_override_limit_holds_on_every_path(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_OVERRIDES", 2)
    for h in (30, 40):
        await overrides.create_override(
            store=store,
            schedule_id="sched",
            user="cat",
            start=NOW + timedelta(hours=h),
            end=NOW + timedelta(hours=h + 1),
        )
    with pytest.raises(TooManyOverrides, match=r"^API would leave"):
        await overrides.create_override(
            store=store, schedule_id="sched", user="cat", start=NOW, end=NOW + timedelta(hours=1)
        )
    swap = await service.request_swap(
        store=store,
        schedule_id="sched",
        requester=user("ben"),
        start=NOW + timedelta(hours=1),
        end=NOW + timedelta(hours=2),
        taker_id="ann",
        now=NOW,
    )
    with pytest.raises(TooManyOverrides, match=r"^Accepting the swap would leave"):
        await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap.id,
            user=user("ann"),
            decision="accept",
            now=NOW,
        )
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        b"DTSTART:20261124T000000Z\r\nDTEND:20261124T060000Z\r\n"
        b"ATTENDEE:mailto:ann@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(TooManyOverrides, match=r"^Calendar import would leave"):
        await overrides.import_calendar(store=store, schedule_id="sched", ics=ics, now=NOW)
    assert len((await read(store)).overrides) == 2


async def test_an_accepted_swap_can_be_taken_back_by_either_party_until_it_starts(
    store: SqliteStore,
) -> None:
    async def accepted(hours: int) -> str:
        swap = await service.request_swap(
            store=store,
            schedule_id="sched",
            requester=user("ben"),
            start=NOW + timedelta(hours=hours),
            end=NOW + timedelta(hours=hours + 1),
            taker_id="ann",
            now=NOW,
        )
        await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap.id,
            user=user("ann"),
            decision="accept",
            now=NOW,
        )
        return swap.id

    for who in ("ann", "ben"):
        swap_id = await accepted(1 if who == "ann" else 3)
        assert len((await read(store)).overrides) == 1
        with pytest.raises(Forbidden):
            await service.decide_swap(
                store=store,
                schedule_id="sched",
                swap_id=swap_id,
                user=user("cat"),
                decision="cancel",
                now=NOW,
            )
        done = await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap_id,
            user=user(who),
            decision="cancel",
            now=NOW,
        )
        assert done.status == "cancelled"
        s = await read(store)
        assert s.overrides == ()
        assert on_call(s, NOW + timedelta(hours=1, minutes=30)).users == ("ben",)
    swap_id = await accepted(5)
    with pytest.raises(Conflict, match="has started"):
        await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap_id,
            user=user("ben"),
            decision="cancel",
            now=NOW + timedelta(hours=5),
        )


async def test_import_reports_each_event(store: SqliteStore) -> None:
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        b"BEGIN:VEVENT\r\nUID:night\r\nDTSTART:20261124T000000Z\r\nDTEND:20261124T060000Z\r\n"
        b"RRULE:FREQ=DAILY;COUNT=2\r\nATTENDEE:mailto:ann@example.com\r\nSUMMARY:night\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:stranger\r\nDTSTART:20261124T060000Z\r\nDTEND:20261124T070000Z\r\n"
        b"SUMMARY:stranger@example.com\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:holiday\r\nDTSTART;VALUE=DATE:20261126\r\nSUMMARY:cat\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:blip\r\nDTSTART:20261124T060000Z\r\nDTEND:20261124T060100Z\r\n"
        b"SUMMARY:ben\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = await overrides.import_calendar(store=store, schedule_id="sched", ics=ics, now=NOW)
    lines = {e.uid: (e.outcome, e.occurrences, e.reason) for e in result.events}
    assert lines["night"] == ("imported", 2, None)
    assert lines["holiday"] == ("imported", 1, None)
    assert lines["stranger"][0] == "skipped" and "no known user" in (lines["stranger"][2] or "")
    assert lines["blip"][0] == "skipped" and "15 minutes" in (lines["blip"][2] or "")
    assert (result.imported, result.merged, result.skipped) == (2, 0, 2)
    # A re-import replaces the earlier imported overrides instead of adding to them.
    await overrides.import_calendar(store=store, schedule_id="sched", ics=ics, now=NOW)
    got = sorted((o.user, o.start) for o in (await read(store)).overrides)
    assert got == [
        ("ann", datetime(2026, 11, 24, tzinfo=UTC)),
        ("ann", datetime(2026, 11, 25, tzinfo=UTC)),
        ("cat", datetime(2026, 11, 26, tzinfo=UTC)),
    ]
    skipped = await overrides.import_calendar(
        store=store, schedule_id="sched", ics=ics, now=NOW, all_day="skip"
    )
    assert {e.uid: e.outcome for e in skipped.events}["holiday"] == "skipped"


async def test_reimporting_our_export_recreates_the_same_overrides(store: SqliteStore) -> None:
    for who, h in (("ann", 2), ("cat", 30)):
        await overrides.create_override(
            store=store,
            schedule_id="sched",
            user=who,
            start=NOW + timedelta(hours=h),
            end=NOW + timedelta(hours=h + 4),
        )
    source = await read(store)
    shifts = final_schedule(source, NOW, NOW + timedelta(days=3))
    people = {"ann": Person("Ann Person", "ann@example.com"), "cat": Person("Cat Person")}
    ics = export_shifts(source, shifts, now=NOW, people=people)
    # Into another schedule: every shift (rotation and override) becomes that person's override.
    result = await overrides.import_calendar(
        store=store, schedule_id="other", ics=ics, now=NOW, days=3
    )
    assert result.skipped == 0
    other = await read(store, "other")
    assert final_schedule(other, NOW, NOW + timedelta(days=3)) != []
    assert [
        (s.user, s.start, s.end) for s in final_schedule(other, NOW, NOW + timedelta(days=3))
    ] == [(s.user, s.start, s.end) for s in shifts]
    # Into itself: the overrides are merged, the rotation's own shifts skipped; nothing doubles.
    again = await overrides.import_calendar(
        store=store, schedule_id="sched", ics=ics, now=NOW, days=3
    )
    outcomes = sorted(e.outcome for e in again.events)
    assert outcomes.count("merged") == 2 and "imported" not in outcomes
    assert sorted(o.id for o in (await read(store)).overrides) == sorted(
        o.id for o in source.overrides
    )


async def test_a_pending_user_can_be_scheduled_and_is_matched_at_first_sign_in(
    store: SqliteStore,
) -> None:
    dan = await pending.add_pending_user(
        store=store, email="Dan@Example.com", name="Dan", team_id="team", now=NOW
    )
    assert dan.pending and dan.email == "dan@example.com"
    again = await pending.add_pending_user(
        store=store, email="dan@example.com", name="", team_id="team", now=NOW
    )
    assert again.id == dan.id
    made = await schedule_service.create_schedule(
        store=store, principal=ADMIN, body=body(participants=["ann", dan.id])
    )
    await overrides.create_override(
        store=store, schedule_id=made.id, user=dan.id, start=NOW, end=NOW + timedelta(hours=1)
    )
    claims = TokenClaims(oid="oid-dan", tid="t", name="Dan D", email="dan@example.com")
    real = await auth.provision_user(store=store, claims=claims, now=NOW)
    assert (real.id, real.pending, real.teams) == ("oid-dan", False, {"team": TeamRole.MEMBER})
    s = await read(store, made.id)
    assert s.layers[0].participants == ("ann", "oid-dan")
    assert [o.user for o in s.overrides] == ["oid-dan"]
    assert await store.get("users", dan.id, dan.id) is None


async def test_a_stored_schedule_that_breaks_a_newer_rule_is_a_409_and_can_be_fixed(
    store: SqliteStore,
) -> None:
    doc = await store.get("schedules", "sched", "sched")
    assert doc is not None
    layer = {**doc["layers"][0], "frequency": "rrule", "rrule": "FREQ=SECONDLY"}
    await store.upsert(
        "schedules", {k: v for k, v in doc.items() if k != "_etag"} | {"layers": [layer]}
    )
    with pytest.raises(Conflict, match="breaks a rule") as err:
        await schedule_service.get_schedule(store=store, principal=ADMIN, schedule_id="sched")
    assert err.value.extensions["field"] == "layers.0"
    fixed = await schedule_service.update_schedule(
        store=store, principal=ADMIN, schedule_id="sched", body=body(), etag=None
    )
    assert fixed.layers[0].rrule is None
    assert (await schedule_service.get_schedule(store=store, principal=ADMIN, schedule_id="sched"))[
        0
    ] == fixed


async def test_a_swap_gives_away_only_the_askers_own_time(store: SqliteStore) -> None:
    """Only a team admin may put someone over other people's shifts (an override); a swap is
    between its two people, so the asker must be on call for all of it, not just its start.
    Ben is on call Monday 09:00 to Tuesday 09:00, Ann after him."""
    ask = {
        "store": store,
        "schedule_id": "sched",
        "requester": user("ben"),
        "taker_id": "cat",
        "now": NOW,
    }
    with pytest.raises(InvalidInput) as refused:
        await service.request_swap(
            **ask, start=NOW + timedelta(hours=1), end=NOW + timedelta(days=2)
        )
    assert refused.value.extensions["field"] == "end"
    assert "2026-11-24T09:00" in str(refused.value)
    own = await service.request_swap(
        **ask, start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=24)
    )
    assert own.status == "requested"


async def test_accepting_a_swap_checks_the_taker_is_still_in_the_team(store: SqliteStore) -> None:
    """An accepted swap writes an override: the team check made when it was asked is made
    again, so someone who left the team meanwhile is not put on call by accepting."""
    swap = await service.request_swap(
        store=store,
        schedule_id="sched",
        requester=user("ben"),
        start=NOW + timedelta(hours=1),
        end=NOW + timedelta(hours=2),
        taker_id="cat",
        now=NOW,
    )
    await auth.set_team_role(store=store, user_id="cat", team_id="team", role=None, now=NOW)
    with pytest.raises(InvalidInput) as refused:
        await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap.id,
            user=user("cat"),
            decision="accept",
            now=NOW,
        )
    assert refused.value.extensions["field"] == "taker_id"
    assert (await read(store)).overrides == ()


async def test_a_shift_offered_to_anyone_goes_to_whoever_accepts_first(store: SqliteStore) -> None:
    """An offer to anyone in the team (no taker): nobody declines it for all, the asker cannot
    take it, the first teammate to accept becomes the taker (and gets the override), and a
    later accept is refused rather than answered as if it were theirs."""
    swap = await service.request_swap(
        store=store,
        schedule_id="sched",
        requester=user("ben"),
        start=NOW + timedelta(hours=1),
        end=NOW + timedelta(hours=2),
        taker_id=None,
        now=NOW,
    )
    assert swap.taker_id is None and swap.status == "requested"

    async def decide(who: str, decision: str) -> ShiftSwap:
        return await service.decide_swap(
            store=store,
            schedule_id="sched",
            swap_id=swap.id,
            user=user(who),
            decision=decision,
            now=NOW,
        )

    with pytest.raises(Forbidden, match="cancel the offer"):
        await decide("ben", "accept")
    with pytest.raises(Conflict, match="not declined"):
        await decide("cat", "decline")
    taken = await decide("cat", "accept")
    assert (taken.status, taken.taker_id) == ("accepted", "cat")
    again = await decide("cat", "accept")
    assert again == taken
    with pytest.raises(Conflict, match="already accepted"):
        await decide("ann", "accept")
    s = await read(store)
    assert [(o.user, o.source, o.swap_id) for o in s.overrides] == [("cat", "swap", swap.id)]
    assert on_call(s, NOW + timedelta(hours=1, minutes=30)).users == ("cat",)
