"""Incident cards, bot commands and the app package."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.incidents.models import Actor, Incident, IncidentStatus
from shared.msteams.cards import STATUS_UPDATE, VERBS, incident_card, parse_command
from shared.msteams.package import build, manifest

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# The parts of the Adaptive Card 1.5 schema our cards use, written from the specification
# (adaptivecards.io/explorer): a card must have type and version, body elements and actions
# of known types, Action.Execute needs a verb, Input.Text an id.
ACTION: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": ["Action.Execute", "Action.OpenUrl", "Action.ShowCard", "Action.Submit"]}
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "Action.Execute"}}},
            "then": {
                "required": ["verb"],
                "properties": {"verb": {"type": "string"}, "data": {"type": "object"}},
            },
        },
        {
            "if": {"properties": {"type": {"const": "Action.OpenUrl"}}},
            "then": {
                "required": ["url"],
                "properties": {"url": {"type": "string", "pattern": "^https?://"}},
            },
        },
        {
            "if": {"properties": {"type": {"const": "Action.ShowCard"}}},
            "then": {"required": ["card"], "properties": {"card": {"$ref": "#/$defs/card"}}},
        },
    ],
}
ELEMENT: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {
            "enum": [
                "TextBlock",
                "FactSet",
                "Input.Text",
                "Input.ChoiceSet",
                "Container",
                "ColumnSet",
            ]
        }
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "TextBlock"}}},
            "then": {
                "required": ["text"],
                "properties": {
                    "size": {"enum": ["Small", "Default", "Medium", "Large", "ExtraLarge"]},
                    "weight": {"enum": ["Lighter", "Default", "Bolder"]},
                    "color": {
                        "enum": [
                            "Default",
                            "Dark",
                            "Light",
                            "Accent",
                            "Good",
                            "Warning",
                            "Attention",
                            "default",
                            "dark",
                            "light",
                            "accent",
                            "good",
                            "warning",
                            "attention",
                        ]
                    },
                },
            },
        },
        {
            "if": {"properties": {"type": {"const": "FactSet"}}},
            "then": {
                "required": ["facts"],
                "properties": {
                    "facts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["title", "value"],
                            "properties": {
                                "title": {"type": "string"},
                                "value": {"type": "string"},
                            },
                        },
                    }
                },
            },
        },
        {"if": {"properties": {"type": {"const": "Input.Text"}}}, "then": {"required": ["id"]}},
        {
            "if": {"properties": {"type": {"const": "Input.ChoiceSet"}}},
            "then": {
                "required": ["id", "choices"],
                "properties": {
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "object", "required": ["title", "value"]},
                    }
                },
            },
        },
    ],
}
SCHEMA: dict[str, Any] = {
    "$defs": {
        "card": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"const": "AdaptiveCard"},
                "version": {"enum": ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"]},
                "body": {"type": "array", "items": ELEMENT},
                "actions": {"type": "array", "items": ACTION},
                "refresh": {
                    "type": "object",
                    "required": ["action"],
                    "properties": {"action": ACTION},
                },
            },
        }
    },
    "allOf": [{"$ref": "#/$defs/card"}, {"required": ["version", "$schema"]}],
}


def incident(**kw: Any) -> Incident:
    return Incident.model_validate(
        {
            "id": "inc-1",
            "number": 42,
            "title": "Checkout 5xx",
            "team_id": "t",
            "service_id": "s",
            "severity": "P1",
            "created_at": NOW,
            "updated_at": NOW,
            **kw,
        }
    )


def verbs(card: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for action in card.get("actions", []):
        if action["type"] == "Action.Execute":
            found.append(action["verb"])
        if action["type"] == "Action.ShowCard":
            found += verbs(action["card"])
    return found


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            {},
            [
                "acknowledge",
                "resolve",
                "snooze30",
                "snooze60",
                "snooze240",
                "escalate",
                "note",
                "status_update",
            ],
        ),
        (
            {
                "status": IncidentStatus.ACKNOWLEDGED,
                "acknowledged_at": NOW,
                "acknowledged_by": Actor(kind="user", id="a", display="Alice"),
            },
            ["resolve", "snooze30", "snooze60", "snooze240", "escalate", "note", "status_update"],
        ),
        (
            {
                "status": IncidentStatus.RESOLVED,
                "resolved_at": NOW,
                "resolved_by": Actor(kind="user", id="a", display="Alice"),
            },
            ["reopen"],
        ),
    ],
)
def test_cards_are_valid_and_offer_the_right_actions(
    state: dict[str, Any], expected: list[str]
) -> None:
    card = incident_card(
        incident(**state),
        service_name="Checkout",
        on_call=["Alice"],
        url="https://oa.example.com/incidents/inc-1",
    )
    jsonschema.validate(card, SCHEMA)
    assert verbs(card) == expected
    assert all(v in VERBS or v == STATUS_UPDATE for v in verbs(card))
    text = json.dumps(card)
    if state.get("status") == IncidentStatus.RESOLVED:
        assert "Alice, 2026-11-23 08:00 UTC" in text


@given(st.text(max_size=80))
def test_any_text_is_some_command(text: str) -> None:
    assert parse_command(text) in ("oncall", "incidents", "help", "unknown")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("<at>OpenAlert</at> oncall", "oncall"),
        ("<at>Open Alert</at>  Incidents please", "incidents"),
        ("HELP", "help"),
        ("", "help"),
        ("deploy prod", "unknown"),
    ],
)
def test_commands(text: str, command: str) -> None:
    assert parse_command(text) == command


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_app_package() -> None:
    bot = "6b1c0b1e-5d8e-4f6b-9a51-2a3c4d5e6f70"
    data = build(bot_id=bot, host="oa.azurewebsites.net")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(z.read("manifest.json"))
        assert _png_size(z.read("color.png")) == (192, 192)
        assert _png_size(z.read("outline.png")) == (32, 32)
    assert m == manifest(bot_id=bot, host="oa.azurewebsites.net")
    assert m["manifestVersion"] == "1.17"
    [b] = m["bots"]
    assert b["botId"] == bot and set(b["scopes"]) == {"team", "personal", "groupChat"}
    assert m["validDomains"] == ["oa.azurewebsites.net"]


def test_the_card_and_the_e_mail_show_the_newest_description() -> None:
    from shared.notifications.render import PAGE_DESCRIPTION_LIMIT, render_incident

    described = incident(description="Disk /data on db-7 is 97% full.\nWrites fail at 100%.")
    card = incident_card(described, service_name="svc", on_call=[], url="https://x/i")
    texts = [b.get("text") for b in card["body"]]
    assert "Disk /data on db-7 is 97% full.\nWrites fail at 100%." in texts
    message = render_incident(described, base_url="https://x", service_name="svc")
    assert "Writes fail at 100%." in message.text and "Writes fail at 100%." in message.html
    assert "Disk" not in message.short  # an SMS has no room for it
    long = incident(description="y" * 4000)
    card = incident_card(long, service_name="svc", on_call=[], url="https://x/i")
    assert max(len(b.get("text", "")) for b in card["body"]) == PAGE_DESCRIPTION_LIMIT
    bare = incident_card(incident(), service_name="svc", on_call=[], url="https://x/i")
    assert len(bare["body"]) == len(card["body"]) - 1
