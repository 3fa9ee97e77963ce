"""Alert text cannot make links or formatting in Teams cards and messages. A CommonMark parser
(markdown-it, with GFM strikethrough and tables) is the oracle: escaped text must render as one
paragraph of exactly the original text, with no element of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from shared.incidents.models import Actor, Incident, IncidentStatus
from shared.msteams.cards import incident_card
from shared.msteams.text import md_escape, md_escape_lines, personal_text
from shared.notifications.render import render_digest
from shared.notifications.workflows import workflows_message

MD = MarkdownIt("commonmark").enable(["strikethrough", "table"])
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
JOINER = "\u2060"
HOSTILE = [
    "[click](https://evil)",
    "**x**",
    "<at>Alice</at>",
    "![img](https://evil/p.png)",
    "<https://evil>",
    "`code` ~~gone~~ _em_ __strong__",
    "- item",
    "1. first",
    "# heading",
    "> quote",
    "a | b",
    "&lt;b&gt; &#91;x&#93;(y)",
    "\\[x](https://evil)",
    "[x]: https://evil",
    "https://evil.example/login",
    "www.evil.example",
]


def rendered(escaped: str) -> str:
    return MD.render(escaped).replace(JOINER, "")


def plain(text: str) -> str:
    return "<p>" + escapeHtml(" ".join(text.split())) + "</p>\n"


# CommonMark replaces NUL with U+FFFD; everything else must come out as it went in.
@given(st.text(st.characters(blacklist_characters="\x00"), max_size=200))
def test_any_text_renders_as_itself(text: str) -> None:
    if not text.split():
        assert md_escape(text) == ""
        return
    assert rendered(md_escape(text)) == plain(text)


@given(st.text(alphabet="[]()*_`<>!#-+=1.) \n\t\\&;~|:/hwxt@", max_size=60))
def test_text_made_of_markdown_syntax_renders_as_itself(text: str) -> None:
    if text.split():
        assert rendered(md_escape(text)) == plain(text)


def test_hostile_titles_render_as_text() -> None:
    for text in HOSTILE:
        assert rendered(md_escape(text)) == plain(text), text


def test_bare_urls_are_no_longer_urls() -> None:
    escaped = md_escape("see https://evil.example and www.evil.example")
    assert "https://" not in escaped and "www." not in escaped
    assert escaped.replace(JOINER, "") == "see https://evil.example and www.evil.example"


def _incident(title: str, **kw: Any) -> Incident:
    return Incident(
        id="inc-1",
        number=7,
        title=title,
        team_id="t",
        service_id="s",
        created_at=NOW,
        updated_at=NOW,
        **kw,
    )


def _texts(card: dict[str, Any]) -> list[str]:
    """Every string Teams renders as Markdown in a card: TextBlock text and fact values."""
    found: list[str] = []
    for element in card.get("body", []):
        if element.get("type") == "TextBlock":
            found.append(element["text"])
        for fact in element.get("facts", []):
            found += [fact["title"], fact["value"]]
    return found


def _no_markup(texts: list[str]) -> None:
    for text in texts:
        html = rendered(text)
        assert html.startswith("<p>") and html.count("<") == 2, (text, html)


def test_the_incident_card_shows_hostile_text_as_text() -> None:
    evil = "[click](https://evil) **x** <at>Alice</at>"
    card = incident_card(
        _incident(
            evil,
            status=IncidentStatus.ACKNOWLEDGED,
            acknowledged_at=NOW,
            acknowledged_by=Actor(kind="user", id="a", display="**Mallory**"),
        ),
        service_name="[svc](https://evil)",
        on_call=["_Eve_", "<at>Bob</at>"],
        url="https://oa.example.com/incidents/inc-1",
        notice="Could not do that: [retry](https://evil)",
    )
    texts = _texts(card)
    assert len(texts) >= 8
    _no_markup(texts)
    assert "https://evil" not in json.dumps(card)


def test_the_workflows_card_shows_hostile_text_as_text() -> None:
    message = workflows_message(
        _incident("**x** [click](https://evil) <at>all</at>"),
        service_name="[svc](https://evil)",
        base_url="https://oa.example.com",
        event="created",
    )
    card = message["attachments"][0]["content"]
    _no_markup(_texts(card))
    assert card["actions"][0]["url"] == "https://oa.example.com/incidents/inc-1"


def test_a_teams_chat_message_links_only_to_openalert() -> None:
    items = [(_incident("[click](https://evil) **x**"), "svc"), (_incident("- y"), "[s](z)")]
    text = personal_text(
        render_digest(items, base_url="https://oa.example.com"), base_url="https://oa.example.com"
    )
    html = rendered(text)
    links = [part.split('"')[1] for part in html.split("<a href=")[1:]]
    assert links == ["https://oa.example.com/incidents/inc-1"] * 2
    assert "<em>" not in html and "<li>" not in html and html.count("<strong>") == 1


def test_lines_stay_apart() -> None:
    assert md_escape_lines("a\n\n- b\nc") == "a\n\n\\- b\n\nc"
