"""devhost pieces without a running host: route templates, NCRONTAB, the broker."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devhost.config import DevhostError, load_local_settings, resolve_refs
from devhost.routes import compile_route, order
from devhost.servicebus import Broker, OutgoingMessage
from devhost.timers import next_after, validate


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("health", "/health", {}),
        ("incidents/{id}", "/incidents/abc", {"id": "abc"}),
        ("incidents/{id}", "/incidents/abc/x", None),
        ("x/{n:int}", "/x/-12", {"n": "-12"}),
        ("x/{n:int}", "/x/1.5", None),
        (
            "g/{id:guid}",
            "/g/0f8fad5b-d9cb-469f-a165-70867728950e",
            {"id": "0f8fad5b-d9cb-469f-a165-70867728950e"},
        ),
        ("g/{id:guid}", "/g/nope", None),
        ("o/{id?}", "/o", {}),
        ("o/{id?}", "/o/7", {"id": "7"}),
        ("f/{*rest}", "/f/a/b/c", {"rest": "a/b/c"}),
        ("f/{*rest}", "/f", {}),
        ("r/{code:regex(^[A-Z]{{3}}$)}", "/r/ABC", None),
    ],
)
def test_route_templates(template: str, path: str, expected: dict[str, str] | None) -> None:
    assert compile_route(template).match(path) == expected


def test_literal_routes_win_over_parameters() -> None:
    routes = order(
        [compile_route("incidents/{id}"), compile_route("incidents/stats"), compile_route("{*all}")]
    )
    assert [r.template for r in routes] == ["incidents/stats", "incidents/{id}", "{*all}"]


@pytest.mark.parametrize("bad", ["a/{id:nope}", "a/{*rest}/b", "a/{x"])
def test_bad_templates_fail_at_start(bad: str) -> None:
    with pytest.raises(DevhostError):
        compile_route(bad)


@given(st.text(alphabet="abc/{}*?:", max_size=20))
def test_route_compiler_only_raises_devhost_errors(template: str) -> None:
    try:
        route = compile_route(template)
    except DevhostError:
        return
    route.match("/a/b")


def test_ncrontab_seconds_first() -> None:
    validate("0 */5 * * * *", "f")
    assert next_after("0 */5 * * * *", datetime(2026, 1, 1, 0, 3, 10, tzinfo=UTC)) == datetime(
        2026, 1, 1, 0, 5, 0, tzinfo=UTC
    )
    assert next_after("*/10 * * * * *", datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)).second == 10
    with pytest.raises(DevhostError, match="6-field"):
        validate("*/5 * * * *", "f")
    with pytest.raises(DevhostError, match="invalid"):
        validate("99 * * * * *", "f")


def test_settings_do_not_override_the_environment(tmp_path: Path) -> None:
    (tmp_path / "local.settings.json").write_text('{"Values": {"A": "file", "B": "file"}}')
    env = {"A": "env"}
    assert load_local_settings(tmp_path, env) == {"A": "env", "B": "file"}
    assert resolve_refs({"queueName": "%B%-x"}, env) == {"queueName": "file-x"}
    with pytest.raises(DevhostError, match="%MISSING%"):
        resolve_refs("%MISSING%", env)


def test_broker_peek_lock_cycle(tmp_path: Path) -> None:
    broker = Broker(tmp_path / "s.sqlite", lock_duration=30, max_delivery_count=2)
    broker.send("q", [OutgoingMessage(body=b"a"), OutgoingMessage(body=b"b")], now=100)
    first = broker.lock_next("q", now=100)
    assert first is not None and first.body == b"a" and first.delivery_count == 1
    second = broker.lock_next("q", now=100)
    assert second is not None and second.body == b"b"
    assert broker.lock_next("q", now=100) is None
    assert broker.abandon(first, "boom", now=101) is False
    again = broker.lock_next("q", now=101)
    assert again is not None and again.body == b"a" and again.delivery_count == 2
    assert broker.abandon(again, "boom again", now=102) is True
    [dead] = broker.peek_deadletter("q")
    assert (dead.dl_reason, dead.dl_description) == ("MaxDeliveryCountExceeded", "boom again")
    broker.complete(second)
    assert broker.counts()["q"]["deadletter"] == 1
    assert broker.resubmit_deadletter("q", now=103) == 1
    assert broker.lock_next("q", now=103) is not None


def test_broker_scheduled_and_lock_recovery(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    broker = Broker(path, lock_duration=5)
    broker.send("q", [OutgoingMessage(body=b"later", scheduled_at=200)], now=100)
    assert broker.lock_next("q", now=150) is None
    assert broker.next_visible_at("q") == 200
    locked = broker.lock_next("q", now=200)
    assert locked is not None
    broker.close()
    # A new process: the lock taken at t=200 expires at t=205.
    reopened = Broker(path, lock_duration=5)
    assert reopened.recover_locks(now=201) == 1
    assert reopened.lock_next("q", now=204) is None
    redelivered = reopened.lock_next("q", now=205)
    assert redelivered is not None and redelivered.delivery_count == 2
    # Completing with a stale lock token does nothing.
    reopened.complete(locked)
    assert reopened.counts()["q"]["locked"] == 1


def test_disabled_setting_in_both_spellings() -> None:
    from devhost.host import _disabled

    assert _disabled("work", {"AzureWebJobs.work.Disabled": "true"})
    assert _disabled("work", {"AzureWebJobs__work__Disabled": "1"})
    assert _disabled("work", {"AzureWebJobs.work.Disabled": " TRUE "})
    assert not _disabled("work", {"AzureWebJobs.work.Disabled": "false"})
    assert not _disabled("work", {"AzureWebJobs.other.Disabled": "true"})
    assert not _disabled("work", {})
