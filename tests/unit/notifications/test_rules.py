"""Pure notification rules: plans, quiet hours, fall-through, parsing, rendering."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.errors import InvalidInput
from shared.escalation.models import TimeRange
from shared.incidents.models import Incident
from shared.notifications.models import (
    ContactMethod,
    NotificationRules,
    NotifyJob,
    NotifyStep,
    QuietHours,
    WaitStep,
    check_address,
    mask,
)
from shared.notifications.render import SMS_LIMIT, render_incident
from shared.notifications.rules import (
    fall_through,
    in_quiet_hours,
    plan,
    quiet_hours_end,
    suppressed_by_quiet_hours,
)
from shared.notifications.service import parse_job

EMAIL = ContactMethod(id="cm-e", user_id="u", kind="email", address="a@example.com", verified=True)
SMS = ContactMethod(id="cm-s", user_id="u", kind="sms", address="+4915112345678", verified=True)
UNVERIFIED = ContactMethod(id="cm-x", user_id="u", kind="sms", address="+4915100000000")
HOOK = ContactMethod(id="cm-w", user_id="u", kind="webhook", address="https://h.example/x")

# Berlin quiet hours every night 22:00-07:00.
NIGHTS = QuietHours(timezone="Europe/Berlin", ranges=(TimeRange(start=time(22), end=time(7)),))


def test_plan_follows_the_rule_set_with_waits() -> None:
    rules = NotificationRules(
        default=(NotifyStep(contact="email"), WaitStep(minutes=5), NotifyStep(contact="cm-s")),
        important=(NotifyStep(contact="sms"), NotifyStep(contact="email")),
    )
    steps = plan(rules, [EMAIL, SMS], "default")
    assert [(s.offset, [c.id for c in s.contacts]) for s in steps] == [
        (timedelta(0), ["cm-e"]),
        (timedelta(minutes=5), ["cm-s"]),
    ]
    important = plan(rules, [EMAIL, SMS], "important")
    assert [[c.id for c in s.contacts] for s in important] == [["cm-s", "cm-e"]]


def test_no_rules_means_everything_now_and_again_after_five_minutes() -> None:
    steps = plan(None, [EMAIL, UNVERIFIED, HOOK], "default")
    assert [(s.offset, [c.id for c in s.contacts]) for s in steps] == [
        (timedelta(0), ["cm-e", "cm-w"]),
        (timedelta(minutes=5), ["cm-e", "cm-w"]),
    ]
    assert plan(None, [], "important") == []


def test_quiet_hours_hold_default_pages_only() -> None:
    rules = NotificationRules(quiet_hours=NIGHTS)
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)  # 00:30 Berlin
    day = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert in_quiet_hours(NIGHTS, night) and not in_quiet_hours(NIGHTS, day)
    assert suppressed_by_quiet_hours(rules, "default", night)
    assert not suppressed_by_quiet_hours(rules, "important", night)
    assert not suppressed_by_quiet_hours(rules, "default", day)
    # 07:00 Berlin = 06:00 UTC in November.
    assert quiet_hours_end(rules, night) == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def test_fall_through_prefers_another_kind() -> None:
    other_email = EMAIL.model_copy(update={"id": "cm-e2"})
    assert fall_through(EMAIL, [EMAIL, other_email, SMS], {"cm-e"}) == SMS
    assert fall_through(SMS, [SMS], {"cm-s"}) is None


@pytest.mark.parametrize(
    ("kind", "address", "ok"),
    [
        ("sms", "+4915112345678", True),
        ("sms", "015112345678", False),
        ("sms", "+0123", False),
        ("email", "a@b.co", True),
        ("email", "not an email", False),
        ("webhook", "https://x.example/h", True),
        ("webhook", "ftp://x", False),
    ],
)
def test_addresses(kind: str, address: str, ok: bool) -> None:
    if ok:
        check_address(kind, address)  # type: ignore[arg-type]
    else:
        with pytest.raises(ValueError):
            check_address(kind, address)  # type: ignore[arg-type]


@given(st.text(max_size=30))
def test_phone_numbers_parse_or_are_refused(text: str) -> None:
    try:
        check_address("sms", text)
    except ValueError:
        return
    assert text.startswith("+") and text[1:].isdigit() and 8 <= len(text) <= 16


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)


@given(json_values)
def test_any_queue_body_is_a_job_or_invalid_input(value: object) -> None:
    try:
        job = parse_job(json.dumps(value))
    except InvalidInput:
        return
    assert job.type in ("notify", "direct", "status_update", "webhook", "teams_post", "digest")


def test_escalation_message_parses_as_notify_job() -> None:
    body = {
        "type": "notify",
        "incident_id": "inc",
        "user_id": "alice",
        "importance": "default",
        "idempotency_key": "inc:c0:r0:s0:alice",
        "step": 1,
        "multi_ack": False,
    }
    job = parse_job(json.dumps(body))
    assert isinstance(job, NotifyJob) and job.rule_step == 0


@given(
    rules=st.lists(
        st.one_of(
            st.builds(NotifyStep, contact=st.sampled_from(["cm-e", "cm-s", "sms", "email", "x"])),
            st.builds(WaitStep, minutes=st.floats(min_value=0.1, max_value=60)),
        ),
        max_size=8,
    )
)
def test_plans_only_use_usable_methods_and_never_go_back_in_time(rules: list[object]) -> None:
    try:
        parsed = NotificationRules(default=tuple(rules))  # type: ignore[arg-type]
    except ValidationError:
        return
    steps = plan(parsed, [EMAIL, SMS, UNVERIFIED], "default")
    offsets = [s.offset for s in steps]
    assert offsets == sorted(offsets)
    assert all(c.usable for s in steps for c in s.contacts)


@given(st.text(min_size=1, max_size=400))
def test_sms_text_fits_one_segment_and_keeps_the_link(title: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    incident = Incident(
        id="inc-abc",
        number=12345,
        title=title.strip() or "x",
        team_id="t",
        service_id="s",
        created_at=now,
        updated_at=now,
    )
    message = render_incident(incident, base_url="https://oa.example.com", service_name="svc")
    assert message.url in message.short
    assert len(message.short) <= SMS_LIMIT + 10 or len(message.url) > 100


def test_masking() -> None:
    assert mask("email", "alice@example.com") == "a***@example.com"
    assert mask("sms", "+4915112345678") == "+491********78"
