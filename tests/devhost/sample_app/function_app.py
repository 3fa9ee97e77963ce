"""A small app exercising every binding devhost supports (used by tests/devhost)."""

import json
import os
import time
from pathlib import Path

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


def _record(name: str, entry: dict[str, object]) -> None:
    path = Path(os.environ["RECORD_DIR"]) / f"{name}.jsonl"
    with path.open("a") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()


@app.route(route="echo/{id:int}", methods=["GET"])
def echo(req: func.HttpRequest) -> func.HttpResponse:
    body = {"id": req.route_params["id"], "q": dict(req.params), "method": req.method}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")


@app.route(route="files/{*rest}", methods=["GET", "PUT"])
async def files(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(
        f"{req.method} {req.route_params.get('rest', '')} {len(req.get_body())}",
        status_code=201 if req.method == "PUT" else 200,
        headers={"X-Sample": "yes"},
    )


@app.route(route="boom", methods=["GET"])
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("sample failure")


@app.route(route="enqueue", methods=["POST"])
@app.service_bus_queue_output(
    arg_name="out", queue_name="%WORK_QUEUE%", connection="ServiceBusConnection"
)
def enqueue(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse:
    items = json.loads(req.get_body())
    out.set(items if isinstance(items, list) else str(items))
    if req.params.get("fail_after_set"):
        # Output bindings are flushed only after success: nothing may be enqueued.
        raise RuntimeError("failed after setting the output")
    return func.HttpResponse(status_code=202)


@app.service_bus_queue_trigger(
    arg_name="msg", queue_name="%WORK_QUEUE%", connection="ServiceBusConnection"
)
def work(msg: func.ServiceBusMessage) -> None:
    body = msg.get_body().decode()
    _record(
        "work",
        {
            "body": body,
            "delivery_count": msg.delivery_count,
            "message_id": msg.message_id,
            "props": dict(msg.application_properties or {}),
            "at": time.time(),
        },
    )
    if body.startswith("fail"):
        raise ValueError(f"cannot process {body}")
    if body.startswith("slow"):
        time.sleep(30)


@app.timer_trigger(schedule="*/1 * * * * *", arg_name="timer", run_on_startup=False)
def tick(timer: func.TimerRequest) -> None:
    _record("tick", {"at": time.time(), "past_due": timer.past_due})


@app.route(route="hold", methods=["GET"])
async def hold(req: func.HttpRequest) -> func.HttpResponse:
    # CPU work on the event loop (what a catastrophic regex does): the watchdog must name it.
    until = time.thread_time() + float(req.params.get("s", "0.3"))
    while time.thread_time() < until:
        pass
    return func.HttpResponse("held")
