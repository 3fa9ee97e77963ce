"""Action scheduling: the orchestrator's new actions and hidden retry tasks as history events.

Each function adds to the :class:`Episode` (``new`` history events, activity ``work``,
``timers``, sub-orchestration ``children``) and advances the instance's replay bookkeeping
(``inst.replay``); the engine persists all of it in the episode's single transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from dateutil.parser import isoparse

from devhost.durable.history import (
    CALL_ACTIVITY,
    CALL_ACTIVITY_RETRY,
    CALL_ENTITY,
    CALL_HTTP,
    CALL_SUB,
    CALL_SUB_RETRY,
    CONTINUE_AS_NEW,
    CREATE_TIMER,
    SIGNAL_ENTITY,
    SUB_CREATED,
    SUB_FAILED,
    TASK_FAILED,
    TASK_SCHEDULED,
    TIMER_CREATED,
    TIMER_FIRED,
    NonDeterminism,
    Unsupported,
    consumes_id,
    describe,
    event,
    flatten,
    iso,
    iso_dt,
    retry_delay,
    signature,
)
from devhost.durable.state import Instance, Replay


@dataclass
class Episode:
    """What one episode adds, all persisted in its single transaction."""

    #: The episode's time (epoch seconds); every event it adds carries it.
    now: float
    #: History events, in order.
    new: list[dict[str, Any]] = field(default_factory=list)
    #: Activities to run: (task id, function name, input).
    work: list[tuple[int, str, str | None]] = field(default_factory=list)
    #: Timers to fire: (timer id, epoch seconds).
    timers: list[tuple[int, float]] = field(default_factory=list)
    #: Sub-orchestrations to start.
    children: list[dict[str, Any]] = field(default_factory=list)

    def schedule_activity(self, task_id: int, name: str, input_: str | None) -> None:
        self.new.append(
            event(TASK_SCHEDULED, now=self.now, event_id=task_id, Name=name, Input=input_)
        )
        self.work.append((task_id, name, input_))

    def create_child(
        self, task_id: int, name: str, instance_id: str, input_: str | None, version: str | None
    ) -> None:
        self.new.append(
            event(
                SUB_CREATED,
                now=self.now,
                event_id=task_id,
                Name=name,
                InstanceId=instance_id,
                Input=input_,
            )
        )
        self.children.append(
            {
                "task_id": task_id,
                "name": name,
                "instance_id": instance_id,
                "input": input_,
                "version": version,
            }
        )

    def create_timer(self, timer_id: int, fire_at: float) -> None:
        self.new.append(event(TIMER_CREATED, now=self.now, event_id=timer_id, FireAt=iso(fire_at)))
        self.timers.append((timer_id, fire_at))


def schedule_actions(
    inst: Instance,
    actions: list[Any],
    episode: Episode,
    *,
    activities: Collection[str],
    orchestrators: Collection[str],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Check the replayed actions against the history and schedule the ones not seen before.

    Returns every id-consuming action in SDK order and the continue-as-new action, if the
    orchestrator asked for one (nothing after it is scheduled).
    """
    flat = [a for a in flatten(actions) if consumes_id(a)]
    check_determinism(inst.replay, flat)
    for action in flat[len(inst.replay.sigs) :]:
        continued = schedule_action(
            inst, action, episode, activities=activities, orchestrators=orchestrators
        )
        if continued is not None:
            return flat, continued
    return flat, None


def check_determinism(replay: Replay, flat: list[dict[str, Any]]) -> None:
    sigs = [signature(a) for a in flat]
    for index, (old, now_sig) in enumerate(zip(replay.sigs, sigs, strict=False)):
        if old != now_sig:
            raise NonDeterminism(
                f"Non-deterministic workflow detected: action {index} was"
                f" {describe(old)} in history but the orchestrator now scheduled"
                f" {describe(now_sig)}. Orchestrator code must make the same calls in the"
                " same order on every replay."
            )


def schedule_action(
    inst: Instance,
    action: dict[str, Any],
    episode: Episode,
    *,
    activities: Collection[str],
    orchestrators: Collection[str],
) -> dict[str, Any] | None:
    replay = inst.replay
    kind = int(action["actionType"])
    task_id = replay.next_id
    replay.next_id += 1
    replay.sigs.append(signature(action))
    replay.ids.append(task_id)
    if kind in (CALL_ACTIVITY, CALL_ACTIVITY_RETRY):
        name = str(action["functionName"])
        if name not in activities:
            raise Unsupported(f"The function '{name}' doesn't exist or is not an activity.")
        episode.schedule_activity(task_id, name, action.get("input"))
        if kind == CALL_ACTIVITY_RETRY:
            replay.retry_tasks[str(task_id)] = {
                "kind": "activity",
                "name": name,
                "input": action.get("input"),
                "options": action.get("retryOptions") or {},
                "attempt": 1,
            }
    elif kind in (CALL_SUB, CALL_SUB_RETRY):
        name = str(action["functionName"])
        if name not in orchestrators:
            raise Unsupported(f"The function '{name}' doesn't exist or is not an orchestrator.")
        child_id = action.get("instanceId") or f"{inst.instance_id}:{task_id:04d}"
        episode.create_child(task_id, name, child_id, action.get("input"), action.get("version"))
        if kind == CALL_SUB_RETRY:
            replay.retry_tasks[str(task_id)] = {
                "kind": "sub",
                "name": name,
                "input": action.get("input"),
                "instance_id": child_id,
                "options": action.get("retryOptions") or {},
                "attempt": 1,
            }
    elif kind == CREATE_TIMER:
        fire_at = isoparse(str(action["fireAt"]))
        if fire_at.tzinfo is None:
            fire_at = fire_at.replace(tzinfo=UTC)
        episode.new.append(
            event(TIMER_CREATED, now=episode.now, event_id=task_id, FireAt=iso_dt(fire_at))
        )
        if action.get("isCanceled"):
            replay.cancelled.append(task_id)
        else:
            episode.timers.append((task_id, fire_at.timestamp()))
    elif kind == CONTINUE_AS_NEW:
        return action
    elif kind in (CALL_ENTITY, SIGNAL_ENTITY):
        raise Unsupported("Durable entities are not supported by devhost.")
    elif kind == CALL_HTTP:
        raise Unsupported("Durable HTTP (call_http) is not supported by devhost.")
    else:
        raise Unsupported(f"Unknown durable action type {kind}.")
    return None


def newly_cancelled_timers(inst: Instance, flat: list[dict[str, Any]]) -> list[int]:
    """Timers the orchestrator cancelled since the last episode; recorded on ``inst.replay``."""
    dropped: list[int] = []
    replay = inst.replay
    for index, action in enumerate(flat):
        if index >= len(replay.ids):
            break
        if int(action["actionType"]) == CREATE_TIMER and action.get("isCanceled"):
            timer_id = replay.ids[index]
            if timer_id not in replay.cancelled:
                replay.cancelled.append(timer_id)
                dropped.append(timer_id)
    return dropped


def retry_bookkeeping(
    inst: Instance,
    incoming: dict[str, Any],
    episode: Episode,
) -> None:
    """Mirror the SDK's hidden retry tasks: a timer after each failure, then a new attempt.

    Durable Task checks the attempt count only after the retry timer fires, so even the last
    failed attempt gets its timer (the SDK waits for it before failing the task).
    """
    replay = inst.replay
    kind = incoming["EventType"]
    if kind in (TASK_FAILED, SUB_FAILED):
        record = replay.retry_tasks.pop(str(incoming.get("TaskScheduledId")), None)
        if record is None:
            return
        timer_id = replay.next_id
        replay.next_id += 1
        episode.create_timer(
            timer_id, episode.now + retry_delay(record["options"], int(record["attempt"]))
        )
        replay.retry_timers[str(timer_id)] = record
    elif kind == TIMER_FIRED:
        record = replay.retry_timers.pop(str(incoming.get("TimerId")), None)
        if record is None:
            return
        attempts = int(record["options"].get("maxNumberOfAttempts") or 1)
        if int(record["attempt"]) >= attempts:
            return
        task_id = replay.next_id
        replay.next_id += 1
        record = {**record, "attempt": int(record["attempt"]) + 1}
        replay.retry_tasks[str(task_id)] = record
        if record["kind"] == "activity":
            episode.schedule_activity(task_id, record["name"], record["input"])
        else:
            episode.create_child(
                task_id, record["name"], record["instance_id"], record["input"], None
            )
