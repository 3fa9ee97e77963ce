"""Durable Functions through devhost over real sockets, with the real SDK on both sides.

The sample app (``durable_app/``) starts orchestrations from HTTP and Service Bus functions with
``durable_client_input``; everything below goes through those functions or the public status
URLs, so the client RPC API, the replay engine and the scheduler are all exercised.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.devhost import DevhostHandle, records, start_devhost, wait_for

APP = Path(__file__).parent / "durable_app"


@pytest.fixture(scope="module")
def record_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("durable-records")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory, record_dir: Path) -> Iterator[DevhostHandle]:
    state = tmp_path_factory.mktemp("durable-state") / "state.sqlite"
    handle = start_devhost(app_dir=APP, state=state, env={"RECORD_DIR": str(record_dir)})
    yield handle
    handle.stop()


def start(host: DevhostHandle, name: str, instance_id: str, payload: Any) -> httpx.Response:
    return httpx.post(
        f"{host.base_url}/api/start/{name}/{instance_id}", content=json.dumps(payload), timeout=10
    )


def status(host: DevhostHandle, instance_id: str, history: bool = False) -> dict[str, Any]:
    url = f"{host.base_url}/api/status/{instance_id}" + ("?history=1" if history else "")
    doc: dict[str, Any] = httpx.get(url, timeout=10).json()
    return doc


def finished(host: DevhostHandle, instance_id: str, timeout: float = 15.0) -> dict[str, Any]:
    result: dict[str, Any] = {}

    def done() -> bool:
        result.update(status(host, instance_id))
        return result.get("runtimeStatus") in ("Completed", "Failed", "Terminated")

    wait_for(done, timeout)
    return result


def test_event_path_acknowledges_before_the_timer(host: DevhostHandle, record_dir: Path) -> None:
    r = start(host, "escalation", "ev-1", {"wait": 30})
    assert r.status_code == 202
    wait_for(lambda: status(host, "ev-1").get("customStatus") == {"waiting": True})
    r = httpx.post(f"{host.base_url}/api/raise/ev-1/ack", content=json.dumps({"user": "alice"}))
    assert r.status_code == 202
    doc = finished(host, "ev-1")
    assert doc["runtimeStatus"] == "Completed"
    assert doc["output"] == {"first": "notified 1", "acked_by": {"user": "alice"}}
    assert [e["step"] for e in records(record_dir, "notify") if e.get("id") == "ev-1"] == [1]


def test_timer_path_fires_at_its_due_time(host: DevhostHandle, record_dir: Path) -> None:
    started = time.monotonic()
    start(host, "escalation", "tm-1", {"wait": 1})
    doc = finished(host, "tm-1")
    elapsed = time.monotonic() - started
    assert doc["output"] == {"first": "notified 1", "second": "notified 2"}
    assert 1.0 <= elapsed < 5.0
    steps = [e["step"] for e in records(record_dir, "notify") if e.get("id") == "tm-1"]
    assert steps == [1, 2]
    history = status(host, "tm-1", history=True)["history"]
    kinds = [e["EventType"] for e in history]
    assert kinds == [
        "ExecutionStarted",
        "TaskScheduled",
        "TaskCompleted",
        "TimerCreated",
        "TimerFired",
        "TaskScheduled",
        "TaskCompleted",
        "ExecutionCompleted",
    ]


def test_event_raised_before_anyone_waits_is_buffered(host: DevhostHandle) -> None:
    start(host, "escalation", "early-1", {"wait": 30})
    # Raised at once: the orchestration is still running its first activity.
    httpx.post(f"{host.base_url}/api/raise/early-1/ack", content=json.dumps("bob"))
    doc = finished(host, "early-1")
    assert doc["output"] == {"first": "notified 1", "acked_by": "bob"}


def test_activity_retry_succeeds_after_failures(host: DevhostHandle, record_dir: Path) -> None:
    start(host, "with_retry", "retry-ok", {"key": "ok", "fail_times": 2})
    doc = finished(host, "retry-ok")
    assert doc["output"] == {"value": "ok after 2 failures", "after": "notified after-retry"}
    attempts = [e["attempt"] for e in records(record_dir, "flaky") if e["key"] == "ok"]
    assert attempts == [0, 1, 2]
    # Each failed attempt is followed by its retry timer, as Durable Task records it.
    kinds = [e["EventType"] for e in status(host, "retry-ok", history=True)["history"]]
    assert kinds.count("TaskFailed") == 2
    assert kinds.count("TimerFired") == 2


def test_activity_retry_gives_up_after_max_attempts(host: DevhostHandle, record_dir: Path) -> None:
    start(host, "with_retry", "retry-no", {"key": "no", "fail_times": 10})
    doc = finished(host, "retry-no")
    assert doc["runtimeStatus"] == "Completed"
    assert "flaky failure 2" in doc["output"]["error"]
    assert [e["attempt"] for e in records(record_dir, "flaky") if e["key"] == "no"] == [0, 1, 2]


def test_sub_orchestration_and_task_all(host: DevhostHandle) -> None:
    start(host, "parent", "par-1", 5)
    doc = finished(host, "par-1")
    assert doc["output"] == [{"child_of": "par-1", "doubled": 10}, 210]
    child = status(host, "par-1-child")
    assert child["runtimeStatus"] == "Completed"


def test_continue_as_new_restarts_with_new_input(host: DevhostHandle) -> None:
    start(host, "counter", "count-1", 0)
    doc = finished(host, "count-1")
    assert doc["output"] == 3
    assert doc["input"] == 3


def test_terminate_stops_a_waiting_orchestration(host: DevhostHandle, record_dir: Path) -> None:
    start(host, "escalation", "term-1", {"wait": 2})
    wait_for(lambda: status(host, "term-1").get("customStatus") == {"waiting": True})
    r = httpx.post(f"{host.base_url}/api/manage/term-1/terminate")
    assert r.status_code == 200
    doc = status(host, "term-1")
    assert doc["runtimeStatus"] == "Terminated"
    assert doc["output"] == "by test"
    time.sleep(2.5)
    steps = [e["step"] for e in records(record_dir, "notify") if e.get("id") == "term-1"]
    assert steps == [1], "the cancelled timer must not drive the orchestration on"
    # A finished instance can be purged, after which it is gone.
    r = httpx.post(f"{host.base_url}/api/manage/term-1/purge")
    assert r.json() == {"result": 1}
    assert status(host, "term-1")["runtimeStatus"] is None


def test_suspend_holds_events_until_resume(host: DevhostHandle) -> None:
    start(host, "escalation", "susp-1", {"wait": 30})
    wait_for(lambda: status(host, "susp-1").get("customStatus") == {"waiting": True})
    httpx.post(f"{host.base_url}/api/manage/susp-1/suspend")
    assert status(host, "susp-1")["runtimeStatus"] == "Suspended"
    httpx.post(f"{host.base_url}/api/raise/susp-1/ack", content=json.dumps("carol"))
    time.sleep(0.5)
    assert status(host, "susp-1")["runtimeStatus"] == "Suspended"
    httpx.post(f"{host.base_url}/api/manage/susp-1/resume")
    assert finished(host, "susp-1")["output"]["acked_by"] == "carol"


def test_rewind_reruns_the_failed_activity(host: DevhostHandle) -> None:
    start(host, "fragile", "rew-1", {"key": "rew-1"})
    doc = finished(host, "rew-1")
    assert doc["runtimeStatus"] == "Failed"
    assert "first run fails" in json.dumps(doc["output"])
    httpx.post(f"{host.base_url}/api/manage/rew-1/rewind")
    wait_for(lambda: status(host, "rew-1")["runtimeStatus"] == "Completed")
    assert status(host, "rew-1")["output"] == {"value": "second run ok"}


def test_restart_reuses_the_instance_id(host: DevhostHandle) -> None:
    start(host, "counter", "rs-1", 3)
    assert finished(host, "rs-1")["output"] == 3
    r = httpx.post(f"{host.base_url}/api/manage/rs-1/restart")
    assert r.json() == {"result": "rs-1"}
    assert finished(host, "rs-1")["output"] == 3


def test_non_determinism_fails_the_instance(host: DevhostHandle, record_dir: Path) -> None:
    start(host, "drifting", "drift-1", None)
    wait_for(lambda: any(e == 1 for e in records(record_dir, "double")))
    time.sleep(0.3)
    (record_dir / "drift.flag").write_text("now different")
    try:
        httpx.post(f"{host.base_url}/api/raise/drift-1/go", content="null")
        doc = finished(host, "drift-1")
    finally:
        (record_dir / "drift.flag").unlink()
    assert doc["runtimeStatus"] == "Failed"
    assert "Non-deterministic workflow detected" in doc["output"]
    assert "CallActivity('double')" in doc["output"]


def test_duplicate_start_is_refused_while_running(host: DevhostHandle) -> None:
    assert start(host, "escalation", "dup-1", {"wait": 30}).status_code == 202
    r = start(host, "escalation", "dup-1", {"wait": 30})
    assert r.status_code == 500  # the SDK raises; the sample app lets it surface
    listed = httpx.get(f"{host.base_url}/api/instances?status=Running").json()
    assert "dup-1" in listed
    httpx.post(f"{host.base_url}/api/manage/dup-1/terminate")


def test_public_status_urls(host: DevhostHandle) -> None:
    r = start(host, "escalation", "pub-1", {"wait": 30})
    links = r.json()
    assert r.headers["Location"] == links["statusQueryGetUri"]
    assert links["statusQueryGetUri"].startswith(host.base_url.replace("127.0.0.1", "127.0.0.1"))
    doc = httpx.get(links["statusQueryGetUri"]).json()
    assert doc["instanceId"] == "pub-1"
    assert doc["input"] == {"wait": 30}
    wait_for(lambda: httpx.get(links["statusQueryGetUri"]).json()["customStatus"] is not None)
    # The public raise-event URL takes plain JSON (the SDK's RPC endpoint double-encodes).
    url = links["sendEventPostUri"].replace("{eventName}", "ack")
    assert httpx.post(url, json={"user": "dave"}).status_code == 202
    wait_for(lambda: httpx.get(links["statusQueryGetUri"]).status_code == 200)
    assert httpx.get(links["statusQueryGetUri"]).json()["output"]["acked_by"] == {"user": "dave"}
    assert httpx.post(url, json={}).status_code == 410
    missing = links["statusQueryGetUri"].replace("pub-1", "nope")
    assert httpx.get(missing).status_code == 404
    bad = httpx.post(url.replace("pub-1", "pub-2"), content=b"{not json")
    assert bad.status_code == 400


def test_service_bus_function_starts_an_orchestration(host: DevhostHandle) -> None:
    message = {"body": {"id": "sb-1", "input": {"wait": 0.2}}}
    r = httpx.post(f"{host.base_url}/admin/devhost/queues/starts/messages", json=message)
    assert r.status_code in (200, 201, 202)
    assert finished(host, "sb-1")["output"]["second"] == "notified 2"


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(c) for c in text)
    return found


def test_timer_survives_a_crash(tmp_path: Path) -> None:
    record_dir = tmp_path / "rec"
    record_dir.mkdir()
    handle = start_devhost(
        app_dir=APP, state=tmp_path / "state.sqlite", env={"RECORD_DIR": str(record_dir)}
    )
    try:
        start(handle, "escalation", "crash-1", {"wait": 2})
        wait_for(lambda: status(handle, "crash-1").get("customStatus") == {"waiting": True})
        assert handle.process is not None
        workers = _children(handle.process.pid)
        assert workers  # the replay pool
        handle.kill()
        time.sleep(2.5)  # the timer comes due while devhost is down
        # The killed devhost's replay workers do not outlive it.
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=5)
        handle.start()
        doc = finished(handle, "crash-1")
        assert doc["output"] == {"first": "notified 1", "second": "notified 2"}
        assert [e["step"] for e in records(record_dir, "notify")] == [1, 2]
    finally:
        handle.stop()
