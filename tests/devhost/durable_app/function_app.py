"""An escalation-shaped Durable Functions app driven by tests/devhost/test_durable_e2e.py.

Activities record what they did in ``$RECORD_DIR/<name>.jsonl`` so tests can see side effects.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


def _record(name: str, entry: object) -> None:
    with (Path(os.environ["RECORD_DIR"]) / f"{name}.jsonl").open("a") as f:
        f.write(json.dumps(entry) + "\n")


def _count(name: str) -> int:
    """How many times ``name`` was called before (a file counter that survives restarts)."""
    path = Path(os.environ["RECORD_DIR"]) / f"{name}.count"
    n = int(path.read_text()) if path.exists() else 0
    path.write_text(str(n + 1))
    return n


# --- client functions -------------------------------------------------------------------
@app.route(route="start/{name}/{instance_id?}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    body = req.get_body()
    instance_id = await client.start_new(
        req.route_params["name"],
        req.route_params.get("instance_id") or None,
        json.loads(body) if body else None,
    )
    return client.create_check_status_response(req, instance_id)


@app.route(route="raise/{instance_id}/{event}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def raise_event(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    body = req.get_body()
    await client.raise_event(
        req.route_params["instance_id"],
        req.route_params["event"],
        json.loads(body) if body else None,
    )
    return func.HttpResponse(status_code=202)


@app.route(route="status/{instance_id}", methods=["GET"])
@app.durable_client_input(client_name="client")
async def status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    st = await client.get_status(
        req.route_params["instance_id"], show_history=req.params.get("history") == "1"
    )
    doc = {
        "runtimeStatus": st.runtime_status.value if st.runtime_status else None,
        "output": st.output,
        "customStatus": st.custom_status,
        "input": st.input_,
        "history": st.historyEvents if hasattr(st, "historyEvents") else None,
    }
    return func.HttpResponse(json.dumps(doc), mimetype="application/json")


@app.route(route="manage/{instance_id}/{op}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def manage(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id, op = req.route_params["instance_id"], req.route_params["op"]
    result: object = None
    if op == "terminate":
        await client.terminate(instance_id, "by test")
    elif op == "suspend":
        await client.suspend(instance_id, "by test")
    elif op == "resume":
        await client.resume(instance_id, "by test")
    elif op == "rewind":
        await client.rewind(instance_id, "by test")
    elif op == "restart":
        result = await client.restart(instance_id, restart_with_new_instance_id=False)
    elif op == "purge":
        result = (await client.purge_instance_history(instance_id)).instances_deleted
    else:
        return func.HttpResponse(status_code=404)
    return func.HttpResponse(json.dumps({"result": result}), mimetype="application/json")


@app.route(route="instances", methods=["GET"])
@app.durable_client_input(client_name="client")
async def instances(
    req: func.HttpRequest, client: df.DurableOrchestrationClient
) -> func.HttpResponse:
    statuses = [
        df.OrchestrationRuntimeStatus(s) for s in req.params.get("status", "").split(",") if s
    ]
    found = await client.get_status_by(runtime_status=statuses or None)
    return func.HttpResponse(
        json.dumps(sorted(s.instance_id for s in found)), mimetype="application/json"
    )


@app.service_bus_queue_trigger(
    arg_name="msg", queue_name="starts", connection="ServiceBusConnection"
)
@app.durable_client_input(client_name="client")
async def start_from_queue(
    msg: func.ServiceBusMessage, client: df.DurableOrchestrationClient
) -> None:
    body = json.loads(msg.get_body())
    await client.start_new("escalation", body["id"], body["input"])


# --- orchestrators ----------------------------------------------------------------------
@app.orchestration_trigger(context_name="context")
def escalation(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """notify → race(timer, "ack") → notify again if nobody acknowledged."""
    args = context.get_input() or {}
    first = yield context.call_activity("notify", {"step": 1, "id": context.instance_id})
    context.set_custom_status({"waiting": True})
    deadline = context.current_utc_datetime + timedelta(seconds=float(args.get("wait", 1)))
    timer = context.create_timer(deadline)
    ack = context.wait_for_external_event("ack")
    winner = yield context.task_any([timer, ack])
    if winner == ack:
        timer.cancel()
        context.set_custom_status({"waiting": False})
        return {"first": first, "acked_by": ack.result}
    second = yield context.call_activity("notify", {"step": 2, "id": context.instance_id})
    context.set_custom_status({"waiting": False})
    return {"first": first, "second": second}


@app.orchestration_trigger(context_name="context")
def with_retry(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    args = context.get_input()
    options = df.RetryOptions(first_retry_interval_in_milliseconds=200, max_number_of_attempts=3)
    try:
        value = yield context.call_activity_with_retry("flaky", options, args)
    except Exception as exc:  # the last attempt's failure surfaces here
        return {"error": str(exc)[:200]}
    after = yield context.call_activity("notify", {"step": "after-retry"})
    return {"value": value, "after": after}


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    n = context.get_input()
    results = yield context.task_all(
        [
            context.call_sub_orchestrator("child", n, f"{context.instance_id}-child"),
            context.call_activity("double", n + 100),
        ]
    )
    return results


@app.orchestration_trigger(context_name="context")
def child(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    n = context.get_input()
    doubled = yield context.call_activity("double", n)
    return {"child_of": context.parent_instance_id, "doubled": doubled}


@app.orchestration_trigger(context_name="context")
def counter(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    n = context.get_input()
    yield context.call_activity("double", n)
    if n < 3:
        context.continue_as_new(n + 1)
        return None
    return n


@app.orchestration_trigger(context_name="context")
def drifting(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """Non-deterministic on purpose: the activity it calls depends on a file that changes."""
    flag = Path(os.environ["RECORD_DIR"]) / "drift.flag"
    name = "double" if not flag.exists() else "notify"
    yield context.call_activity(name, 1)
    yield context.wait_for_external_event("go")
    return "unreachable"


@app.orchestration_trigger(context_name="context")
def fragile(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """Fails when its activity fails the first time; rewind re-runs the activity."""
    value = yield context.call_activity("fail_once", context.get_input())
    return {"value": value}


@app.orchestration_trigger(context_name="context")
def chain(context: df.DurableOrchestrationContext):  # type: ignore[no-untyped-def]
    """``n`` activities one after another (the throughput benchmark)."""
    total = 0
    for i in range(int(context.get_input())):
        total += yield context.call_activity("square", i)
    return total


# --- activities -------------------------------------------------------------------------
@app.activity_trigger(input_name="payload")
async def notify(payload: dict) -> str:  # type: ignore[type-arg]
    _record("notify", payload)
    return f"notified {payload.get('step')}"


@app.activity_trigger(input_name="n")
async def double(n: int) -> int:
    _record("double", n)
    return n * 2


@app.activity_trigger(input_name="payload")
def flaky(payload: dict) -> str:  # type: ignore[type-arg]
    attempt = _count(f"flaky-{payload['key']}")
    _record("flaky", {"key": payload["key"], "attempt": attempt})
    if attempt < int(payload["fail_times"]):
        raise RuntimeError(f"flaky failure {attempt}")
    return f"ok after {attempt} failures"


@app.activity_trigger(input_name="payload")
def fail_once(payload: dict) -> str:  # type: ignore[type-arg]
    if _count(f"fail-once-{payload['key']}") == 0:
        raise RuntimeError("first run fails")
    return "second run ok"


@app.activity_trigger(input_name="n")
def square(n: int) -> int:
    return n * n
