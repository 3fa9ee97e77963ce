"""Voice calls: the spoken text, the callback event parser, the Call Automation wire format
against the local ACS stub, and a call's life (answer, DTMF, acknowledge, hang up; no answer and
fall-through) against a real SQLite store and the real incident service."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.auth.documents import user_doc
from shared.auth.models import TeamRole, User
from shared.auth.secret_hash import secret_hash
from shared.errors import InvalidInput, NotFound
from shared.incidents.models import Incident
from shared.incidents.service import act
from shared.notifications import contacts, delivery, service
from shared.notifications.channels import AcsAuth, ConsoleChannel, WebhookChannel
from shared.notifications.models import ContactMethod, NotificationRules, NotifyJob, NotifyStep
from shared.notifications.render import render_direct, render_incident, render_spoken
from shared.notifications.voice import AcsVoiceChannel, VoicePorts, handle_callback
from shared.notifications.voice_acs import AcsCallAutomation
from shared.notifications.voice_events import classify_failure, parse_events
from shared.store.codec import to_doc
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.conftest import Receiver
from tests.fixtures.acs import ACS_KEY, AcsCalling, cloud_event
from tests.fixtures.escalation import RecordedEscalation

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ALICE_PHONE = "+4915112345678"


def incident(**changes: Any) -> Incident:
    base = Incident(
        id="inc-1",
        number=42,
        title="Checkout API down",
        severity="P1",
        team_id="t",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
    )
    return base.model_copy(update=changes)


# --- the spoken text -------------------------------------------------------------------------
def test_spoken_page_names_severity_title_and_service_without_links() -> None:
    spoken = render_spoken(
        incident(title="Checkout down, see https://grafana.example.com/d/abc?x=1 now"),
        service_name="Payments",
    )
    assert "http" not in spoken and "grafana.example.com" not in spoken
    assert "severity P1" in spoken and "Payments" in spoken and "42" in spoken
    assert "Checkout down, see now" in spoken
    message = render_incident(incident(), base_url="https://oa.example.com", service_name="Pay")
    assert message.spoken.startswith("OpenAlert. Incident 42, severity P1 on service Pay")
    assert "oa.example.com" not in message.spoken


def test_spoken_text_stays_short_for_long_titles() -> None:
    spoken = render_spoken(incident(title="word " * 500), service_name="S" * 300)
    assert len(spoken) < 260


def test_spoken_verification_code_is_read_digit_by_digit() -> None:
    message = render_direct(
        "code", "Your code is 123456.", base_url="https://x", spoken="Your code is 1, 2, 3."
    )
    assert message.spoken == "Your code is 1, 2, 3."
    assert render_direct("s", "see http://x/y", base_url="https://x").spoken == "OpenAlert. see"


# --- the event parser ------------------------------------------------------------------------
def test_parser_reads_the_fields_acted_on() -> None:
    event = cloud_event(
        "RecognizeCompleted",
        "c1",
        recognitionType="dtmf",
        dtmfResult={"tones": ["one"]},
        operationContext="prompt",
        resultInformation={"code": 200, "subCode": 8531},
    )
    [parsed] = parse_events(json.dumps([event]).encode())
    assert parsed.kind == "RecognizeCompleted"
    assert parsed.data.dtmf_result is not None and parsed.data.dtmf_result.tones == ("one",)
    assert parsed.data.call_connection_id == "c1"
    assert parse_events(json.dumps(event).encode())[0].id == event["id"]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b"{}", b'[{"id": "x"}]', b"[1]", b'"x"', b"[" * 100_000],
)
def test_parser_refuses_what_is_not_events(body: bytes) -> None:
    with pytest.raises(InvalidInput):
        parse_events(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_never_fails_otherwise_on_bytes(body: bytes) -> None:
    try:
        parse_events(body)
    except InvalidInput:
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=30,
)
_event_like = st.fixed_dictionaries(
    {"id": st.text(max_size=30), "type": st.text(max_size=60)},
    optional={
        "data": st.dictionaries(
            st.sampled_from(
                ["callConnectionId", "dtmfResult", "resultInformation", "operationContext"]
            ),
            _json,
        )
        | _json
    },
)


@pytest.mark.slow  # 300 generated bodies: 3-12 s on this box
@settings(max_examples=300, deadline=None)
@given(st.lists(_event_like | _json, max_size=5) | _json)
def test_parser_never_fails_otherwise_on_json(value: Any) -> None:
    try:
        events = parse_events(json.dumps(value).encode())
    except InvalidInput:
        return
    assert all(e.id and e.type for e in events)


def test_failures_are_classified() -> None:
    from shared.notifications.voice_events import ResultInformation

    assert classify_failure(ResultInformation(code=408)) == (False, "no answer")
    assert classify_failure(ResultInformation(code=486)) == (False, "busy")
    permanent, reason = classify_failure(ResultInformation(code=403, message="Not allowed"))
    assert permanent and "Not allowed" in reason
    assert classify_failure(None) == (False, "the call failed")


# --- wire format and a call's life -----------------------------------------------------------
@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "store.sqlite")
    await s.create("incidents", to_doc(incident()))
    await s.create("services", {"id": "svc", "pk": "svc", "name": "Checkout", "team_id": "t"})
    alice = User(
        id="alice",
        tenant_id="tenant",
        name="Alice",
        teams={"t": TeamRole.MEMBER},
        app_roles=("OpenAlert.Responder",),
        created_at=NOW,
        updated_at=NOW,
        last_seen_at=NOW,
    )
    await s.create("users", user_doc(alice))
    yield s
    await s.close()


class Setup:
    def __init__(self, store: SqliteStore, http: httpx.AsyncClient, acs: AcsCalling) -> None:
        self.store = store
        self.acs = acs
        self.calls = AcsCallAutomation(
            http=http,
            endpoint=acs.endpoint,
            auth=AcsAuth(access_key=ACS_KEY),
            cognitive_services_endpoint="https://speech.example.com/",
        )
        self.voice = AcsVoiceChannel(
            calls=self.calls,
            store=store,
            caller_id="+18005550100",
            callback_base="https://oa.example.com",
            clock=lambda: NOW,
        )
        self.escalation = RecordedEscalation()
        self.notify = delivery.NotifyPorts(
            store=store,
            channels={
                "console": ConsoleChannel(),
                "webhook": WebhookChannel(http),
                "voice": self.voice,
            },
            http=http,
            base_url="https://oa.example.com",
            bundle_window=timedelta(seconds=30),
            clock=lambda: NOW,
        )
        self.ports = VoicePorts(
            store=store,
            calls=self.calls,
            act=partial(act, store=store, escalation=self.escalation),
            fall_through=partial(service.fall_through_later, self.notify),
            clock=lambda: NOW,
        )

    def token(self, n: int = 0) -> str:
        return urlsplit(self.acs.calls[n]["json"]["callbackUri"]).path.rsplit("/", 1)[-1]

    async def events(self, n: int, *events: dict[str, Any]) -> Any:
        return await handle_callback(
            self.token(n), json.dumps(list(events)).encode(), ports=self.ports
        )

    async def add(self, kind: str, address: str, *, verified: bool = True) -> ContactMethod:
        method = ContactMethod(
            id=f"cm-{kind}",
            user_id="alice",
            kind=kind,
            address=address,
            verified=verified,  # type: ignore[arg-type]
            created_at=NOW if kind == "voice" else NOW + timedelta(seconds=1),
        )
        await self.store.create("contact_methods", to_doc(method, pk_field="user_id", pk="alice"))
        return method


@pytest.fixture
def setup(store: SqliteStore, http: httpx.AsyncClient, acs_calling: AcsCalling) -> Setup:
    return Setup(store, http, acs_calling)


async def page(setup: Setup, key: str = "esc:inc-1:0:alice") -> delivery.Outcome:
    job = NotifyJob(
        incident_id="inc-1", user_id="alice", importance="important", idempotency_key=key
    )
    return await service.deliver(job, ports=setup.notify)


async def test_create_call_wire_format(setup: Setup) -> None:
    await setup.add("voice", ALICE_PHONE)
    outcome = await page(setup)
    assert outcome.sent == 1
    [call] = setup.acs.calls
    body = call["json"]
    assert body["targets"] == [{"kind": "phoneNumber", "phoneNumber": {"value": ALICE_PHONE}}]
    assert body["sourceCallerIdNumber"] == {"value": "+18005550100"}
    assert body["callIntelligenceOptions"] == {
        "cognitiveServicesEndpoint": "https://speech.example.com/"
    }
    assert re.fullmatch(
        r"https://oa\.example\.com/api/voice/callbacks/[A-Za-z0-9_-]{43}", body["callbackUri"]
    )
    assert call["headers"]["Repeatability-Request-ID"]
    [entry] = (await delivery.list_deliveries(store=setup.store, incident_id="inc-1"))[0]
    assert (entry.channel, entry.status, entry.provider_id) == ("voice", "sent", "call-1")
    assert entry.target == "+491********78"
    # The token is not stored: only its hash names the call document.
    docs = (await setup.store.query("voice_calls", limit=5)).items
    assert [d["id"] for d in docs] == [secret_hash(setup.token())]


async def test_answer_press_one_acknowledges_as_the_person_then_hangs_up(setup: Setup) -> None:
    await setup.add("voice", ALICE_PHONE)
    await page(setup)
    await setup.events(0, cloud_event("CallConnected", "call-1"))
    assert setup.acs.ops("call-1") == ["recognize"]
    recognize = setup.acs.last("call-1", "recognize")
    body = recognize["json"]
    assert body["recognizeInputType"] == "dtmf"
    assert body["recognizeOptions"]["dtmfOptions"]["maxTonesToCollect"] == 1
    assert body["recognizeOptions"]["targetParticipant"] == {
        "kind": "phoneNumber",
        "phoneNumber": {"value": ALICE_PHONE},
    }
    prompt = body["playPrompt"]["text"]["text"]
    assert body["playPrompt"]["kind"] == "text"
    assert "Checkout API down" in prompt and "Press 1 to acknowledge" in prompt
    assert "http" not in prompt

    pressed = cloud_event(
        "RecognizeCompleted", "call-1", recognitionType="dtmf", dtmfResult={"tones": ["one"]}
    )
    result = await setup.events(0, pressed)
    assert result.handled == 1
    doc = await setup.store.get("incidents", "inc-1", "inc-1")
    assert doc is not None and doc["status"] == "acknowledged"
    assert doc["acknowledged_by"]["id"] == "alice"
    assert setup.escalation.calls == [("signal", "inc-1", "acknowledged")]
    assert [m["type"] for m in result.messages] == ["teams_update"]
    confirm = setup.acs.last("call-1", "play")["json"]
    assert "acknowledged" in confirm["playSources"][0]["text"]["text"]

    again = await setup.events(0, pressed)  # ACS redelivers the same event
    assert (again.handled, again.duplicates) == (0, 1)
    assert setup.acs.ops("call-1") == ["recognize", "play"]
    await setup.events(0, cloud_event("PlayCompleted", "call-1", operationContext="confirm"))
    assert setup.acs.ops("call-1") == ["recognize", "play", "hangup"]
    await setup.events(0, cloud_event("CallDisconnected", "call-1"))
    [entry] = (await delivery.list_deliveries(store=setup.store, incident_id="inc-1"))[0]
    assert entry.status == "sent", "an answered call stays delivered"


async def test_press_two_escalates_and_other_keys_ask_again(setup: Setup) -> None:
    await setup.add("voice", ALICE_PHONE)
    await page(setup)
    await setup.events(0, cloud_event("CallConnected", "call-1"))
    await setup.events(
        0, cloud_event("RecognizeCompleted", "call-1", dtmfResult={"tones": ["five"]})
    )
    await setup.events(
        0,
        cloud_event(
            "RecognizeFailed",
            "call-1",
            resultInformation={
                "code": 400,
                "subCode": 8510,
                "message": "Action failed, initial silence timeout reached.",
            },
        ),
    )
    assert setup.acs.ops("call-1") == ["recognize"] * 3
    assert setup.acs.last("call-1", "recognize")["json"]["playPrompt"]["text"]["text"] == (
        "Press 1 to acknowledge. Press 2 to escalate."
    )
    await setup.events(
        0, cloud_event("RecognizeCompleted", "call-1", dtmfResult={"tones": ["two"]})
    )
    assert setup.escalation.calls == [("signal", "inc-1", "escalate")]
    assert "escalated" in setup.acs.last("call-1", "play")["json"]["playSources"][0]["text"]["text"]


async def test_unanswered_call_is_a_failure_that_falls_through(
    setup: Setup, receiver: Receiver
) -> None:
    await setup.add("voice", ALICE_PHONE)
    await setup.add("webhook", receiver.url)
    await contacts.put_rules(
        store=setup.store,
        user_id="alice",
        rules=NotificationRules(important=(NotifyStep(contact="voice"),)),
        methods=await contacts.contact_methods(setup.store, "alice"),
    )
    await page(setup)
    assert receiver.received == []
    failed = cloud_event(
        "CreateCallFailed",
        "call-1",
        resultInformation={"code": 408, "subCode": 10004, "message": "Call not answered."},
    )
    result = await setup.events(0, failed)
    [entry] = (await delivery.list_deliveries(store=setup.store, incident_id="inc-1"))[0]
    assert (entry.channel, entry.status, entry.error) == (
        "voice",
        "failed_transient",
        "voice: no answer",
    )
    timeline = (await setup.store.query("timeline", limit=20)).items
    assert any(
        t["message"] == "Could not reach Alice by voice: no answer; trying webhook"
        for t in timeline
    )
    [follow_up] = result.messages
    assert follow_up["only_contacts"] == ["cm-webhook"]
    # The disconnect that follows a failed call changes nothing more.
    later = await setup.events(0, cloud_event("CallDisconnected", "call-1"))
    assert later.messages == []
    await service.deliver(service.parse_job(json.dumps(follow_up)), ports=setup.notify)
    [got] = receiver.received
    assert got["body"]["event"] == "paged" and got["body"]["user_id"] == "alice"
    assert "delivery" not in got["body"], "the voice bookkeeping stays out of webhook bodies"
    assert len(setup.acs.calls) == 1, "the fall-through does not call again"


class Yielding:
    """The real store, giving the loop a turn before and after every operation."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if not asyncio.iscoroutinefunction(attr):
            return attr

        async def op(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            try:
                return await attr(*args, **kwargs)
            finally:
                await asyncio.sleep(0)

        return op


async def test_failure_events_arriving_together_fall_through_once(
    setup: Setup, receiver: Receiver
) -> None:
    await setup.add("voice", ALICE_PHONE)
    await setup.add("webhook", receiver.url)
    await contacts.put_rules(
        store=setup.store,
        user_id="alice",
        rules=NotificationRules(important=(NotifyStep(contact="voice"),)),
        methods=await contacts.contact_methods(setup.store, "alice"),
    )
    await page(setup)
    info = {"code": 408, "subCode": 10004, "message": "Call not answered."}
    # A networked store yields at every operation: the two events' handling interleaves.
    ports = dataclasses.replace(setup.ports, store=Yielding(setup.store))  # type: ignore[arg-type]

    async def event(kind: str) -> Any:
        body = json.dumps([cloud_event(kind, "call-1", resultInformation=info)]).encode()
        return await handle_callback(setup.token(), body, ports=ports)

    results = await asyncio.gather(event("CreateCallFailed"), event("CallDisconnected"))
    assert len([m for r in results for m in r.messages]) == 1


async def test_a_call_whose_create_failed_transiently_keeps_its_document(setup: Setup) -> None:
    """ACS may have placed the call and lost only the answer: the retry (same repeatability id)
    gets that call back, and its events come to the first attempt's token."""
    await setup.add("voice", ALICE_PHONE)
    setup.acs.create_script = [503]
    assert (await page(setup)).sent == 1
    assert len((await setup.store.query("voice_calls", limit=5)).items) == 2


async def test_forged_token_and_garbage_change_nothing(setup: Setup) -> None:
    await setup.add("voice", ALICE_PHONE)
    await page(setup)
    good = json.dumps([cloud_event("CallConnected", "call-1")]).encode()
    with pytest.raises(NotFound):
        await handle_callback("A" * 43, good, ports=setup.ports)
    with pytest.raises(NotFound):
        await handle_callback("../../etc", good, ports=setup.ports)
    with pytest.raises(InvalidInput):
        await handle_callback(setup.token(), b"{not json", ports=setup.ports)
    assert setup.acs.actions == []


async def test_a_verification_call_reads_the_code_and_hangs_up(setup: Setup) -> None:
    method = await contacts.add_contact_method(
        ports=setup.notify, user_id="alice", kind="voice", address=ALICE_PHONE
    )
    assert method.verified is False
    await setup.events(0, cloud_event("CallConnected", "call-1"))
    [read] = setup.acs.actions
    text = read["json"]["playSources"][0]["text"]["text"]
    digits = re.search(r"code is ((?:\d, ){5}\d)", text)
    assert read["op"] == "play" and digits is not None
    await setup.events(0, cloud_event("PlayCompleted", "call-1", operationContext="readout"))
    assert setup.acs.ops("call-1") == ["play", "hangup"]
    verified = await contacts.verify_contact_method(
        ports=setup.notify, user_id="alice", method_id=method.id, code=digits[1].replace(", ", "")
    )
    assert verified.verified is True


async def test_a_refused_create_call_is_a_permanent_delivery_failure(setup: Setup) -> None:
    await setup.add("voice", ALICE_PHONE)
    setup.acs.create_script = [400]
    await page(setup)
    [entry] = (await delivery.list_deliveries(store=setup.store, incident_id="inc-1"))[0]
    assert entry.status == "failed_permanent"
    assert (await setup.store.query("voice_calls", limit=5)).items == []


async def test_callback_tokens_are_checked_like_call_automation_signs_them() -> None:
    import jwt as pyjwt

    from shared.errors import Unauthenticated
    from shared.notifications.voice_acs import AcsCallbackAuthenticator
    from tests.fixtures.acs import ACS_RESOURCE_ID, acs_calling_server

    async with acs_calling_server() as acs, httpx.AsyncClient() as http:
        check = AcsCallbackAuthenticator(
            audience=ACS_RESOURCE_ID, http=http, issuer=acs.issuer, metadata_url=acs.metadata_url
        )
        claims = await check.validate(f"Bearer {acs.callback_token()}")
        assert claims["aud"] == ACS_RESOURCE_ID
        valid = acs.callback_token()
        header = pyjwt.get_unverified_header(valid)
        hmac_signed = pyjwt.encode(
            {"aud": ACS_RESOURCE_ID, "iss": acs.issuer, "exp": 2**40},
            "x" * 32,
            algorithm="HS256",
            headers={"kid": header["kid"]},
        )
        for bad in (
            None,
            "",
            "Basic abc",
            f"Bearer {acs.callback_token(lifetime_s=None)}",  # no exp
            f"Bearer {hmac_signed}",
            f"Bearer {valid[:-4]}AAAA",  # signature altered
        ):
            with pytest.raises(Unauthenticated):
                await check.validate(bad)
