"""A person's plan for one page: rule set by importance, waits, quiet hours, no usable method."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.notifications.models import ContactMethod, NotificationRules
from shared.notifications.preview import person_plan

#: Monday 21:50 in Berlin (UTC+1 in November).
LATE = datetime(2026, 11, 23, 20, 50, tzinfo=UTC)
NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)

METHODS = [
    ContactMethod(id="m-mail", user_id="u", kind="email", address="u@x.example", verified=True),
    ContactMethod(id="m-sms", user_id="u", kind="sms", address="+4915100000000", verified=True),
    ContactMethod(id="m-voice", user_id="u", kind="voice", address="+4915100000000", label="cell"),
]
RULES = NotificationRules.model_validate(
    {
        "default": [
            {"type": "notify", "contact": "email"},
            {"type": "wait", "minutes": 15},
            {"type": "notify", "contact": "sms"},
        ],
        "important": [{"type": "notify", "contact": "sms"}, {"type": "notify", "contact": "voice"}],
        "quiet_hours": {
            "timezone": "Europe/Berlin",
            "ranges": [{"start": "22:00:00", "end": "07:00:00"}],
        },
    }
)


def test_default_pages_follow_the_waits_and_quiet_hours_hold_a_later_step() -> None:
    got = person_plan(RULES, METHODS, "default", LATE)
    assert got.rule_set == "default"
    first, second = got.deliveries
    assert (first.at, [m.kind for m in first.methods], first.held_by_quiet_hours) == (
        LATE,
        ["email"],
        False,
    )
    # 15 minutes later is 22:05 in Berlin: held until 07:00 Berlin (06:00 UTC).
    assert second.at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert second.held_by_quiet_hours
    assert second.after_minutes == 9 * 60 + 10


def test_important_pages_use_their_set_and_ignore_quiet_hours() -> None:
    got = person_plan(RULES, METHODS, "important", LATE.replace(hour=23))
    assert got.rule_set == "important"
    (only,) = got.deliveries
    # The unverified voice number is not usable: only the SMS goes out.
    assert [m.id for m in only.methods] == ["m-sms"]
    assert only.after_minutes == 0 and not only.held_by_quiet_hours


def test_without_rules_every_usable_method_now_and_again_after_five_minutes() -> None:
    got = person_plan(None, METHODS, "important", NOON)
    assert got.rule_set == "fallback"
    assert [(d.after_minutes, [m.kind for m in d.methods]) for d in got.deliveries] == [
        (0, ["email", "sms"]),
        (5, ["email", "sms"]),
    ]


def test_no_usable_method_says_so() -> None:
    got = person_plan(RULES, METHODS[2:], "default", NOON)
    assert got.deliveries == [] and got.note is not None and "no usable" in got.note
