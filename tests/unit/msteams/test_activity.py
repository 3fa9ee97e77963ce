"""Inbound activities parsed into the Agents SDK's Activity model, and the outbound wire form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters

from shared.errors import InvalidInput, PayloadTooLarge
from shared.msteams.auth import MAX_ACTIVITY_BYTES, parse_activity
from shared.msteams.connector import card_activity, wire

# A card click as Teams sends it (Universal Actions, "adaptiveCard/action" invoke).
CLICK: dict[str, Any] = {
    "type": "invoke",
    "name": "adaptiveCard/action",
    "id": "f:1234",
    "timestamp": "2026-12-01T08:00:00.123Z",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "from": {"id": "29:1abc", "name": "Alice", "aadObjectId": "aad-alice"},
    "conversation": {
        "id": "19:abc@thread.tacv2;messageid=1",
        "conversationType": "channel",
        "tenantId": "tenant-1",
    },
    "recipient": {"id": "28:bot", "name": "OpenAlert"},
    "channelData": {"tenant": {"id": "tenant-1"}, "channel": {"id": "19:abc@thread.tacv2"}},
    "value": {
        "action": {
            "type": "Action.Execute",
            "verb": "acknowledge",
            "data": {"incident_id": "inc-1"},
        },
        "trigger": "manual",
    },
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "type",
        "serviceUrl",
        "channelId",
        "from",
        "conversation",
        "id",
        "timestamp",
        "value",
        "entities",
        "channelData",
        "text",
        "name",
    ]
)


def test_a_click_reads_as_typed_fields() -> None:
    activity = parse_activity(json.dumps(CLICK).encode())
    assert activity.type == "invoke" and activity.name == "adaptiveCard/action"
    assert activity.service_url == CLICK["serviceUrl"]
    assert str(activity.channel_id) == "msteams"
    assert activity.from_property is not None
    assert activity.from_property.aad_object_id == "aad-alice"
    assert activity.conversation is not None
    assert activity.conversation.conversation_type == "channel"
    assert activity.value == CLICK["value"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{nope", None),
        (b"[]", None),
        (json.dumps({"type": "message"}).encode(), "serviceUrl"),
        (json.dumps({**CLICK, "type": ""}).encode(), "type"),
        (json.dumps({**CLICK, "serviceUrl": "ftp://x/"}).encode(), "serviceUrl"),
        (json.dumps({**CLICK, "conversation": {}}).encode(), "conversation.id"),
        (
            json.dumps({k: v for k, v in CLICK.items() if k != "conversation"}).encode(),
            "conversation",
        ),
        (json.dumps({**CLICK, "from": "alice"}).encode(), "from"),
        (json.dumps({**CLICK, "timestamp": "yesterday"}).encode(), "timestamp"),
    ],
)
def test_malformed_activities_are_invalid_input(body: bytes, field: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_activity(body)
    assert caught.value.extensions.get("field") == field


def test_a_sub_channel_contradicting_product_info_is_invalid_input() -> None:
    # The SDK's model raises a bare Exception here; it must not become a 500.
    body = {**CLICK, "channelId": "msteams:a", "entities": [{"type": "ProductInfo", "id": "b"}]}
    with pytest.raises(InvalidInput):
        parse_activity(json.dumps(body).encode())


def test_oversized_activities_are_refused() -> None:
    body = json.dumps({**CLICK, "text": "x" * MAX_ACTIVITY_BYTES}).encode()
    with pytest.raises(PayloadTooLarge):
        parse_activity(body)


@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_invalid_input(body: bytes) -> None:
    try:
        activity = parse_activity(body)
    except InvalidInput:
        return
    assert activity.service_url is not None


@pytest.mark.slow  # 200 generated documents: 3-7 s on this box
@given(st.dictionaries(FIELDS, JSON, max_size=8))
def test_any_json_object_parses_or_is_invalid_input(doc: dict[str, Any]) -> None:
    try:
        activity = parse_activity(json.dumps({**CLICK, **doc}).encode())
    except InvalidInput:
        return
    assert activity.type and activity.conversation is not None
    assert (activity.service_url or "").startswith(("https://", "http://"))


def test_outbound_bodies_are_the_connector_wire_format() -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    assert wire(card_activity(card, summary="#42 Checkout 5xx")) == {
        "type": "message",
        "summary": "#42 Checkout 5xx",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
    reply = Activity(type="message", text="hi", text_format="markdown")
    assert wire(reply) == {"type": "message", "text": "hi", "textFormat": "markdown"}
    reply.reply_to_id = "f:1"
    assert wire(reply)["replyToId"] == "f:1"
    params = ConversationParameters(
        agent=ChannelAccount(id="28:bot"),
        members=[ChannelAccount(id="aad-alice")],
        is_group=False,
        tenant_id="tenant-1",
        channel_data={"tenant": {"id": "tenant-1"}},
    )
    assert wire(params) == {
        "bot": {"id": "28:bot"},
        "members": [{"id": "aad-alice"}],
        "isGroup": False,
        "tenantId": "tenant-1",
        "channelData": {"tenant": {"id": "tenant-1"}},
    }
