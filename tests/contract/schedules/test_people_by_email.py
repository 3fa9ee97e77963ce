"""People named by e-mail (pending users, calendar imports) are found whatever the case of the
address in their Entra token, and adding someone by e-mail makes them a member of that team.

Entra addresses are mixed case (``Erin.Smith@Contoso.com``); users type them lower case. A lookup
that misses makes a second, pending record that nobody ever claims (the person has signed in
already), so a schedule naming it pages nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.auth import pending
from shared.auth import service as auth
from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, TokenClaims, User
from shared.schedules import overrides, stored
from shared.schedules.models import Layer, Schedule
from shared.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    layer = Layer(name="l", participants=("ann",), start=datetime(2026, 11, 22, 9, 0))
    sched = Schedule(id="sched", name="S", team_id="team", time_zone="UTC", layers=(layer,))
    await s.upsert("schedules", {**sched.model_dump(mode="json"), "pk": "sched"})
    yield s
    await s.close()


async def sign_in(store: SqliteStore, oid: str, email: str) -> User:
    claims = TokenClaims(oid=oid, tid="t", name=oid, email=email)
    return await auth.provision_user(store=store, claims=claims, now=NOW)


async def test_a_signed_in_person_is_found_by_email_in_any_case(store: SqliteStore) -> None:
    await sign_in(store, "oid-erin", "Erin.Smith@Example.COM")
    found = await pending.add_pending_user(
        store=store, email="erin.smith@example.com", name="", team_id="team", now=NOW
    )
    assert (found.id, found.pending) == ("oid-erin", False)
    assert await store.get("users", pending.pending_id("erin.smith@example.com"), "x") is None
    # A calendar import naming her by e-mail puts her on call, not "no known user".
    await pending.add_pending_user(
        store=store, email="erin.smith@example.com", name="", team_id="team", now=NOW
    )
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e\r\n"
        b"DTSTART:20261124T000000Z\r\nDTEND:20261124T060000Z\r\n"
        b"ATTENDEE:mailto:erin.smith@example.com\r\nSUMMARY:Erin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = await overrides.import_calendar(store=store, schedule_id="sched", ics=ics, now=NOW)
    assert [(e.outcome, e.reason) for e in result.events] == [("imported", None)]
    assert [o.user for o in (await stored.load_schedule(store, "sched"))[0].overrides] == [
        "oid-erin"
    ]


async def test_a_record_stored_in_mixed_case_is_found_after_the_next_sign_in(
    store: SqliteStore,
) -> None:
    old = User(
        id="oid-old",
        tenant_id="t",
        name="Old",
        email="Old.Case@Example.com",
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )
    await store.upsert("users", user_doc(old))
    await sign_in(store, "oid-old", "Old.Case@Example.com")
    found = await pending.add_pending_user(
        store=store, email="old.case@example.com", name="", team_id="team", now=NOW
    )
    assert (found.id, found.pending) == ("oid-old", False)


async def test_adding_someone_by_email_makes_them_a_member_of_that_team(
    store: SqliteStore,
) -> None:
    first = await pending.add_pending_user(
        store=store, email="pat@example.com", name="Pat", team_id="red", now=NOW
    )
    again = await pending.add_pending_user(
        store=store, email="pat@example.com", name="", team_id="blue", now=NOW
    )
    assert again.id == first.id
    assert again.teams == {"red": TeamRole.MEMBER, "blue": TeamRole.MEMBER}
    # A signed-in person joins too; a role they hold already is never lowered.
    await sign_in(store, "oid-lee", "Lee@Example.com")
    await auth.set_team_role(
        store=store, user_id="oid-lee", team_id="red", role=TeamRole.ADMIN, now=NOW
    )
    for team in ("red", "blue"):
        lee = await pending.add_pending_user(
            store=store, email="lee@example.com", name="", team_id=team, now=NOW
        )
    assert lee.teams == {"red": TeamRole.ADMIN, "blue": TeamRole.MEMBER}
    stored = await auth.get_user(store=store, user_id="oid-lee")
    assert stored.teams == lee.teams
    # Their first sign-in keeps both memberships.
    pat = await sign_in(store, "oid-pat", "Pat@Example.com")
    assert pat.teams == {"red": TeamRole.MEMBER, "blue": TeamRole.MEMBER}
