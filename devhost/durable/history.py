"""The Durable Task history and action vocabulary devhost speaks with the Python SDK.

Event and action type numbers are the SDK's own (``HistoryEventType``, ``ActionType``); the
builders here shape events exactly as the SDK parses them from the replay context.
"""

from __future__ import annotations

import contextlib
import json
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from devhost.durable.replay import ReplayError
from devhost.durable.state import Instance


class NonDeterminism(Exception):
    pass


class Unsupported(Exception):
    pass


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


def iso_dt(value: datetime) -> str:
    return iso(value.timestamp())


def describe(sig: tuple[int, str]) -> str:
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


def execution_started(inst: Instance, now: float) -> dict[str, Any]:
    """The first event of an execution, naming its parent if it is a sub-orchestration."""
    parent = (
        {
            "OrchestrationInstance": {
                "InstanceId": inst.parent_instance_id,
                "ExecutionId": inst.parent_execution_id,
            },
            "TaskScheduleId": inst.parent_task_id,
        }
        if inst.parent_instance_id
        else None
    )
    return event(
        EXECUTION_STARTED,
        now=now,
        Name=inst.name,
        Input=inst.input,
        Version=inst.version or "",
        OrchestrationInstance={"InstanceId": inst.instance_id, "ExecutionId": inst.execution_id},
        ParentInstance=parent,
    )


def arrived(queued: dict[str, Any], now: float) -> dict[str, Any]:
    """A queued event (activity result, timer, external event) as it enters the history."""
    incoming = dict(queued)
    incoming.update({"EventId": -1, "IsPlayed": False, "Timestamp": iso(now)})
    return incoming


def orchestration_context(inst: Instance, history: list[str], new: list[dict[str, Any]]) -> str:
    """The context JSON the extension hands an orchestrator; played events are kept as the
    JSON text they were stored as, so a long history is not parsed again on every episode."""
    rest = {
        "input": inst.input,
        "instanceId": inst.instance_id,
        "isReplaying": bool(history),
        "parentInstanceId": inst.parent_instance_id,
        "upperSchemaVersion": UPPER_SCHEMA_VERSION,
    }
    events = ",".join([*history, *(json.dumps(e) for e in new)])
    return '{"history":[' + events + "]," + json.dumps(rest)[1:]


def failed(now: float, message: str, details: str) -> list[dict[str, Any]]:
    """The events that end an episode in which the orchestration failed."""
    return [
        event(ORCHESTRATOR_COMPLETED, now=now),
        event(EXECUTION_FAILED, now=now, OrchestrationStatus=3, Reason=message, Details=details),
    ]


def sub_orchestration_ended(
    inst: Instance, *, success: bool, result: str | None, details: str
) -> dict[str, Any]:
    """The event a finished sub-orchestration queues for its parent."""
    if success:
        return {
            "EventType": SUB_COMPLETED,
            "TaskScheduledId": inst.parent_task_id,
            "Result": result,
        }
    return {
        "EventType": SUB_FAILED,
        "TaskScheduledId": inst.parent_task_id,
        "Reason": f"Sub-orchestration '{inst.instance_id}' failed: {result}",
        "Details": details,
    }


def task_completed(task_id: int, result: str) -> dict[str, Any]:
    return {"EventType": TASK_COMPLETED, "TaskScheduledId": task_id, "Result": result}


def task_failed(task_id: int, reason: str, details: str) -> dict[str, Any]:
    return {
        "EventType": TASK_FAILED,
        "TaskScheduledId": task_id,
        "Reason": reason,
        "Details": details,
    }


def orchestrator_failure(exc: Exception) -> tuple[dict[str, Any] | None, str, str]:
    """(state, error, details) of a failed replay; call it inside the ``except`` block.

    The SDK reports an orchestrator's own exception as its message followed by the marker and
    the orchestration state (actions scheduled before the raise), which are still recorded.
    """
    message, marker, state = str(exc).partition(OUT_OF_PROC_MARKER)
    error = message if marker else f"{type(exc).__name__}: {exc}"
    details = exc.details if isinstance(exc, ReplayError) else traceback.format_exc()
    result: dict[str, Any] | None = None
    if marker:
        with contextlib.suppress(ValueError):
            result = json.loads(state)
    return result, error, details


def timer_message(timer_id: int, fire: float) -> dict[str, Any]:
    """The inbox message that delivers a durable timer's ``TimerFired`` at ``fire``."""
    return {
        "kind": "event",
        "timer": timer_id,
        "event": {"EventType": TIMER_FIRED, "TimerId": timer_id, "FireAt": iso(fire)},
    }


def rewound(history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A failed instance's history with its failures removed, and the scheduling events
    (``TaskScheduled``/``SubOrchestrationInstanceCreated``) of the tasks that failed, to run
    again: what the extension's rewind does."""
    scheduled = {e.get("EventId"): e for e in history if e["EventType"] in (4, 7)}
    kept: list[dict[str, Any]] = []
    failed_tasks: list[dict[str, Any]] = []
    for ev in history:
        if ev["EventType"] in (TASK_FAILED, SUB_FAILED):
            source = scheduled.get(ev.get("TaskScheduledId"))
            if source is not None:
                failed_tasks.append(source)
            continue
        if ev["EventType"] == EXECUTION_FAILED:
            continue
        kept.append(ev)
    # Drop the trailing episode that ended in failure so the next one starts cleanly.
    while kept and kept[-1]["EventType"] in (ORCHESTRATOR_COMPLETED,):
        kept.pop()
    while kept and kept[-1]["EventType"] == ORCHESTRATOR_STARTED:
        kept.pop()
    if kept and kept[-1]["EventType"] != ORCHESTRATOR_COMPLETED:
        kept.append({**kept[-1], "EventType": ORCHESTRATOR_COMPLETED, "EventId": -1})
    return kept, failed_tasks


def decode_json(text: str | None) -> Any:
    """A stored JSON payload as a value; text that is not JSON as itself."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


_PUBLIC_NAMES = {
    0: "ExecutionStarted",
    1: "ExecutionCompleted",
    2: "ExecutionFailed",
    3: "ExecutionTerminated",
    4: "TaskScheduled",
    5: "TaskCompleted",
    6: "TaskFailed",
    7: "SubOrchestrationInstanceCreated",
    8: "SubOrchestrationInstanceCompleted",
    9: "SubOrchestrationInstanceFailed",
    10: "TimerCreated",
    11: "TimerFired",
    15: "EventRaised",
}


def public_history(events: list[dict[str, Any]], show_output: bool) -> list[dict[str, Any]]:
    """History as the status API shows it: named events, no replay bookkeeping."""
    out: list[dict[str, Any]] = []
    for ev in events:
        kind = ev["EventType"]
        if kind in (ORCHESTRATOR_STARTED, ORCHESTRATOR_COMPLETED) or kind not in _PUBLIC_NAMES:
            continue
        doc: dict[str, Any] = {"EventType": _PUBLIC_NAMES[kind], "Timestamp": ev["Timestamp"]}
        for key in (
            "Name",
            "FunctionName",
            "TaskScheduledId",
            "TimerId",
            "FireAt",
            "Reason",
            "InstanceId",
        ):
            if ev.get(key) is not None:
                doc[key] = ev[key]
        if kind in (EXECUTION_STARTED,) and show_output:
            doc["Input"] = decode_json(ev.get("Input"))
        if kind in (5, 8, EXECUTION_COMPLETED) and show_output:
            doc["Result"] = decode_json(ev.get("Result"))
        out.append(doc)
    return out
