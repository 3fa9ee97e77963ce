"""What a person's rules do with one page arriving at a moment: which contact methods, when.

Pure, and built from the rules the delivery uses (:mod:`shared.notifications.rules`): the rule
set the step's importance picks (or the default sequence without rules), quiet hours holding a
default page until they end — each step is checked when it is due, as the delivery does — and
the waits between steps. Used by "preview my rules" and by the escalation preview.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from shared.notifications.models import ContactKind, ContactMethod, Importance, NotificationRules
from shared.notifications.rules import plan, quiet_hours_end, suppressed_by_quiet_hours


class MethodView(BaseModel):
    """A contact method as a preview names it (never its address)."""

    id: str
    kind: ContactKind
    label: str


class PlannedDelivery(BaseModel):
    at: datetime
    #: From the page's arrival, quiet-hours holds included.
    after_minutes: float
    methods: list[MethodView]
    #: Why it goes out later than its step's wait alone says.
    held_by_quiet_hours: bool = False


class PersonPlan(BaseModel):
    importance: Importance
    rule_set: Literal["default", "important", "fallback"] = Field(
        description="The rules used: the person's own set, or the fallback (every usable "
        "method now and again after 5 minutes) when that set is empty."
    )
    deliveries: list[PlannedDelivery]
    #: Set when nobody would hear it but the log (no usable contact method).
    note: str | None = None


def _view(m: ContactMethod) -> MethodView:
    return MethodView(id=m.id, kind=m.kind, label=m.label)


def _rule_set(
    rules: NotificationRules | None, importance: Importance
) -> Literal["default", "important", "fallback"]:
    if rules is not None and importance == "important" and rules.important:
        return "important"
    if rules is not None and rules.default:
        return "default"
    return "fallback"


def person_plan(
    rules: NotificationRules | None,
    methods: list[ContactMethod],
    importance: Importance,
    at: datetime,
) -> PersonPlan:
    """The deliveries of one page arriving at ``at`` (aware), until the person's sequence ends
    (an acknowledgement stops it sooner)."""
    steps = plan(rules, methods, importance)
    if not steps:
        return PersonPlan(
            importance=importance,
            rule_set=_rule_set(rules, importance),
            deliveries=[],
            note="no usable contact method: the page is only written to the log",
        )
    out: list[PlannedDelivery] = []
    due = at
    for n, step in enumerate(steps):
        if n:
            due += step.offset - steps[n - 1].offset
        held = suppressed_by_quiet_hours(rules, importance, due)
        if held:
            assert rules is not None
            due = quiet_hours_end(rules, due)
        out.append(
            PlannedDelivery(
                at=due,
                after_minutes=round((due - at) / timedelta(minutes=1), 2),
                methods=[_view(m) for m in step.contacts],
                held_by_quiet_hours=held,
            )
        )
    return PersonPlan(importance=importance, rule_set=_rule_set(rules, importance), deliveries=out)


class RulesPreview(BaseModel):
    """A page arriving at ``at`` under each rule set (the escalation step's importance picks
    one: ``important`` for steps marked so, ``default`` otherwise)."""

    at: datetime
    default: PersonPlan
    important: PersonPlan
    #: Contacts the rules name that reach none of the person's usable methods (missing, or not
    #: verified yet): those steps page nobody.
    unmatched: list[str]


def rules_preview(
    rules: NotificationRules | None, methods: list[ContactMethod], at: datetime
) -> RulesPreview:
    usable = [m for m in methods if m.usable]
    named = [
        step.contact
        for ruleset in ((rules.default, rules.important) if rules else ())
        for step in ruleset
        if step.type == "notify"
    ]
    reaches = {m.id for m in usable} | {m.kind for m in usable}
    return RulesPreview(
        at=at,
        default=person_plan(rules, methods, "default", at),
        important=person_plan(rules, methods, "important", at),
        unmatched=sorted({c for c in named if c not in reaches}),
    )
