"""Rule waits are scheduled: the delivery that leaves a step waiting reports its due time, the
wake releases it once due and then forgets it, and no timer in the app polls more often than
once a minute (an idle deployment on Flex Consumption bills every execution)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
from croniter import croniter

from shared.notifications import deferral, service, waits
from shared.notifications.models import (
    ContactMethod,
    NotificationRules,
    NotifyJob,
    NotifyStep,
    QuietHours,
    TimeRange,
    WaitStep,
)
from shared.store.sqlite import SqliteStore
from tests.contract.notifications.conftest import Receiver
from tests.contract.notifications.test_service import NOW, Clock, add, http, job, ports, store

__all__ = ["http", "store"]


async def rules(store: SqliteStore, **kw: Any) -> None:
    await store.upsert(
        "notification_rules",
        {
            "id": "alice",
            "pk": "alice",
            "user_id": "alice",
            **NotificationRules(**kw).model_dump(mode="json"),
        },
    )


async def test_a_wait_is_a_wake_at_its_due_time_then_released_and_forgotten(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    await rules(
        store,
        default=(NotifyStep(contact="cm-w"), WaitStep(minutes=5), NotifyStep(contact="cm-w")),
    )
    clock = Clock()
    p = ports(store, http, clock)
    outcome = await service.deliver(job(), ports=p)
    assert outcome.wakes == [NOW + timedelta(minutes=5)]
    assert await waits.release(ports=p) == ([], []), "not due yet"

    clock.now = NOW + timedelta(minutes=5)
    messages, claimed = await waits.release(ports=p)
    [follow_up] = messages
    assert follow_up["rule_step"] == 1
    assert claimed == [
        {"id": f"{job().idempotency_key}:r1", "claimed_at": "2026-11-23T12:05:00.000000Z"}
    ]
    assert await waits.settle(store=store, released=claimed) == 1
    assert (await store.query(deferral.PENDING, limit=10)).items == []
    clock.now = NOW + timedelta(minutes=10)
    assert await deferral.flush(ports=p) == [], "the sweep finds nothing left to re-emit"
    # The last step leaves nothing waiting.
    last = await service.deliver(NotifyJob.model_validate(follow_up), ports=p)
    assert last.sent == 1 and last.wakes == []


async def test_settle_keeps_a_step_deferred_again_under_the_same_id(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    clock = Clock()
    p = ports(store, http, clock)
    await rules(
        store,
        default=(NotifyStep(contact="cm-w"),),
        quiet_hours=QuietHours(timezone="UTC", ranges=(TimeRange(start=time(11), end=time(13)),)),
    )
    deferred = await service.deliver(job(), ports=p)
    until = NOW.replace(hour=13)
    assert deferred.wakes == [until]
    clock.now = until
    messages, claimed = await waits.release(ports=p)
    assert [m["rule_step"] for m in messages] == [0]
    # Before settle runs, the released job is deferred again (the rules changed meanwhile).
    await deferral.defer(store, job(), until + timedelta(hours=1))
    assert await waits.settle(store=store, released=claimed) == 0
    [kept] = (await store.query(deferral.PENDING, limit=10)).items
    assert kept["due_at"] == "2026-11-23T14:00:00.000000Z"


async def test_a_held_page_wakes_when_its_bundling_window_closes(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    await rules(store, default=(NotifyStep(contact="cm-w"),))
    p = ports(store, http, Clock())
    assert (await service.deliver(job("a"), ports=p)).wakes == []
    held = await service.deliver(job("b"), ports=p)
    assert held.held and held.wakes == [NOW + timedelta(seconds=30)]


class Starter:
    """Durable client stand-in: records starts and answers like the extension for a running id."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str | None, Any]] = []

    async def start_new(
        self,
        orchestration_function_name: str,
        instance_id: str | None = None,
        client_input: object | None = None,
    ) -> str:
        if any(i == instance_id for _, i, _ in self.started):
            raise Exception(
                f"An Orchestration instance with the instance ID '{instance_id}' already exists."
            )
        self.started.append((orchestration_function_name, instance_id, client_input))
        return instance_id or ""


async def test_one_wake_per_due_second() -> None:
    starter = Starter()
    due = datetime(2026, 11, 23, 12, 5, 0, 250_000, tzinfo=UTC)
    assert await waits.schedule_wakes(starter, [due, due + timedelta(milliseconds=500)]) == 1
    assert await waits.schedule_wakes(starter, [due]) == 0, "already running: nothing to do"
    [(name, instance_id, payload)] = starter.started
    assert name == waits.ORCHESTRATOR
    assert instance_id == "notify-wake-20261123T120501Z"
    assert payload == {"due": "2026-11-23T12:05:01.000000Z"}, "never before the document is due"


class Context:
    """Enough of DurableOrchestrationContext to step the wake through one replay."""

    def __init__(self, now: datetime, due: str) -> None:
        self.current_utc_datetime = now
        self._due = due

    def get_input(self) -> dict[str, str]:
        return {"due": self._due}

    def create_timer(self, at: datetime) -> tuple[str, datetime]:
        return ("timer", at)

    def call_activity(self, name: str, payload: Any) -> tuple[str, Any]:
        return (name, payload)


def test_the_wake_waits_then_releases_then_settles() -> None:
    gen = waits.orchestrate(Context(NOW, "2026-11-23T12:05:01Z"))
    assert next(gen) == ("timer", datetime(2026, 11, 23, 12, 5, 1, tzinfo=UTC))
    assert gen.send(None) == (waits.ACTIVITY_RELEASE, {})
    released = [{"id": "k:r1", "claimed_at": "2026-11-23T12:05:01Z"}]
    assert gen.send(released) == (waits.ACTIVITY_SETTLE, released)
    try:
        gen.send(1)
    except StopIteration as done:
        assert done.value == 1
    else:
        raise AssertionError("the wake did not finish")


def test_no_timer_in_the_app_runs_more_often_than_once_a_minute(
    app_functions: dict[str, Any],
) -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    for fn in app_functions.values():
        trigger = fn.get_trigger()
        if trigger.get_binding_name() != "timerTrigger":
            continue
        schedule = trigger.get_dict_repr()["schedule"]
        runs = croniter(schedule, start, second_at_beginning=True)
        times = [runs.get_next(datetime) for _ in range(200)]
        shortest = min(b - a for a, b in itertools.pairwise(times))
        assert shortest >= timedelta(minutes=1), f"{fn.get_function_name()} runs every {shortest}"


async def test_a_zero_bundling_window_holds_nothing(
    store: SqliteStore, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    """NOTIFY_BUNDLE_SECONDS=0 means no bundling. A page read the clock just before a
    concurrent one opened its (zero-length) window, and was held into a digest."""
    await add(
        store, ContactMethod(id="cm-w", user_id="alice", kind="webhook", address=receiver.url)
    )
    await rules(store, default=(NotifyStep(contact="cm-w"),))
    clock = Clock()
    p = replace(ports(store, http, clock), bundle_window=timedelta(0))
    clock.now = NOW + timedelta(milliseconds=5)
    await service.deliver(job("later"), ports=p)
    clock.now = NOW
    earlier = await service.deliver(job("earlier"), ports=p)
    assert not earlier.held and earlier.sent == 1
    assert len(receiver.received) == 2
