"""devhost over real sockets: HTTP, Service Bus (peek-lock, DLQ, schedule), timers, crash."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.fixtures.devhost import ROOT, DevhostHandle, records, start_devhost, wait_for

SAMPLE = Path(__file__).parent / "sample_app"


@pytest.fixture(scope="module")
def record_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("records")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory, record_dir: Path) -> Iterator[DevhostHandle]:
    state = tmp_path_factory.mktemp("state") / "state.sqlite"
    handle = start_devhost(app_dir=SAMPLE, state=state, env={"RECORD_DIR": str(record_dir)})
    yield handle
    handle.stop()


def test_route_templates_constraints_and_methods(host: DevhostHandle) -> None:
    r = httpx.get(host.base_url + "/api/echo/42?x=1")
    assert r.status_code == 200
    assert r.json() == {"id": "42", "q": {"x": "1"}, "method": "GET"}
    assert r.headers["content-type"].startswith("application/json")
    assert httpx.get(host.base_url + "/api/echo/abc").status_code == 404
    not_allowed = httpx.post(host.base_url + "/api/echo/1")
    assert (not_allowed.status_code, not_allowed.headers.get("Allow")) == (405, "GET")
    r = httpx.put(host.base_url + "/api/files/a/b/c.txt", content=b"12345")
    assert (r.status_code, r.text, r.headers["x-sample"]) == (201, "PUT a/b/c.txt 5", "yes")
    assert httpx.get(host.base_url + "/api/files").text == "GET  0"


def test_exception_is_500_and_the_host_keeps_serving(host: DevhostHandle) -> None:
    assert httpx.get(host.base_url + "/api/boom").status_code == 500
    assert httpx.get(host.base_url + "/api/echo/1").status_code == 200
    assert "RuntimeError: sample failure" in host.log()


def test_enqueue_then_trigger_consumes_with_metadata(host: DevhostHandle, record_dir: Path) -> None:
    assert (
        httpx.post(host.base_url + "/api/enqueue", content=json.dumps(["m1", "m2"])).status_code
        == 202
    )
    wait_for(lambda: {"m1", "m2"} <= {r["body"] for r in records(record_dir, "work")})
    got = {r["body"]: r for r in records(record_dir, "work")}
    assert got["m1"]["delivery_count"] == 1
    assert got["m1"]["message_id"] != got["m2"]["message_id"]
    wait_for(
        lambda: httpx.get(host.base_url + "/admin/devhost/queues").json()["work"]["active"] == 0
    )


def test_outputs_are_not_sent_when_the_function_fails(
    host: DevhostHandle, record_dir: Path
) -> None:
    r = httpx.post(host.base_url + "/api/enqueue?fail_after_set=1", content=json.dumps("never"))
    assert r.status_code == 500
    time.sleep(0.5)
    assert "never" not in {x["body"] for x in records(record_dir, "work")}


def test_failing_message_is_dead_lettered_then_resubmitted(
    host: DevhostHandle, record_dir: Path
) -> None:
    httpx.post(host.base_url + "/api/enqueue", content=json.dumps("fail-1")).raise_for_status()
    url = host.base_url + "/admin/devhost/queues/work/deadletter"
    wait_for(lambda: len(httpx.get(url).json()) == 1)
    [dead] = httpx.get(url).json()
    assert dead["body"] == "fail-1"
    assert dead["dead_letter_reason"] == "MaxDeliveryCountExceeded"
    assert "ValueError: cannot process fail-1" in dead["dead_letter_error_description"]
    attempts = [r["delivery_count"] for r in records(record_dir, "work") if r["body"] == "fail-1"]
    assert attempts == [1, 2, 3]
    resubmitted = httpx.post(
        url + "/resubmit", json={"sequence_numbers": [dead["sequence_number"]]}
    )
    assert resubmitted.json() == {"resubmitted": 1}
    wait_for(lambda: sum(1 for r in records(record_dir, "work") if r["body"] == "fail-1") == 6)
    wait_for(lambda: len(httpx.get(url).json()) == 1)


def test_admin_enqueue_with_properties_and_schedule(host: DevhostHandle, record_dir: Path) -> None:
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    r = httpx.post(
        host.base_url + "/admin/devhost/queues/work/messages",
        json={
            "body": "later",
            "message_id": "fixed-id",
            "application_properties": {"kind": "test"},
            "scheduled_enqueue_time_utc": at.isoformat(),
        },
    )
    assert r.status_code == 201
    assert httpx.get(host.base_url + "/admin/devhost/queues").json()["work"]["scheduled"] >= 1
    wait_for(lambda: any(x["body"] == "later" for x in records(record_dir, "work")))
    rec = next(x for x in records(record_dir, "work") if x["body"] == "later")
    assert rec["at"] >= at.timestamp() - 0.05
    assert rec["message_id"] == "fixed-id"
    assert rec["props"] == {"kind": "test"}


def test_admin_enqueue_rejects_malformed_input(host: DevhostHandle) -> None:
    url = host.base_url + "/admin/devhost/queues/work/messages"
    assert httpx.post(url, content=b"{nope").status_code == 400
    assert httpx.post(url, json={"nobody": 1}).status_code == 400
    assert (
        httpx.post(
            url, json={"body": "x", "scheduled_enqueue_time_utc": "2026-01-01T00:00"}
        ).status_code
        == 400
    )


def test_timer_fires_every_second(host: DevhostHandle, record_dir: Path) -> None:
    wait_for(lambda: len(records(record_dir, "tick")) >= 2, timeout=5)
    ticks = records(record_dir, "tick")
    assert all(not t["past_due"] for t in ticks)


def test_crash_while_locked_redelivers_after_restart(tmp_path: Path) -> None:
    record_dir = tmp_path / "rec"
    record_dir.mkdir()
    handle = start_devhost(
        app_dir=SAMPLE, state=tmp_path / "s" / "state.sqlite", env={"RECORD_DIR": str(record_dir)}
    )
    try:
        httpx.post(
            handle.base_url + "/api/enqueue", content=json.dumps("slow-1")
        ).raise_for_status()
        wait_for(lambda: any(r["body"] == "slow-1" for r in records(record_dir, "work")))
        handle.kill()
        # Down long enough for at least one timer occurrence to be missed.
        time.sleep(2.5)
        handle.start()
        # The lock (2 s in the sample host.json) must expire before redelivery.
        wait_for(lambda: sum(1 for r in records(record_dir, "work") if r["body"] == "slow-1") == 2)
        deliveries = [r for r in records(record_dir, "work") if r["body"] == "slow-1"]
        assert [d["delivery_count"] for d in deliveries] == [1, 2]
        assert deliveries[1]["at"] - deliveries[0]["at"] >= 1.5
        # A timer that was due while devhost was down fires once at start with past_due.
        assert any(t["past_due"] for t in records(record_dir, "tick"))
    finally:
        handle.stop()


def test_the_real_app_serves_health(tmp_path: Path) -> None:
    handle = start_devhost(app_dir=ROOT, state=tmp_path / "state.sqlite")
    try:
        r = httpx.get(handle.base_url + "/api/health")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
    finally:
        handle.stop()


def test_a_disabled_function_is_not_served_and_its_queue_waits(tmp_path: Path) -> None:
    record_dir = tmp_path / "records"
    record_dir.mkdir()
    state = tmp_path / "state.sqlite"
    env = {"RECORD_DIR": str(record_dir)}
    handle = start_devhost(
        app_dir=SAMPLE,
        state=state,
        env={**env, "AzureWebJobs.echo.Disabled": "true", "AzureWebJobs__work__Disabled": "true"},
    )
    try:
        assert httpx.get(handle.base_url + "/api/echo/1").status_code == 404
        sent = httpx.post(handle.base_url + "/api/enqueue", content=json.dumps(["kept"]))
        assert sent.status_code == 202
        time.sleep(1.0)
        assert records(record_dir, "work") == []
    finally:
        handle.stop()
    handle = start_devhost(app_dir=SAMPLE, state=state, env=env)
    try:
        assert httpx.get(handle.base_url + "/api/echo/1").status_code == 200
        wait_for(lambda: [r["body"] for r in records(record_dir, "work")] == ["kept"])
    finally:
        handle.stop()
