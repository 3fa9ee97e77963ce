"""Teams card actions and bot commands under the API's rights: a person acts only where
``shared.auth.access`` lets them act, and sees an incident only where it lets them read.

A card's ``data.incident_id`` is whatever the clicker's client sends, so each row forges a
click on an incident of a team the person may not act on (or read), with every verb, and checks
the answer and that the incident is unchanged; control rows show the same click by someone
entitled does change it. The real bot handler, incident service and SQLite store; the Bot
Connector is an httpx mock transport that records the replies.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.incidents.models import Incident
from shared.incidents.service import act
from shared.msteams.auth import parse_activity
from shared.msteams.cards import VERBS
from shared.msteams.connector import ConnectorClient
from shared.msteams.service import CANNOT_SEE, NOT_SET_UP, TeamsPorts, handle
from shared.msteams.tab import incident_deep_link, teams_app_id
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.fixtures.escalation import RecordedEscalation

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TITLES = {"a": "Team A checkout down", "b": "Team B payroll down"}

#: aad id -> (app roles, team memberships); "stranger" has no user record at all.
PEOPLE: dict[str, tuple[tuple[str, ...], dict[str, TeamRole]]] = {
    "alice": (("OpenAlert.Responder",), {"a": TeamRole.MEMBER}),
    "amy": (("OpenAlert.Responder",), {"a": TeamRole.ADMIN}),
    "bob": (("OpenAlert.Responder",), {"b": TeamRole.MEMBER}),
    "vera": (("OpenAlert.Viewer",), {"a": TeamRole.ADMIN, "b": TeamRole.MEMBER}),
    "nora": ((), {"a": TeamRole.MEMBER, "b": TeamRole.MEMBER}),
    "root": (("OpenAlert.Admin",), {}),
}


@dataclass
class Bot:
    store: SqliteStore
    ports: TeamsPorts
    replies: list[dict[str, Any]] = field(default_factory=list)

    async def click(self, who: str, verb: str, incident_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {"incident_id": incident_id}
        if verb == "note":
            data["note"] = "forged"
        handled = await handle(
            self._activity(who, "invoke", value=_click(verb, data)), ports=self.ports
        )
        assert handled.invoke is not None and handled.invoke["statusCode"] == 200
        card: dict[str, Any] = handled.invoke["value"]
        return card

    async def say(self, who: str, text: str) -> str:
        before = len(self.replies)
        await handle(self._activity(who, "message", text=text), ports=self.ports)
        [reply] = self.replies[before:]
        return str(reply["text"])

    def _activity(self, who: str, kind: str, **extra: Any) -> Any:
        body = {
            "type": kind,
            "id": "f:1",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "channelId": "msteams",
            "from": {"id": f"29:{who}", "name": who, "aadObjectId": f"aad-{who}"},
            "conversation": {"id": f"a:personal-{who}", "conversationType": "personal"},
            "recipient": {"id": "28:bot", "name": "OpenAlert"},
            **({"name": "adaptiveCard/action"} if kind == "invoke" else {}),
            **extra,
        }
        return parse_activity(json.dumps(body).encode())

    async def incident(self, incident_id: str) -> dict[str, Any]:
        doc = await self.store.get("incidents", incident_id, incident_id)
        assert doc is not None
        return doc


def _click(verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    store = await SqliteStore.open(tmp_path / "teams.sqlite")
    for team in ("a", "b"):
        await store.create(
            "services", {"id": f"svc-{team}", "pk": f"svc-{team}", "name": team, "team_id": team}
        )
        incident = Incident(
            id=f"inc-{team}",
            number=1 if team == "a" else 2,
            title=TITLES[team],
            severity="P2",
            team_id=team,
            service_id=f"svc-{team}",
            created_at=NOW,
            updated_at=NOW,
        )
        await store.create("incidents", to_doc(incident))
    for who, (roles, teams) in PEOPLE.items():
        user = User(
            id=f"aad-{who}",
            tenant_id="tenant",
            name=who,
            teams=teams,
            app_roles=roles,
            created_at=NOW,
            updated_at=NOW,
            last_seen_at=NOW,
        )
        await store.create("users", user_doc(user))
    replies: list[dict[str, Any]] = []

    def connector(request: httpx.Request) -> httpx.Response:
        replies.append(json.loads(request.content))
        return httpx.Response(200, json={"id": f"act-{len(replies)}"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(connector)) as http:
        ports = TeamsPorts(
            store=store,
            connector=ConnectorClient(http=http, credential=None),
            bot_id="bot",
            tenant_id="tenant",
            base_url="https://oa.example.com",
            act=partial(act, store=store, escalation=RecordedEscalation()),
            clock=lambda: NOW,
        )
        yield Bot(store=store, ports=ports, replies=replies)
    await store.close()


def _text(card: dict[str, Any]) -> str:
    return json.dumps(card)


ACTING_VERBS = [v for v in VERBS if v != "reopen"]

#: (who, incident) pairs that may read but not act: the answer is the card with a refusal.
READ_ONLY = [("alice", "inc-b"), ("amy", "inc-b"), ("bob", "inc-a"), ("vera", "inc-a")]
#: (who, incident) pairs that may not even read: a message, nothing of the incident.
NO_READ = [("nora", "inc-a"), ("nora", "inc-b"), ("stranger", "inc-b")]


@pytest.mark.parametrize(("who", "incident_id"), READ_ONLY)
async def test_a_forged_click_on_an_incident_one_may_not_act_on_changes_nothing(
    bot: Bot, who: str, incident_id: str
) -> None:
    before = await bot.incident(incident_id)
    for verb in ACTING_VERBS:
        card = await bot.click(who, verb, incident_id)
        assert "You cannot" in _text(card), verb
    assert await bot.incident(incident_id) == before


@pytest.mark.parametrize(("who", "incident_id"), NO_READ)
async def test_a_click_by_someone_who_may_not_read_shows_nothing_of_the_incident(
    bot: Bot, who: str, incident_id: str
) -> None:
    before = await bot.incident(incident_id)
    for verb in [*ACTING_VERBS, "refresh"]:
        text = _text(await bot.click(who, verb, incident_id))
        assert (NOT_SET_UP if who == "stranger" else CANNOT_SEE) in text, verb
        assert before["title"] not in text and incident_id not in text, verb
    assert await bot.incident(incident_id) == before


@pytest.mark.parametrize(
    ("who", "incident_id"), [("alice", "inc-a"), ("bob", "inc-b"), ("root", "inc-b")]
)
async def test_the_same_click_by_someone_entitled_acts(
    bot: Bot, who: str, incident_id: str
) -> None:
    card = await bot.click(who, "acknowledge", incident_id)
    assert "acknowledged" in _text(card)
    doc = await bot.incident(incident_id)
    assert doc["status"] == "acknowledged" and doc["acknowledged_by"]["id"] == f"aad-{who}"


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("alice", ["a"], ["b"]),
        ("bob", ["b"], ["a"]),
        ("vera", ["a", "b"], []),
        # A member of both teams without an app role: the API shows nothing, nor does the bot.
        ("nora", [], ["a", "b"]),
    ],
)
async def test_the_incidents_command_lists_only_what_the_person_may_read(
    bot: Bot, who: str, shown: list[str], hidden: list[str]
) -> None:
    text = await bot.say(who, "incidents")
    for team in shown:
        assert TITLES[team] in text
    for team in hidden:
        assert TITLES[team] not in text


@pytest.mark.parametrize("command", ["incidents", "oncall"])
async def test_commands_by_a_member_without_a_role_read_nothing(bot: Bot, command: str) -> None:
    assert (
        await bot.say("nora", command) == "Your OpenAlert role gives you no access to your teams."
    )


async def test_oncall_says_which_schedule_needs_repair_and_answers_the_others(bot: Bot) -> None:
    layer = {"name": "d", "participants": ["aad-alice"], "start": "2026-11-30T09:00:00"}
    good = {"id": "s-good", "pk": "s-good", "name": "Good", "team_id": "a", "time_zone": "UTC"}
    await bot.store.upsert("schedules", {**good, "layers": [layer]})
    # Stored before the RRULE forms were narrowed: reading it now breaks a rule.
    old = {**layer, "frequency": "rrule", "rrule": "FREQ=MINUTELY"}
    await bot.store.upsert(
        "schedules", {**good, "id": "s-old", "pk": "s-old", "name": "Old", "layers": [old]}
    )
    text = await bot.say("alice", "oncall")
    assert "**Good**: aad-alice now" in text
    assert "**Old**: cannot be resolved" in text


async def test_the_card_opens_the_incident_in_the_teams_tab(bot: Bot) -> None:
    card = await bot.click("alice", "acknowledge", "inc-a")
    (opener,) = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert opener["title"] == "Open"
    assert opener["url"] == incident_deep_link(
        teams_app_id("bot"), "inc-a", "https://oa.example.com/incidents/inc-a"
    )
