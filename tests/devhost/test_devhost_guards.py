"""devhost's guards: the event-loop watchdog names a function that holds the loop (and the test
fixture fails the test), and SIGTERM ends devhost within 2 s, returning in-flight messages to
the queue and leaving no HTTP client session unclosed."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from devhost.servicebus import Broker
from devhost.watchdog import WARNING, watched
from tests.fixtures.devhost import ROOT, records, start_devhost, wait_for
from tests.fixtures.receivers import page_receiver
from tests.fixtures.seed import paging_settings, seed_paging

SAMPLE = Path(__file__).parent / "sample_app"


def spin(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


async def test_the_watchdog_warns_on_a_step_that_holds_the_loop(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVHOST_LOOP_WARN_MS", "30")  # 30 ms CPU, 300 ms wall

    async def polite() -> str:
        await asyncio.sleep(0.35)  # waiting is not holding
        spin(0.01)
        return "ok"

    async def busy() -> str:
        await asyncio.sleep(0)
        spin(0.06)
        return "ok"

    async def blocking() -> str:
        time.sleep(0.35)  # noqa: ASYNC251 - blocking the loop is the case under test
        return "ok"

    with caplog.at_level(logging.WARNING, logger="devhost.watchdog"):
        for name, fn in (("polite", polite), ("busy", busy), ("blocking", blocking)):
            assert await watched(name, fn()) == "ok", "a first invocation is a cold start"
        assert not caplog.records
        for name, fn in (("polite", polite), ("busy", busy), ("blocking", blocking)):
            assert await watched(name, fn()) == "ok"
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and all(m.startswith(WARNING) for m in messages)
    assert "function busy" in messages[0] and "function blocking" in messages[1]


async def test_the_watchdog_passes_cancellation_and_errors_through() -> None:
    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("inner")

    for name in ("fails", "waits"):  # past the unchecked first invocation
        await watched(name, asyncio.sleep(0))
    with pytest.raises(ValueError, match="inner"):
        await watched("fails", fails())
    task = asyncio.create_task(watched("waits", asyncio.sleep(10)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_function_holding_the_loop_is_logged_and_fails_the_test(tmp_path: Path) -> None:
    handle = start_devhost(
        app_dir=SAMPLE,
        state=tmp_path / "state.sqlite",
        # devhost's own default limit, not the fixture's headroom for other tests.
        env={"RECORD_DIR": str(tmp_path), "DEVHOST_LOOP_WARN_MS": "100"},
    )
    try:
        for _ in range(2):  # the first invocation is a cold start, not checked
            assert httpx.get(handle.base_url + "/api/hold", timeout=10).text == "held"
        wait_for(lambda: WARNING in handle.run_log(), timeout=5)
        assert "by function hold" in handle.run_log()
        with pytest.raises(AssertionError, match=WARNING):
            handle.stop()
    finally:
        handle.kill()


def _sigterm(handle_process: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    handle_process.send_signal(signal.SIGTERM)
    handle_process.wait(timeout=15)
    return time.monotonic() - started


def test_sigterm_exits_within_2s_and_returns_in_flight_messages(tmp_path: Path) -> None:
    record_dir = tmp_path / "rec"
    record_dir.mkdir()
    state = tmp_path / "s" / "state.sqlite"
    handle = start_devhost(app_dir=SAMPLE, state=state, env={"RECORD_DIR": str(record_dir)})
    try:
        httpx.post(
            handle.base_url + "/api/enqueue", content=json.dumps("slow-term")
        ).raise_for_status()
        # In flight: the function is inside a 30 s synchronous call.
        wait_for(lambda: any(r["body"] == "slow-term" for r in records(record_dir, "work")))
        assert handle.process is not None
        took = _sigterm(handle.process)
        assert took < 2.0, f"devhost took {took:.2f} s to exit after SIGTERM"
        assert "Unclosed" not in handle.run_log()
        broker = Broker(state)
        try:
            counts = broker.counts()
        finally:
            broker.close()
        work_queue = next(c for q, c in counts.items() if c["active"] or c["locked"])
        assert work_queue["locked"] == 0 and work_queue["active"] == 1, counts
        handle.start()
        wait_for(
            lambda: [r["delivery_count"] for r in records(record_dir, "work")] == [1, 2],
            timeout=10,
        )
    finally:
        handle.kill()


async def test_the_real_app_stops_cleanly_after_paging(tmp_path: Path) -> None:
    from shared.store.sqlite import SqliteStore

    db = tmp_path / "openalert.sqlite"
    store = await SqliteStore.open(db)
    try:
        key = await seed_paging(
            store,
            steps=[{"type": "notify_users", "user_ids": ["u-1"]}],
            people=[("u-1", "Una", ())],
        )
        await store.create(
            "contact_methods",
            {"id": "cm-1", "pk": "u-1", "user_id": "u-1", "kind": "webhook", "verified": True},
        )
    finally:
        await store.close()
    pages: list[dict[str, object]] = []
    async with page_receiver(pages.append) as url:
        store = await SqliteStore.open(db)
        try:
            doc = await store.get("contact_methods", "u-1", "cm-1")
            assert doc is not None
            await store.replace("contact_methods", {**doc, "address": url}, if_match=doc["_etag"])
        finally:
            await store.close()
        handle = await asyncio.to_thread(
            start_devhost, app_dir=ROOT, state=tmp_path / "devhost.sqlite", env=paging_settings(db)
        )
        try:
            async with httpx.AsyncClient() as http:
                r = await http.post(
                    f"{handle.base_url}/api/integrations/{key}", json={"title": "Disk full"}
                )
                assert r.status_code == 202, r.text
            deadline = time.monotonic() + 20
            while not pages:
                assert time.monotonic() < deadline, "never paged"
                await asyncio.sleep(0.05)
            assert handle.process is not None
            took = await asyncio.to_thread(_sigterm, handle.process)
        finally:
            handle.kill()
    log = handle.run_log()
    assert took < 2.0, f"devhost took {took:.2f} s to exit after SIGTERM"
    assert "Unclosed client session" not in log and "Unclosed connector" not in log, log[-2000:]
