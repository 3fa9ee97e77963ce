"""A key pressed on a voice page acts under the API's rights of the person called, checked when
the key is pressed: someone paged for another team's incident (a policy pointing at them, or a
membership removed since the call was placed) changes nothing and is told so.

The real voice callback handling, incident service and SQLite store, with the local ACS stub;
the person's rights change between placing the call and pressing the key, the way a forged or
stale page would reach them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.test_voice import ALICE_PHONE, NOW, Setup, incident, page
from tests.fixtures.acs import AcsCalling, cloud_event

#: (roles, memberships) at key-press time -> whether pressing 1 acknowledges.
ROWS = [
    pytest.param(("OpenAlert.Responder",), {"t": TeamRole.MEMBER}, True, id="responder-of-team"),
    pytest.param(("OpenAlert.Admin",), {}, True, id="admin"),
    pytest.param(("OpenAlert.Responder",), {"other": TeamRole.ADMIN}, False, id="other-team"),
    pytest.param(("OpenAlert.Responder",), {}, False, id="removed-from-team"),
    pytest.param(("OpenAlert.Viewer",), {"t": TeamRole.ADMIN}, False, id="viewer"),
    pytest.param((), {"t": TeamRole.MEMBER}, False, id="no-role"),
    pytest.param(None, None, False, id="user-deleted"),
]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    await s.create("incidents", to_doc(incident()))
    await s.create("services", {"id": "svc", "pk": "svc", "name": "Checkout", "team_id": "t"})
    yield s
    await s.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def _alice(store: SqliteStore, roles: tuple[str, ...], teams: dict[str, TeamRole]) -> None:
    user = User(
        id="alice",
        tenant_id="tenant",
        name="Alice",
        teams=teams,
        app_roles=roles,
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )
    await store.upsert("users", user_doc(user))


@pytest.mark.parametrize("tone", ["one", "two"])
@pytest.mark.parametrize(("roles", "teams", "acts"), ROWS)
async def test_a_key_press_acts_only_with_the_persons_current_rights(
    store: SqliteStore,
    http: httpx.AsyncClient,
    acs_calling: AcsCalling,
    roles: tuple[str, ...] | None,
    teams: dict[str, TeamRole] | None,
    acts: bool,
    tone: str,
) -> None:
    setup = Setup(store, http, acs_calling)
    # Paged while entitled; the rights of the row are the ones in force when the key is pressed.
    await _alice(store, ("OpenAlert.Responder",), {"t": TeamRole.MEMBER})
    await setup.add("voice", ALICE_PHONE)
    await page(setup)
    if roles is None or teams is None:
        await store.delete("users", "alice", "alice")
    else:
        await _alice(store, roles, teams)
    before = await store.get("incidents", "inc-1", "inc-1")

    await setup.events(0, cloud_event("CallConnected", "call-1"))
    pressed = cloud_event(
        "RecognizeCompleted", "call-1", recognitionType="dtmf", dtmfResult={"tones": [tone]}
    )
    await setup.events(0, pressed)

    said = setup.acs.last("call-1", "play")["json"]["playSources"][0]["text"]["text"]
    after = await store.get("incidents", "inc-1", "inc-1")
    signal = "acknowledged" if tone == "one" else "escalate"
    if acts:
        assert setup.escalation.calls == [("signal", "inc-1", signal)]
        assert "acknowledged" in said if tone == "one" else "escalated" in said
    else:
        assert after == before
        assert setup.escalation.calls == []
        assert "nothing was changed" in said or "may not change" in said
