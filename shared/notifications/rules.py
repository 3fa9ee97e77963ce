"""Pure notification decisions: a person's rule plan, quiet hours, bundling, error classes.

No I/O and no clock: ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.escalation.plan import in_range
from shared.notifications.models import (
    ContactMethod,
    Importance,
    NotificationRules,
    NotifyStep,
    QuietHours,
    RuleStep,
    WaitStep,
)

#: When a person has no rules: every usable contact method at once, then again after 5 minutes.
DEFAULT_WAIT_MINUTES = 5.0


@dataclass(frozen=True)
class PlannedStep:
    """Deliver to these contact methods ``offset`` after the page started."""

    index: int
    offset: timedelta
    contacts: tuple[ContactMethod, ...]


def default_rules(methods: list[ContactMethod]) -> tuple[RuleStep, ...]:
    if not methods:
        return ()
    notify_all = tuple(NotifyStep(contact=m.id) for m in methods)
    return (*notify_all, WaitStep(minutes=DEFAULT_WAIT_MINUTES), *notify_all)


def in_quiet_hours(quiet: QuietHours | None, now: datetime) -> bool:
    if quiet is None:
        return False
    local = now.astimezone(ZoneInfo(quiet.timezone))
    return any(in_range(local, r) for r in quiet.ranges)


def plan(
    rules: NotificationRules | None,
    methods: list[ContactMethod],
    importance: Importance,
) -> list[PlannedStep]:
    """The person's sequence for one page: which contact methods when (offset from the start).

    A ``notify`` step names a contact method id or a kind (all usable methods of that kind).
    Steps whose methods are missing or unverified are dropped; consecutive notify steps at the
    same offset are one delivery step.
    """
    usable = [m for m in methods if m.usable]
    steps: tuple[RuleStep, ...] = ()
    if rules is not None:
        steps = rules.important if importance == "important" and rules.important else rules.default
    if not steps:
        steps = default_rules(usable)
    out: list[PlannedStep] = []
    offset = timedelta(0)
    pending: list[ContactMethod] = []

    def flush() -> None:
        if pending:
            out.append(PlannedStep(len(out), offset, tuple(dict.fromkeys(pending))))
            pending.clear()

    for step in steps:
        if step.type == "wait":
            flush()
            offset += timedelta(minutes=step.minutes)
            continue
        pending.extend(m for m in usable if step.contact in (m.id, m.kind))
    flush()
    return out


def suppressed_by_quiet_hours(
    rules: NotificationRules | None, importance: Importance, now: datetime
) -> bool:
    """Default-importance pages wait out quiet hours; important ones always go."""
    return importance == "default" and rules is not None and in_quiet_hours(rules.quiet_hours, now)


def quiet_hours_end(rules: NotificationRules, now: datetime) -> datetime:
    """The first minute after ``now`` outside quiet hours (at most 8 days ahead)."""
    probe = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = now + timedelta(days=8)
    while probe < limit and in_quiet_hours(rules.quiet_hours, probe):
        probe += timedelta(minutes=1)
    return probe


def fall_through(
    failed: ContactMethod, methods: list[ContactMethod], tried: set[str]
) -> ContactMethod | None:
    """After a permanent failure: another usable method of the person, preferring another kind."""
    candidates = [m for m in methods if m.usable and m.id not in tried and m.id != failed.id]
    candidates.sort(key=lambda m: (m.kind == failed.kind, m.kind == "console"))
    return candidates[0] if candidates else None


def bundle_window_open(window_until: datetime | None, now: datetime) -> bool:
    return window_until is not None and now < window_until


def retry_delays(attempts: int = 3, first: float = 0.5) -> list[float]:
    """Seconds to wait before each retry of a transient failure: 0.5, 1, 2 (exponential)."""
    return [first * 2**i for i in range(attempts)]
