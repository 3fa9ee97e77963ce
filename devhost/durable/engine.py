"""The replay engine: runs orchestrators written with the real ``azure-functions-durable`` SDK.

Each *episode* applies exactly one inbox message to an instance: append ``OrchestratorStarted``
and the new event to the history, call the orchestrator with the context JSON the extension
sends (replay schema V2), read the actions it returns, schedule the new ones (activities,
timers, sub-orchestrations), append ``OrchestratorCompleted``, and persist all of it in one
SQLite transaction. One event per episode keeps sequence ids identical to the SDK's own
numbering: the SDK hands out ids in history order, including the hidden ones for retries (a
retry timer after each failed attempt, then a new id for the rescheduled attempt), and with a
single new event per episode the engine can always tell which ids the SDK took.

Determinism guard: the signatures (action type, function name) of all actions scheduled so far
are recorded; a replay that returns different ones at the same positions fails the instance
with a clear error, as the extension does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from dateutil.parser import isoparse

from devhost.durable.replay import ReplayError, ReplayPool
from devhost.durable.state import (
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    TERMINAL,
    TERMINATED,
    DurableState,
    InboxMessage,
    Instance,
    Replay,
    WorkItem,
)
from devhost.plugins import FunctionInfo

log = logging.getLogger("devhost.durable")

# History event types (azure.durable_functions.models.history.HistoryEventType).
EXECUTION_STARTED = 0
EXECUTION_COMPLETED = 1
EXECUTION_FAILED = 2
EXECUTION_TERMINATED = 3
TASK_SCHEDULED = 4
TASK_COMPLETED = 5
TASK_FAILED = 6
SUB_CREATED = 7
SUB_COMPLETED = 8
SUB_FAILED = 9
TIMER_CREATED = 10
TIMER_FIRED = 11
ORCHESTRATOR_STARTED = 12
ORCHESTRATOR_COMPLETED = 13
EVENT_RAISED = 15

# Action types (azure.durable_functions.models.actions.ActionType).
CALL_ACTIVITY = 0
CALL_ACTIVITY_RETRY = 1
CALL_SUB = 2
CALL_SUB_RETRY = 3
CONTINUE_AS_NEW = 4
CREATE_TIMER = 5
WAIT_EVENT = 6
CALL_ENTITY = 7
CALL_HTTP = 8
SIGNAL_ENTITY = 9
WHEN_ANY = 11
WHEN_ALL = 12

#: Replay schema V2 (``upperSchemaVersion`` 1): compound actions, timers of any length.
UPPER_SCHEMA_VERSION = 1
OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"

Invoker = Callable[[FunctionInfo, Any], Awaitable[Any]]


class NonDeterminism(Exception):
    pass


class Unsupported(Exception):
    pass


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def event(kind: int, *, now: float, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    """A history event as the SDK parses it; ``EventId`` is the sequence id or -1."""
    return {
        "EventType": kind,
        "EventId": event_id,
        "IsPlayed": False,
        "Timestamp": iso(now),
        **fields,
    }


def flatten(actions: list[Any]) -> Iterator[dict[str, Any]]:
    """Atomic actions in the order the SDK numbered them (compound children depth-first)."""
    for item in actions:
        if isinstance(item, list):
            yield from flatten(item)
        elif item.get("actionType") in (WHEN_ANY, WHEN_ALL):
            yield from flatten(item.get("compoundActions") or [])
        else:
            yield item


def consumes_id(action: dict[str, Any]) -> bool:
    # External-event waits are keyed by name; everything else takes a sequence number.
    return action.get("actionType") != WAIT_EVENT


def signature(action: dict[str, Any]) -> tuple[int, str]:
    return int(action["actionType"]), str(action.get("functionName") or "")


def retry_delay(options: dict[str, Any], attempt: int) -> float:
    """Seconds before retrying after failed attempt ``attempt`` (1-based).

    The Python SDK sends only the first interval and the attempt count, so the backoff
    coefficient is Durable Task's default of 1 (a constant interval).
    """
    first_ms = float(options.get("firstRetryIntervalInMilliseconds") or 0)
    coefficient = float(options.get("backoffCoefficient") or 1.0)
    delay_ms = first_ms * coefficient ** (attempt - 1)
    cap = options.get("maxRetryIntervalInMilliseconds")
    if cap:
        delay_ms = min(delay_ms, float(cap))
    return max(0.0, delay_ms / 1000.0)


class Engine:
    def __init__(
        self,
        *,
        state: DurableState,
        invoke: Invoker,
        orchestrators: dict[str, FunctionInfo],
        activities: dict[str, FunctionInfo],
        max_orchestrations: int = 16,
        max_activities: int = 32,
    ) -> None:
        self.state = state
        self._invoke = invoke
        self.orchestrators = orchestrators
        self.activities = activities
        self._max_orchestrations = max_orchestrations
        self._activity_slots = asyncio.Semaphore(max_activities)
        self._locks: dict[str, asyncio.Lock] = {}
        self._busy: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduler: asyncio.Task[None] | None = None
        self._stopping = False
        #: Activities scheduled by the episode being committed; launched after the commit.
        self._new_work: list[WorkItem] = []
        #: Worker processes for replays; None replays in this process.
        self.replay_pool: ReplayPool | None = None
        #: Called after an instance reaches a terminal state (tests and waiters use it).
        self.on_finished: Callable[[Instance], None] | None = None

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        for item in self.state.all_work():
            self._spawn(self._run_activity(item))
        self._scheduler = asyncio.create_task(self._schedule(), name="durable-scheduler")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        tasks = [t for t in (self._scheduler, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def wake(self) -> None:
        self._wake.set()

    def lock(self, instance_id: str) -> asyncio.Lock:
        lock = self._locks.get(instance_id)
        if lock is None:
            lock = self._locks[instance_id] = asyncio.Lock()
        return lock

    def launch(self, item: WorkItem) -> None:
        """Run a persisted activity work item (after the transaction that stored it)."""
        self._spawn(self._run_activity(item))

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("durable: background task failed", exc_info=task.exception())

    # --- scheduling ---------------------------------------------------------------------
    async def _schedule(self) -> None:
        """Sleep until the earliest visible inbox message (a timer or new work), then run."""
        while not self._stopping:
            self._wake.clear()
            now = time.time()
            room = self._max_orchestrations - len(self._busy)
            if room > 0:
                # Busy instances may own several of the earliest messages; look a bit further.
                limit = room + 4 * len(self._busy) + 16
                for instance_id in self.state.due_instances(now, limit):
                    if instance_id in self._busy:
                        continue
                    self._busy.add(instance_id)
                    self._spawn(self._drain(instance_id))
                    room -= 1
                    if room == 0:
                        break
            due = self.state.next_due(now)
            timeout = None if due is None else max(0.0, due - time.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def _drain(self, instance_id: str) -> None:
        try:
            async with self.lock(instance_id):
                while not self._stopping:
                    inst = self.state.get(instance_id)
                    msg = self.state.next_message(instance_id, time.time())
                    if msg is None:
                        break
                    if inst is None or inst.suspended:
                        if inst is None:
                            self.state.remove_message(msg.id)
                        break
                    await self._apply(inst, msg)
        except Exception:
            log.error(
                "durable: instance %s failed to process:\n%s", instance_id, traceback.format_exc()
            )
        finally:
            self._busy.discard(instance_id)
            self._locks.pop(instance_id, None)
            self._wake.set()

    # --- client operations (called with the instance lock held or on new instances) ------
    def create(
        self,
        *,
        name: str,
        instance_id: str,
        input_: str | None,
        parent: tuple[str, str, int] | None = None,
        version: str | None = None,
    ) -> Instance:
        now = time.time()
        old = self.state.get(instance_id)
        if old is not None:
            self.state.clear_inbox(instance_id)
        inst = Instance(
            instance_id=instance_id,
            name=name,
            execution_id=uuid.uuid4().hex,
            status=PENDING,
            suspended=False,
            input=input_,
            output=None,
            custom_status=None,
            created_at=now,
            updated_at=now,
            parent_instance_id=parent[0] if parent else None,
            parent_execution_id=parent[1] if parent else None,
            parent_task_id=parent[2] if parent else None,
            version=version,
            replay=Replay(),
        )
        self.state.put(inst)
        self.state.replace_history(instance_id, [])
        self.state.enqueue(instance_id, {"kind": "start"}, execution_id=inst.execution_id)
        return inst

    def raise_event(self, instance_id: str, name: str, input_: str | None) -> None:
        # No execution id: a buffered event survives continue_as_new, as in Durable Task.
        self.state.enqueue(
            instance_id,
            {"kind": "event", "event": {"EventType": EVENT_RAISED, "Name": name, "Input": input_}},
            execution_id=None,
        )
        self.wake()

    def terminate(self, inst: Instance, reason: str) -> None:
        now = time.time()
        self.state.clear_inbox(inst.instance_id)
        history = self.state.history(inst.instance_id)
        self.state.append_history(
            inst.instance_id,
            len(history),
            [event(EXECUTION_TERMINATED, now=now, Input=json.dumps(reason))],
        )
        inst.status = TERMINATED
        inst.suspended = False
        inst.output = json.dumps(reason)
        self.state.put(inst)
        self._finished(inst)

    # --- episodes -----------------------------------------------------------------------
    async def _apply(self, inst: Instance, msg: InboxMessage) -> None:
        if inst.status in TERMINAL or (
            msg.execution_id is not None and msg.execution_id != inst.execution_id
        ):
            self.state.remove_message(msg.id)
            return
        fn = self.orchestrators.get(inst.name)
        now = time.time()
        history = self.state.played_history(inst.instance_id)
        new: list[dict[str, Any]] = [event(ORCHESTRATOR_STARTED, now=now)]
        payload = msg.message
        work: list[tuple[int, str, str | None]] = []
        timers: list[tuple[int, float]] = []
        children: list[dict[str, Any]] = []
        if payload["kind"] == "start":
            new.append(
                event(
                    EXECUTION_STARTED,
                    now=now,
                    Name=inst.name,
                    Input=inst.input,
                    Version=inst.version or "",
                    OrchestrationInstance={
                        "InstanceId": inst.instance_id,
                        "ExecutionId": inst.execution_id,
                    },
                    ParentInstance=(
                        {
                            "OrchestrationInstance": {
                                "InstanceId": inst.parent_instance_id,
                                "ExecutionId": inst.parent_execution_id,
                            },
                            "TaskScheduleId": inst.parent_task_id,
                        }
                        if inst.parent_instance_id
                        else None
                    ),
                )
            )
            inst.status = RUNNING
        else:
            incoming = dict(payload["event"])
            incoming.update({"EventId": -1, "IsPlayed": False, "Timestamp": iso(now)})
            new.append(incoming)
            self._retry_bookkeeping(inst, incoming, new, now, work, timers, children)
        outcome: tuple[dict[str, Any] | None, str | None, str] | None = None
        if fn is not None:
            # The only await of an episode; the writes below are one synchronous transaction,
            # so no other coroutine can interleave on the shared connection.
            outcome = await self._run_orchestrator(inst, fn, history, new)
        self.state.begin()
        try:
            if outcome is None:
                self._fail(inst, history, new, now, f"no orchestrator function named {inst.name!r}")
            else:
                self._record(inst, outcome, history, new, now, work, timers, children)
            self.state.remove_message(msg.id)
            self.state.commit()
        except BaseException:
            self.state.rollback()
            raise
        self._after_commit(inst)

    def _after_commit(self, inst: Instance) -> None:
        for item in self._new_work:
            self._spawn(self._run_activity(item))
        self._new_work = []
        if inst.status in TERMINAL:
            self._finished(inst)
        self.wake()

    async def _run_orchestrator(
        self,
        inst: Instance,
        fn: FunctionInfo,
        history: list[str],
        new: list[dict[str, Any]],
    ) -> tuple[dict[str, Any] | None, str | None, str]:
        """Call the orchestrator with the context JSON; (state, error, details)."""
        rest = {
            "input": inst.input,
            "instanceId": inst.instance_id,
            "isReplaying": bool(history),
            "parentInstanceId": inst.parent_instance_id,
            "upperSchemaVersion": UPPER_SCHEMA_VERSION,
        }
        events = ",".join([*history, *(json.dumps(e) for e in new)])
        context = '{"history":[' + events + "]," + json.dumps(rest)[1:]
        error: str | None = None
        details = ""
        result: dict[str, Any] | None = None
        try:
            raw = await self._replay(fn, context)
            result = json.loads(raw) if isinstance(raw, str | bytes) else raw
        except Exception as exc:
            text = str(exc)
            message, marker, state = text.partition(OUT_OF_PROC_MARKER)
            error = message if marker else f"{type(exc).__name__}: {exc}"
            details = exc.details if isinstance(exc, ReplayError) else traceback.format_exc()
            if marker:
                with contextlib.suppress(ValueError):
                    result = json.loads(state)
        return result, error, details

    async def _replay(self, fn: FunctionInfo, context: str) -> Any:
        pool = self.replay_pool
        if pool is not None and pool.available and self._pooled(fn):
            with contextlib.suppress(BrokenProcessPool):
                return await pool.replay(fn.name, context)
        if self._pooled(fn):
            # Orchestrators may not do I/O (Durable's determinism rules), so without a pool
            # replay runs on the loop thread: a thread-pool hop cost more than the replay.
            return fn.func(**{fn.trigger.name: context})
        return await self._invoke(fn, context)

    @staticmethod
    def _pooled(fn: FunctionInfo) -> bool:
        """Plain orchestrators (no other bindings, not async) can replay anywhere."""
        return len(fn.bindings) == 1 and not fn.is_async

    def _record(
        self,
        inst: Instance,
        outcome: tuple[dict[str, Any] | None, str | None, str],
        history: list[str],
        new: list[dict[str, Any]],
        now: float,
        work: list[tuple[int, str, str | None]],
        timers: list[tuple[int, float]],
        children: list[dict[str, Any]],
    ) -> None:
        result, error, details = outcome
        replay = inst.replay
        if result is not None and "customStatus" in result:
            inst.custom_status = json.dumps(result["customStatus"])
        try:
            flat = [a for a in flatten((result or {}).get("actions") or []) if consumes_id(a)]
            self._check_determinism(replay, flat)
            fresh = flat[len(replay.sigs) :]
            continued: dict[str, Any] | None = None
            for action in fresh:
                continued = self._schedule_action(inst, action, new, now, work, timers, children)
                if continued is not None:
                    break
            self._cancel_timers(inst, flat)
        except (NonDeterminism, Unsupported) as exc:
            self._fail(inst, history, new, now, str(exc))
            return
        if error is not None:
            self._fail(inst, history, new, now, error, details)
            return
        assert result is not None
        new.append(event(ORCHESTRATOR_COMPLETED, now=now))
        if continued is not None:
            self._continue_as_new(inst, continued.get("input"))
            return
        if result.get("isDone"):
            output = result.get("output")
            inst.status = COMPLETED
            inst.output = json.dumps(output)
            new.append(
                event(EXECUTION_COMPLETED, now=now, OrchestrationStatus=1, Result=inst.output)
            )
            self._notify_parent(inst, success=True, result=inst.output)
        self._commit_history(inst, history, new, work, timers, children)

    def _check_determinism(self, replay: Replay, flat: list[dict[str, Any]]) -> None:
        sigs = [signature(a) for a in flat]
        for index, (old, now_sig) in enumerate(zip(replay.sigs, sigs, strict=False)):
            if old != now_sig:
                raise NonDeterminism(
                    f"Non-deterministic workflow detected: action {index} was"
                    f" {_describe(old)} in history but the orchestrator now scheduled"
                    f" {_describe(now_sig)}. Orchestrator code must make the same calls in the"
                    " same order on every replay."
                )

    def _schedule_action(
        self,
        inst: Instance,
        action: dict[str, Any],
        new: list[dict[str, Any]],
        now: float,
        work: list[tuple[int, str, str | None]],
        timers: list[tuple[int, float]],
        children: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        replay = inst.replay
        kind = int(action["actionType"])
        task_id = replay.next_id
        replay.next_id += 1
        replay.sigs.append(signature(action))
        replay.ids.append(task_id)
        if kind in (CALL_ACTIVITY, CALL_ACTIVITY_RETRY):
            name = str(action["functionName"])
            if name not in self.activities:
                raise Unsupported(f"The function '{name}' doesn't exist or is not an activity.")
            new.append(
                event(
                    TASK_SCHEDULED, now=now, event_id=task_id, Name=name, Input=action.get("input")
                )
            )
            work.append((task_id, name, action.get("input")))
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
            if name not in self.orchestrators:
                raise Unsupported(f"The function '{name}' doesn't exist or is not an orchestrator.")
            child_id = action.get("instanceId") or f"{inst.instance_id}:{task_id:04d}"
            new.append(
                event(
                    SUB_CREATED,
                    now=now,
                    event_id=task_id,
                    Name=name,
                    InstanceId=child_id,
                    Input=action.get("input"),
                )
            )
            children.append(
                {
                    "task_id": task_id,
                    "name": name,
                    "instance_id": child_id,
                    "input": action.get("input"),
                    "version": action.get("version"),
                }
            )
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
            new.append(event(TIMER_CREATED, now=now, event_id=task_id, FireAt=_iso_dt(fire_at)))
            if action.get("isCanceled"):
                replay.cancelled.append(task_id)
            else:
                timers.append((task_id, fire_at.timestamp()))
        elif kind == CONTINUE_AS_NEW:
            return action
        elif kind in (CALL_ENTITY, SIGNAL_ENTITY):
            raise Unsupported("Durable entities are not supported by devhost.")
        elif kind == CALL_HTTP:
            raise Unsupported("Durable HTTP (call_http) is not supported by devhost.")
        else:
            raise Unsupported(f"Unknown durable action type {kind}.")
        return None

    def _cancel_timers(self, inst: Instance, flat: list[dict[str, Any]]) -> None:
        replay = inst.replay
        for index, action in enumerate(flat):
            if index >= len(replay.ids):
                break
            if int(action["actionType"]) == CREATE_TIMER and action.get("isCanceled"):
                timer_id = replay.ids[index]
                if timer_id not in replay.cancelled:
                    replay.cancelled.append(timer_id)
                    self.state.drop_timer(inst.instance_id, timer_id)

    def _retry_bookkeeping(
        self,
        inst: Instance,
        incoming: dict[str, Any],
        new: list[dict[str, Any]],
        now: float,
        work: list[tuple[int, str, str | None]],
        timers: list[tuple[int, float]],
        children: list[dict[str, Any]],
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
            fire = now + retry_delay(record["options"], int(record["attempt"]))
            new.append(event(TIMER_CREATED, now=now, event_id=timer_id, FireAt=iso(fire)))
            timers.append((timer_id, fire))
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
                new.append(
                    event(
                        TASK_SCHEDULED,
                        now=now,
                        event_id=task_id,
                        Name=record["name"],
                        Input=record["input"],
                    )
                )
                work.append((task_id, record["name"], record["input"]))
            else:
                new.append(
                    event(
                        SUB_CREATED,
                        now=now,
                        event_id=task_id,
                        Name=record["name"],
                        InstanceId=record["instance_id"],
                        Input=record["input"],
                    )
                )
                children.append(
                    {
                        "task_id": task_id,
                        "name": record["name"],
                        "instance_id": record["instance_id"],
                        "input": record["input"],
                        "version": None,
                    }
                )

    def _commit_history(
        self,
        inst: Instance,
        history: list[str],
        new: list[dict[str, Any]],
        work: list[tuple[int, str, str | None]],
        timers: list[tuple[int, float]],
        children: list[dict[str, Any]],
    ) -> None:
        self.state.append_history(inst.instance_id, len(history), new)
        if inst.status not in TERMINAL:
            for task_id, name, input_ in work:
                work_id = self.state.add_work(
                    inst.instance_id, inst.execution_id, task_id, name, input_
                )
                item = self.state.get_work(work_id)
                assert item is not None
                self._new_work.append(item)
            for timer_id, fire in timers:
                self.state.enqueue(
                    inst.instance_id,
                    {
                        "kind": "event",
                        "timer": timer_id,
                        "event": {
                            "EventType": TIMER_FIRED,
                            "TimerId": timer_id,
                            "FireAt": iso(fire),
                        },
                    },
                    execution_id=inst.execution_id,
                    visible_at=fire,
                )
            for child in children:
                self.create(
                    name=child["name"],
                    instance_id=child["instance_id"],
                    input_=child["input"],
                    parent=(inst.instance_id, inst.execution_id, child["task_id"]),
                    version=child["version"],
                )
        self.state.put(inst)

    def _fail(
        self,
        inst: Instance,
        history: list[str],
        new: list[dict[str, Any]],
        now: float,
        message: str,
        details: str = "",
    ) -> None:
        log.warning(
            "durable: orchestration %s (%s) failed: %s", inst.instance_id, inst.name, message
        )
        inst.status = FAILED
        inst.output = json.dumps(message)
        new.append(event(ORCHESTRATOR_COMPLETED, now=now))
        new.append(
            event(
                EXECUTION_FAILED,
                now=now,
                OrchestrationStatus=3,
                Reason=message,
                Details=details,
            )
        )
        self.state.append_history(inst.instance_id, len(history), new)
        self.state.put(inst)
        self._notify_parent(inst, success=False, result=message, details=details)

    def _continue_as_new(self, inst: Instance, input_: str | None) -> None:
        self.state.drop_execution_messages(inst.instance_id, inst.execution_id)
        inst.execution_id = uuid.uuid4().hex
        inst.input = input_
        inst.output = None
        inst.status = RUNNING
        inst.replay = Replay()
        self.state.replace_history(inst.instance_id, [])
        self.state.enqueue(inst.instance_id, {"kind": "start"}, execution_id=inst.execution_id)
        self.state.put(inst)

    def _notify_parent(
        self, inst: Instance, *, success: bool, result: str | None, details: str = ""
    ) -> None:
        if not inst.parent_instance_id or inst.parent_task_id is None:
            return
        if success:
            ev: dict[str, Any] = {
                "EventType": SUB_COMPLETED,
                "TaskScheduledId": inst.parent_task_id,
                "Result": result,
            }
        else:
            ev = {
                "EventType": SUB_FAILED,
                "TaskScheduledId": inst.parent_task_id,
                "Reason": f"Sub-orchestration '{inst.instance_id}' failed: {result}",
                "Details": details,
            }
        self.state.enqueue(
            inst.parent_instance_id,
            {"kind": "event", "event": ev},
            execution_id=inst.parent_execution_id,
        )

    def _finished(self, inst: Instance) -> None:
        if self.on_finished is not None:
            self.on_finished(inst)

    # --- activities ---------------------------------------------------------------------
    async def _run_activity(self, item: WorkItem) -> None:
        fn = self.activities.get(item.name)
        async with self._activity_slots:
            if self._stopping:
                return
            ev: dict[str, Any]
            if fn is None:
                ev = {
                    "EventType": TASK_FAILED,
                    "TaskScheduledId": item.task_id,
                    "Reason": f"The function '{item.name}' doesn't exist or is not an activity.",
                    "Details": "",
                }
            else:
                try:
                    value = _activity_input(item.input)
                    result = await self._invoke(fn, value)
                    ev = {
                        "EventType": TASK_COMPLETED,
                        "TaskScheduledId": item.task_id,
                        "Result": _activity_output(result),
                    }
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    ev = {
                        "EventType": TASK_FAILED,
                        "TaskScheduledId": item.task_id,
                        "Reason": f"Activity function '{item.name}' failed: {exc}",
                        "Details": traceback.format_exc(),
                    }
        if self._stopping:
            return
        # Result and removal of the work item commit together: a crash before this point
        # re-runs the activity at start (at-least-once), never loses it.
        self.state.begin()
        try:
            if self.state.remove_work(item.id):
                self.state.enqueue(
                    item.instance_id,
                    {"kind": "event", "event": ev},
                    execution_id=item.execution_id,
                )
            self.state.commit()
        except BaseException:
            self.state.rollback()
            raise
        self.wake()


def _activity_input(raw: str | None) -> Any:
    """What the worker's ActivityTriggerConverter hands the function: the decoded JSON."""
    if raw is None:
        return None
    from azure.functions._durable_functions import df_loads

    try:
        return df_loads(raw)
    except json.JSONDecodeError:
        return raw


def _activity_output(value: Any) -> str:
    from azure.functions._durable_functions import df_dumps

    return str(df_dumps(value))


def _iso_dt(value: datetime) -> str:
    return iso(value.timestamp())


def _describe(sig: tuple[int, str]) -> str:
    names = {
        CALL_ACTIVITY: "CallActivity",
        CALL_ACTIVITY_RETRY: "CallActivityWithRetry",
        CALL_SUB: "CallSubOrchestrator",
        CALL_SUB_RETRY: "CallSubOrchestratorWithRetry",
        CONTINUE_AS_NEW: "ContinueAsNew",
        CREATE_TIMER: "CreateTimer",
        CALL_ENTITY: "CallEntity",
        CALL_HTTP: "CallHttp",
        SIGNAL_ENTITY: "SignalEntity",
    }
    kind, name = sig
    label = names.get(kind, f"action type {kind}")
    return f"{label}({name!r})" if name else label
