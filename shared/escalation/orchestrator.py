"""The escalation orchestrator: replays plans, waits, and reacts to signals.

It runs inside Durable Functions (``functions/escalation.py`` registers it), so it must be
deterministic: time comes from ``context.current_utc_datetime``, decisions from the pure
:mod:`shared.escalation.plan`, and every side effect happens in an activity. One instance per
incident; the instance id is the incident id.

Shape of one pass: evaluate from the cursor (``plan_step``), hand the effects to the
``escalation_execute`` activity, then wait on ``task_any(timer, signal)``. The wait ends with the
timer (continue at the next cursor) or a signal (``react`` decides: stop, hold, restart,
advance). ``continue_as_new`` starts a fresh history whenever the escalation changes phase
(hold, a new cycle, a repeat), so a long incident never builds a long replay.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from shared.escalation.models import (
    SIGNAL_EVENT,
    Cursor,
    EscalationInput,
    EscalationStatus,
    NotifyRoundRobin,
    NotifySchedule,
    NotifyTeam,
    NotifyUsers,
    SignalPayload,
    Wait,
)
from shared.escalation.plan import NeedAlertCount, Plan, plan_step, react

ACTIVITY_EXECUTE = "escalation_execute"
ACTIVITY_COUNT_ALERTS = "escalation_count_alerts"
ACTIVITY_REESCALATE = "escalation_reescalate"
ACTIVITY_MULTI_ACK = "escalation_multi_ack"
ACTIVITY_STATUS_UPDATE = "escalation_status_update"

#: Re-notify interval for multi-ack targets when the policy has no wait after that step (min).
DEFAULT_MULTI_ACK_MINUTES = 5.0


def _multi_ack_key(plan: Plan) -> str | None:
    keys = [
        e.idempotency_key
        for e in plan.effects
        if isinstance(e.step, NotifyUsers | NotifySchedule | NotifyTeam)
        and not isinstance(e.step, NotifyRoundRobin)
        and e.step.multi_ack
    ]
    return keys[-1] if keys else None


def _multi_ack_interval(state: EscalationInput) -> float:
    key = state.multi_ack_key or ""
    position = int(key.rsplit(":s", 1)[1]) if ":s" in key else 0
    for step in state.snapshot.steps[position + 1 :]:
        if isinstance(step, Wait):
            return step.minutes
    return DEFAULT_MULTI_ACK_MINUTES


def orchestrate(context: Any) -> Generator[Any, Any, dict[str, Any]]:
    state = EscalationInput.model_validate(context.get_input())
    snapshot = state.snapshot
    incident_id = snapshot.incident_id
    # One long-lived wait: a signal arriving while an activity runs completes it and is seen by
    # the next task_any, so nothing is lost between waits.
    signal = context.wait_for_external_event(SIGNAL_EVENT)
    cursor = state.cursor
    mode = state.mode
    due: datetime | None = state.hold_until if mode == "hold" else None
    resume_at: Cursor | None = None
    multi_key = state.multi_ack_key

    if mode == "hold" and multi_key:
        mode_label = "multi_ack"
        due = context.current_utc_datetime + timedelta(minutes=_multi_ack_interval(state))
    else:
        mode_label = mode

    while True:
        now: datetime = context.current_utc_datetime
        if mode == "run":
            result = plan_step(snapshot, cursor, now=now)
            if isinstance(result, NeedAlertCount):
                count = yield context.call_activity(
                    ACTIVITY_COUNT_ALERTS,
                    {
                        "incident_id": incident_id,
                        "since": (now - timedelta(minutes=result.window_minutes)).isoformat(),
                    },
                )
                result = plan_step(snapshot, cursor, now=now, alerts_in_window=int(count))
            assert isinstance(result, Plan)
            if result.effects or result.notes:
                yield context.call_activity(
                    ACTIVITY_EXECUTE,
                    {
                        "snapshot": snapshot.model_dump(mode="json"),
                        "effects": [
                            {
                                "kind": e.kind,
                                "position": e.position,
                                "key": e.idempotency_key,
                                "step": e.step.model_dump(mode="json"),
                            }
                            for e in result.effects
                        ],
                        "notes": list(result.notes),
                        "cursor": cursor.model_dump(mode="json"),
                    },
                )
            multi_key = _multi_ack_key(result) or multi_key
            if any(e.kind == "resolve" for e in result.effects):
                return {"incident_id": incident_id, "ended": "resolved by policy"}
            if result.next is None:
                mode, mode_label, due, resume_at = "done", "done", None, None
            elif result.wait_until is None:
                if result.next.repeats_done != cursor.repeats_done:
                    # A new round: start it with a fresh history.
                    context.continue_as_new(
                        EscalationInput(
                            snapshot=snapshot, cursor=result.next, multi_ack_key=None
                        ).model_dump(mode="json")
                    )
                    return {}
                cursor = result.next
                continue
            else:
                mode_label, due, resume_at = "run", result.wait_until, result.next

        context.set_custom_status(
            EscalationStatus(mode=mode_label, cursor=cursor, next_due=due).model_dump(mode="json")
        )
        timer = context.create_timer(due) if due is not None else None
        winner = yield context.task_any([signal, timer] if timer is not None else [signal])

        if timer is not None and winner == timer:
            if mode == "run":
                assert resume_at is not None
                cursor = resume_at
                continue
            if mode_label == "multi_ack":
                pending = yield context.call_activity(
                    ACTIVITY_MULTI_ACK,
                    {"incident_id": incident_id, "key": multi_key, "renotify": True},
                )
                if pending:
                    due = context.current_utc_datetime + timedelta(
                        minutes=_multi_ack_interval(
                            state.model_copy(update={"multi_ack_key": multi_key})
                        )
                    )
                    continue
                # Everyone on the step acknowledged: an ordinary hold, with the ack timeout.
                after = react(snapshot, cursor, "acknowledged", now=context.current_utc_datetime)
                return _hold(context, state, cursor, after.wait_until)
            # hold with a deadline: acknowledgement timeout or snooze end → page again.
            yield context.call_activity(
                ACTIVITY_REESCALATE,
                {"incident_id": incident_id, "reason": "timeout", "cycle": cursor.cycle + 1},
            )
            return _restart(context, state, Cursor(cycle=cursor.cycle + 1))

        payload = SignalPayload.model_validate(signal.result)
        # The signal's own time: an acknowledgement timeout runs from the acknowledgement, not
        # from the start of the wait it interrupted.
        now = context.current_utc_datetime
        if timer is not None:
            timer.cancel()
        signal = context.wait_for_external_event(SIGNAL_EVENT)
        reaction = react(
            snapshot,
            cursor,
            payload.signal,
            now=now,
            finished=mode == "done",
            from_source=payload.from_source,
        )
        if reaction.kind == "stop":
            yield context.call_activity(
                ACTIVITY_STATUS_UPDATE,
                {"incident_id": incident_id, "event": "resolved", "cycle": cursor.cycle},
            )
            return {"incident_id": incident_id, "ended": "resolved"}
        if reaction.kind == "ignore":
            continue
        if reaction.kind == "restart":
            assert reaction.cursor is not None
            return _restart(context, state, reaction.cursor)
        if reaction.kind == "advance":
            if mode == "run" and resume_at is not None:
                cursor = resume_at
            mode = "run"
            continue
        # hold: acknowledged or snoozed. "Escalate now" from a hold continues after the wait
        # that was running, not with the step that was just paged.
        held = resume_at if mode == "run" and resume_at is not None else cursor
        until = payload.until if payload.signal == "snoozed" else reaction.wait_until
        if payload.signal == "acknowledged":
            yield context.call_activity(
                ACTIVITY_STATUS_UPDATE,
                {"incident_id": incident_id, "event": "acknowledged", "cycle": cursor.cycle},
            )
        if payload.signal == "acknowledged" and multi_key:
            pending = yield context.call_activity(
                ACTIVITY_MULTI_ACK,
                {"incident_id": incident_id, "key": multi_key, "renotify": False},
            )
            if pending:
                return _hold(context, state, held, until, multi_key=multi_key)
        return _hold(context, state, held, until)


def _hold(
    context: Any,
    state: EscalationInput,
    cursor: Cursor,
    until: datetime | None,
    *,
    multi_key: str | None = None,
) -> dict[str, Any]:
    context.continue_as_new(
        EscalationInput(
            snapshot=state.snapshot,
            cursor=cursor,
            mode="hold",
            hold_until=until,
            multi_ack_key=multi_key,
        ).model_dump(mode="json")
    )
    return {}


def _restart(context: Any, state: EscalationInput, cursor: Cursor) -> dict[str, Any]:
    context.continue_as_new(
        EscalationInput(snapshot=state.snapshot, cursor=cursor).model_dump(mode="json")
    )
    return {}
