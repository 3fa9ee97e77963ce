"""The incident card's "Post to status page" under the API's rights: the note's text becomes an
update of the incident's open status-page posts for a responder of the page's team, and a forged
click by anyone else (or on an incident no post is about) changes no post. The real bot handler,
status-page service and SQLite store (the fixture of test_card_rights.py)."""

from __future__ import annotations

import json

import pytest

from shared.auth.models import AppRole, Principal, PrincipalKind, TeamRole
from shared.msteams.cards import STATUS_UPDATE
from shared.msteams.service import handle
from shared.msteams.status_update import NO_POST
from shared.statuspages import service as statuspages
from shared.statuspages import store as pages
from shared.statuspages.models import PageBody, PostBody
from tests.contract.msteams.test_card_rights import NOW, Bot, bot

__all__ = ["bot"]  # the fixture, imported for pytest

OWNER = Principal(
    kind=PrincipalKind.USER,
    id="owner",
    roles=frozenset({AppRole.RESPONDER}),
    teams={"a": TeamRole.ADMIN},
)


async def _post_about_inc_a(bot: Bot) -> tuple[str, str]:
    page = await statuspages.create_page(
        store=bot.store,
        principal=OWNER,
        body=PageBody(team_id="a", name="A", slug="team-a"),
        now=NOW,
    )
    post = await statuspages.post_incident(
        store=bot.store,
        principal=OWNER,
        page_id=page.id,
        body=PostBody(name="Checkout errors", body="Looking", incident_id="inc-a"),
        now=NOW,
    )
    return page.id, post.id


async def _click(bot: Bot, who: str, incident_id: str, **data: str) -> str:
    value = {
        "action": {
            "type": "Action.Execute",
            "verb": STATUS_UPDATE,
            "data": {"incident_id": incident_id, **data},
        },
        "trigger": "manual",
    }
    handled = await handle(bot._activity(who, "invoke", value=value), ports=bot.ports)
    assert handled.invoke is not None and handled.invoke["statusCode"] == 200
    return json.dumps(handled.invoke["value"])


async def test_a_responder_of_the_team_posts_the_update(bot: Bot) -> None:
    page_id, post_id = await _post_about_inc_a(bot)
    card = await _click(bot, "alice", "inc-a", note="Fixed by a rollback", status="resolved")
    assert "Status page updated." in card
    post, _ = await pages.load_post(bot.store, page_id, post_id)
    assert post.status == "resolved" and not post.open
    assert post.updates[-1].body == "Fixed by a rollback" and post.updates[-1].author == "aad-alice"


@pytest.mark.parametrize("who", ["bob", "vera"])
async def test_a_forged_click_by_someone_who_may_not_act_changes_no_post(
    bot: Bot, who: str
) -> None:
    page_id, post_id = await _post_about_inc_a(bot)
    before, _ = await pages.load_post(bot.store, page_id, post_id)
    card = await _click(bot, who, "inc-a", note="forged", status="resolved")
    assert "You cannot post status updates" in card
    assert (await pages.load_post(bot.store, page_id, post_id))[0] == before


async def test_no_post_no_update_and_bad_input_is_a_notice(bot: Bot) -> None:
    assert NO_POST in await _click(bot, "alice", "inc-a", note="x", status="identified")
    await _post_about_inc_a(bot)
    assert "Type the update first." in await _click(bot, "alice", "inc-a", status="identified")
    assert "Pick a status" in await _click(bot, "alice", "inc-a", note="x", status="done")
