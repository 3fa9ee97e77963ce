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
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from devhost.durable.actions import (
    Episode,
    newly_cancelled_timers,
    retry_bookkeeping,
    schedule_actions,
)
from devhost.durable.history import (
    EVENT_RAISED,
    EXECUTION_COMPLETED,
    EXECUTION_TERMINATED,
    ORCHESTRATOR_COMPLETED,
    ORCHESTRATOR_STARTED,
    NonDeterminism,
    Unsupported,
    arrived,
    event,
    execution_started,
    failed,
    orchestration_context,
    orchestrator_failure,
    sub_orchestration_ended,
    task_completed,
    task_failed,
    timer_message,
)
from devhost.durable.payloads import activity_input, activity_output
from devhost.durable.replay import ReplayPool
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

Invoker = Callable[[FunctionInfo, Any], Awaitable[Any]]


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
        episode = Episode(now=now, new=[event(ORCHESTRATOR_STARTED, now=now)])
        payload = msg.message
        if payload["kind"] == "start":
            episode.new.append(execution_started(inst, now))
            inst.status = RUNNING
        else:
            incoming = arrived(payload["event"], now)
            episode.new.append(incoming)
            retry_bookkeeping(inst, incoming, episode)
        outcome: tuple[dict[str, Any] | None, str | None, str] | None = None
        if fn is not None:
            # The only await of an episode; the writes below are one synchronous transaction,
            # so no other coroutine can interleave on the shared connection.
            outcome = await self._run_orchestrator(inst, fn, history, episode.new)
        self.state.begin()
        try:
            if outcome is None:
                message = f"no orchestrator function named {inst.name!r}"
                self._fail(inst, history, episode.new, now, message)
            else:
                self._record(inst, outcome, history, episode)
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
        try:
            raw = await self._replay(fn, orchestration_context(inst, history, new))
        except Exception as exc:
            return orchestrator_failure(exc)
        return (json.loads(raw) if isinstance(raw, str | bytes) else raw), None, ""

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
        episode: Episode,
    ) -> None:
        result, error, details = outcome
        new, now = episode.new, episode.now
        if result is not None and "customStatus" in result:
            inst.custom_status = json.dumps(result["customStatus"])
        try:
            flat, continued = schedule_actions(
                inst,
                (result or {}).get("actions") or [],
                episode,
                activities=self.activities,
                orchestrators=self.orchestrators,
            )
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
        self._commit_history(inst, history, episode)

    def _cancel_timers(self, inst: Instance, flat: list[dict[str, Any]]) -> None:
        for timer_id in newly_cancelled_timers(inst, flat):
            self.state.drop_timer(inst.instance_id, timer_id)

    def _commit_history(
        self,
        inst: Instance,
        history: list[str],
        episode: Episode,
    ) -> None:
        self.state.append_history(inst.instance_id, len(history), episode.new)
        if inst.status not in TERMINAL:
            for task_id, name, input_ in episode.work:
                work_id = self.state.add_work(
                    inst.instance_id, inst.execution_id, task_id, name, input_
                )
                item = self.state.get_work(work_id)
                assert item is not None
                self._new_work.append(item)
            for timer_id, fire in episode.timers:
                self.state.enqueue(
                    inst.instance_id,
                    timer_message(timer_id, fire),
                    execution_id=inst.execution_id,
                    visible_at=fire,
                )
            for child in episode.children:
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
        new.extend(failed(now, message, details))
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
        ev = sub_orchestration_ended(inst, success=success, result=result, details=details)
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
                reason = f"The function '{item.name}' doesn't exist or is not an activity."
                ev = task_failed(item.task_id, reason, "")
            else:
                try:
                    result = await self._invoke(fn, activity_input(item.input))
                    ev = task_completed(item.task_id, activity_output(result))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    reason = f"Activity function '{item.name}' failed: {exc}"
                    ev = task_failed(item.task_id, reason, traceback.format_exc())
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
