"""Parser behaviour beyond the fixtures: errors, limits, actions, and properties (hypothesis)."""

from __future__ import annotations

import copy
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.alerts.models import AlertEvent, InvalidPayload, PayloadTooBig, SourceFormat
from shared.alerts.parse import MAX_BYTES, parse
from shared.alerts.sources import heartbeat, opsgenie, pagerduty
from shared.alerts.sources.generic import parse as parse_generic

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
BODY_FORMATS = [f for f in SourceFormat if f not in (SourceFormat.HEARTBEAT,)]


def fixture(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return doc


def run(fmt: str, body: bytes | dict[str, Any], **kw: Any) -> list[AlertEvent]:
    return parse(
        fmt, body if isinstance(body, bytes) else json.dumps(body).encode(), received_at=NOW, **kw
    )


@pytest.mark.parametrize("fmt", BODY_FORMATS)
def test_non_json_and_non_objects_are_invalid(fmt: SourceFormat) -> None:
    for body in (b"", b"{nope", b"[1,2]", b'"text"', b"\xff\xfe"):
        with pytest.raises(InvalidPayload) as err:
            run(fmt, body)
        assert err.value.status == 400 and err.value.extensions["field"]


@pytest.mark.parametrize("fmt", BODY_FORMATS)
def test_bodies_over_the_source_limit_are_413(fmt: SourceFormat) -> None:
    with pytest.raises(PayloadTooBig) as err:
        run(fmt, b"{" + b" " * MAX_BYTES[fmt] + b"}")
    assert err.value.status == 413


def test_invalid_field_names_the_path_and_expectation() -> None:
    doc = fixture("alertmanager/firing.json")
    doc["alerts"][0]["status"] = "burning"
    with pytest.raises(InvalidPayload) as err:
        run("alertmanager", doc)
    assert err.value.extensions["field"] == "$.alerts[0].status"
    doc = fixture("azure_monitor/metric_static_resolved.json")
    doc["schemaId"] = "Microsoft.Insights/activityLogs"
    with pytest.raises(InvalidPayload, match="schemaId"):
        run("azure_monitor", doc)
    doc = fixture("grafana/firing_two.json")
    doc["version"] = "4"
    with pytest.raises(InvalidPayload, match="version"):
        run("grafana", doc)


def test_unknown_fields_are_kept_not_rejected() -> None:
    doc = fixture("pagerduty/trigger.json")
    doc["brand_new_field"] = {"x": 1}
    doc["payload"]["another"] = [1]
    [event] = run("pagerduty", doc)
    assert event.dedup_key == "srv01/mysql"


def test_pagerduty_generates_a_stable_dedup_key_per_request() -> None:
    doc = fixture("pagerduty/trigger.json")
    del doc["dedup_key"]
    first = run("pagerduty", doc, event_id="req-1")[0].dedup_key
    assert first == run("pagerduty", doc, event_id="req-1")[0].dedup_key
    assert first != run("pagerduty", doc, event_id="req-2")[0].dedup_key
    assert len(first) == 32


def test_pagerduty_rules_and_response_shapes() -> None:
    with pytest.raises(InvalidPayload, match="dedup_key"):
        run("pagerduty", {"routing_key": "k", "event_action": "resolve"})
    with pytest.raises(InvalidPayload, match="payload"):
        run("pagerduty", {"routing_key": "k", "event_action": "trigger"})
    with pytest.raises(InvalidPayload, match="severity"):
        run(
            "pagerduty",
            {
                "routing_key": "k",
                "event_action": "trigger",
                "payload": {"summary": "s", "source": "h", "severity": "fatal"},
            },
        )
    assert pagerduty.accepted("k1") == (
        202,
        {"status": "success", "message": "Event processed", "dedup_key": "k1"},
    )
    status, body = pagerduty.invalid("bad")
    assert status == 400 and body == {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["bad"],
    }


def test_opsgenie_actions_by_alias_id_and_tiny() -> None:
    ack = opsgenie.parse_action(
        "acknowledge", "my-alias", "alias", b'{"user":"ops","note":"on it"}', received_at=NOW
    )
    assert (ack.action, ack.dedup_key, ack.note, ack.actor) == (
        "acknowledge",
        "my-alias",
        "on it",
        "ops",
    )
    close = opsgenie.parse_action("close", "42", "tiny", b"", received_at=NOW)
    assert (
        close.action == "resolve"
        and close.target is not None
        and close.target.by == "incident_number"
    )
    by_id = opsgenie.parse_action("close", "inc-1", None, b"{}", received_at=NOW)
    assert by_id.target is not None and by_id.target.by == "incident_id"
    note = opsgenie.parse_action("notes", "a", "alias", b'{"note":"hi"}', received_at=NOW)
    assert note.action == "note" and note.note == "hi"
    with pytest.raises(InvalidPayload, match="note"):
        opsgenie.parse_action("notes", "a", "alias", b"{}", received_at=NOW)
    with pytest.raises(InvalidPayload, match="identifierType"):
        opsgenie.parse_action("close", "a", "name", b"{}", received_at=NOW)
    with pytest.raises(InvalidPayload):
        opsgenie.parse_action("explode", "a", "alias", b"{}", received_at=NOW)
    status, body = opsgenie.accepted("r-1", 0.0123)
    assert status == 202 and body == {
        "result": "Request will be processed",
        "took": 0.012,
        "requestId": "r-1",
    }


def test_opsgenie_rejects_bad_priority_and_missing_message() -> None:
    with pytest.raises(InvalidPayload, match="priority"):
        run("opsgenie", {"message": "m", "priority": "P0"})
    with pytest.raises(InvalidPayload, match="message"):
        run("opsgenie", {"alias": "a"})


def test_opsgenie_without_alias_is_a_new_alert_each_request() -> None:
    a = run("opsgenie", {"message": "m"}, event_id="r1")[0].dedup_key
    b = run("opsgenie", {"message": "m"}, event_id="r2")[0].dedup_key
    assert a != b


def test_generic_mapping_paths() -> None:
    body = json.dumps(
        {"alert": {"name": "Queue stuck", "key": ["k1"], "state": "RESOLVED", "sev": "warning"}}
    ).encode()
    mapping = {
        "title": "/alert/name",
        "dedup_key": "alert.key.0",
        "status": "/alert/state",
        "severity": "alert.sev",
    }
    [event] = parse_generic(body, received_at=NOW, mapping=mapping)
    assert (event.title, event.dedup_key, event.action, event.severity) == (
        "Queue stuck",
        "k1",
        "resolve",
        "P3",
    )
    with pytest.raises(InvalidPayload, match="mapping"):
        parse_generic(body, received_at=NOW, mapping={"colour": "/x"})


def test_heartbeat_ping_resolves_what_missed_triggers() -> None:
    ping = heartbeat.ping("nightly-backup", received_at=NOW)
    missed = heartbeat.missed("nightly-backup", last_ping=None, now=NOW, interval_seconds=3600)
    assert ping.dedup_key == missed.dedup_key
    assert (ping.action, missed.action) == ("resolve", "trigger")
    with pytest.raises(InvalidPayload):
        heartbeat.ping("bad name/../x", received_at=NOW)


def test_nul_bytes_in_text_are_replaced() -> None:
    doc = fixture("alertmanager/firing.json")
    doc["alerts"][0]["annotations"]["summary"] = "bad\x00byte"
    assert run("alertmanager", doc)[0].title == "bad\ufffdbyte"


# --- properties -----------------------------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
SAMPLES = {
    "alertmanager": "alertmanager/firing.json",
    "grafana": "grafana/firing_two.json",
    "azure_monitor": "azure_monitor/log_search_v2_fired.json",
    "datadog": "datadog/triggered.json",
    "pagerduty": "pagerduty/trigger.json",
    "opsgenie": "opsgenie/create.json",
    "generic": "generic/defaults.json",
    "sentry": "sentry/issue_alert.json",
}


@pytest.mark.parametrize("fmt", BODY_FORMATS)
@given(doc=JSON)
def test_arbitrary_json_only_raises_invalid_payload(fmt: SourceFormat, doc: Any) -> None:
    try:
        run(fmt, json.dumps(doc).encode())
    except (InvalidPayload, PayloadTooBig):
        pass


def _mutate(doc: Any, rnd: random.Random, replacement: Any) -> Any:
    """Replace one randomly chosen node of ``doc`` with ``replacement``."""
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])

    walk(doc, [])
    path = rnd.choice(paths[1:]) if len(paths) > 1 else []
    if not path:
        return replacement
    target = doc
    for p in path[:-1]:
        target = target[p]
    if rnd.random() < 0.2 and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return doc


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@given(seed=st.integers(0, 2**32), replacement=JSON)
def test_mutated_valid_payloads_only_raise_invalid_payload(
    fmt: str, seed: int, replacement: Any
) -> None:
    doc = _mutate(copy.deepcopy(fixture(SAMPLES[fmt])), random.Random(seed), replacement)
    try:
        events = run(fmt, json.dumps(doc).encode())
    except (InvalidPayload, PayloadTooBig):
        return
    for event in events:
        assert event.dedup_key and event.title


def _shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@given(seed=st.integers(0, 2**32))
def test_dedup_keys_are_stable_under_key_reordering(fmt: str, seed: int) -> None:
    doc = fixture(SAMPLES[fmt])
    if fmt == "alertmanager":
        for alert in doc["alerts"]:
            alert.pop("fingerprint", None)  # exercise the label-hash fallback
    if fmt == "opsgenie":
        doc["alias"] = "fixed"
    original = [e.dedup_key for e in run(fmt, doc, event_id="same")]
    shuffled = [e.dedup_key for e in run(fmt, _shuffled(doc, random.Random(seed)), event_id="same")]
    assert original == shuffled


RESOLVERS = {
    "alertmanager": (
        "alertmanager/firing.json",
        lambda d: [a.update(status="resolved") for a in d["alerts"]],
    ),
    "grafana": (
        "grafana/firing_two.json",
        lambda d: [a.update(status="resolved") for a in d["alerts"]],
    ),
    "azure_monitor": (
        "azure_monitor/log_search_v2_fired.json",
        lambda d: d["data"]["essentials"].update(monitorCondition="Resolved"),
    ),
    "datadog": ("datadog/triggered.json", lambda d: d.update(alert_transition="Recovered")),
    "pagerduty": ("pagerduty/trigger.json", lambda d: d.update(event_action="resolve")),
}


@pytest.mark.parametrize("fmt", sorted(RESOLVERS))
@given(title=st.text(min_size=1, max_size=40))
def test_resolve_carries_the_trigger_dedup_key(fmt: str, title: str) -> None:
    name, resolve = RESOLVERS[fmt]
    trigger_doc = fixture(name)
    resolve_doc = copy.deepcopy(trigger_doc)
    resolve(resolve_doc)
    # Senders re-template titles on resolve; identity must not depend on them.
    if fmt in ("alertmanager", "grafana"):
        for alert in resolve_doc["alerts"]:
            alert["annotations"]["summary"] = title
    triggers = run(fmt, trigger_doc, event_id="t")
    resolves = run(fmt, resolve_doc, event_id="r")
    assert [e.action for e in resolves] == ["resolve"] * len(resolves)
    assert [e.dedup_key for e in triggers] == [e.dedup_key for e in resolves]


def test_service_health_updates_share_the_tracking_id_and_the_resolved_stage_resolves() -> None:
    active = fixture("azure_monitor/activity_log_service_health.json")
    update = copy.deepcopy(active)
    # Each Service Health update is a new Fired alert with a new alertId (stateless alert).
    update["data"]["essentials"]["alertId"] += "-update"
    update["data"]["alertContext"]["properties"]["stage"] = "Resolved"
    other = copy.deepcopy(active)
    other["data"]["alertContext"]["properties"]["trackingId"] = "9999-999"
    [first], [last], [unrelated] = (
        run("azure_monitor", active),
        run("azure_monitor", update),
        run("azure_monitor", other),
    )
    assert (first.action, last.action) == ("trigger", "resolve")
    assert first.dedup_key == last.dedup_key != unrelated.dedup_key


def test_resource_health_available_resolves_the_unavailable_event_of_that_resource() -> None:
    down = fixture("azure_monitor/activity_log_resource_health_resolved.json")
    down["data"]["essentials"]["monitorCondition"] = "Fired"
    props = down["data"]["alertContext"]["properties"]
    props.update(currentHealthStatus="Unavailable", previousHealthStatus="Available")
    up = copy.deepcopy(down)
    up["data"]["essentials"]["alertId"] += "-2"
    up["data"]["alertContext"]["properties"]["currentHealthStatus"] = "Available"
    [opened], [closed] = run("azure_monitor", down), run("azure_monitor", up)
    assert (opened.action, closed.action) == ("trigger", "resolve")
    assert opened.dedup_key == closed.dedup_key


def test_a_payload_without_the_common_schema_says_to_enable_it() -> None:
    # The pre-common-schema budget notification (learn.microsoft.com, cost-management-budget-
    # scenario): no data.essentials, so the schema, not a missing field, is what to fix.
    legacy = {
        "schemaId": "AIP Budget Notification",
        "data": {"SubscriptionName": "CCM", "BudgetName": "b", "SpendingAmount": "100"},
    }
    for doc in (legacy, {"data": {"context": {}}, "status": "Activated"}):
        with pytest.raises(InvalidPayload) as err:
            run("azure_monitor", doc)
        assert err.value.extensions["field"] == "$.schemaId"
        assert "common alert schema" in err.value.extensions["expected"]


def test_generic_tags_as_pairs_or_strings_and_a_link() -> None:
    pairs = {"title": "Disk full", "tags": [["env", "prod"], ["role", "db"]], "url": "https://x/1"}
    strings = {"title": "Disk full", "tags": ["env:prod", "role:db"]}
    joined = {"title": "Disk full", "tags": "env:prod,role:db"}
    for doc in (pairs, strings, joined):
        [event] = run("generic", doc)
        assert event.labels == {"env": "prod", "role": "db"}
    [event] = run("generic", pairs)
    assert [link.url for link in event.links] == ["https://x/1"]
    body = json.dumps({"name": "x", "meta": {"page": "https://x/2"}}).encode()
    [event] = parse_generic(body, received_at=NOW, mapping={"link": "meta.page"})
    assert [link.url for link in event.links] == ["https://x/2"]
    [event] = run("generic", {"title": "x", "link": "javascript:alert(1)"})
    assert event.links == ()


def test_generic_body_without_a_title_is_refused_with_what_to_map() -> None:
    # Two unrelated unmapped payloads would otherwise collapse into one incident "Alert".
    with pytest.raises(InvalidPayload) as err:
        run("generic", {"event": {"what": "disk full"}})
    assert err.value.extensions["field"] == "$.title"
    assert "generic_mapping.title" in err.value.extensions["expected"]
    with pytest.raises(InvalidPayload) as err:
        parse_generic(b'{"a": 1}', received_at=NOW, mapping={"title": "/alert/name"})
    assert err.value.extensions["field"] == "mapping.title"


def test_sentry_resources_that_page_nobody_are_accepted_and_change_nothing() -> None:
    # https://docs.sentry.io/integrations/integration-platform/webhooks/comments/
    comment = {
        "action": "created",
        "data": {"comment": "adding a comment", "project_slug": "sentry", "issue_id": 100},
        "actor": {"type": "user", "id": 1, "name": "colleen"},
    }
    assert run("sentry", comment) == []
    with pytest.raises(InvalidPayload):
        run("sentry", {"action": "created", "data": {"something": {}}})


# Raw JSON fragments no ``json.dumps`` of a Python value produces, each once a 500: numbers too
# long to print, non-finite numbers, nesting past any recursion limit; and strings every channel
# must survive (control characters, bidi overrides, a 1 MB field).
HOSTILE_FRAGMENTS = [
    "9" * 5000,
    "-" + "1" * 4400,
    "1e999",
    "NaN",
    "-Infinity",
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 70 + "1" + "}" * 70,
    json.dumps("line\r\nbreak\x00\x07\x1b[31m \u202eevil\u2066 \u2028"),
    json.dumps("\ud800 lone surrogate"),
    json.dumps("x" * (1024 * 1024 - 200)),
]
_SLOT = "__hostile_slot__"


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@given(seed=st.integers(0, 2**32), fragment=st.sampled_from(HOSTILE_FRAGMENTS))
def test_hostile_fragments_in_valid_payloads_only_raise_invalid_payload(
    fmt: str, seed: int, fragment: str
) -> None:
    doc = _mutate(copy.deepcopy(fixture(SAMPLES[fmt])), random.Random(seed), _SLOT)
    body = json.dumps(doc).replace(json.dumps(_SLOT), fragment).encode()
    try:
        events = run(fmt, body)
    except (InvalidPayload, PayloadTooBig):
        return
    for event in events:
        assert event.dedup_key and event.title
        # What processing stores and enqueues: strict JSON, encodable as UTF-8.
        json.dumps(event.model_dump(mode="json"), allow_nan=False).encode()


@pytest.mark.parametrize(
    ("fmt", "sample"),
    [("alertmanager", "alertmanager/firing.json"), ("grafana", "grafana/firing_two.json")],
)
def test_a_batch_says_how_many_alerts_it_left_out(fmt: str, sample: str) -> None:
    """``max_alerts`` makes Alertmanager (and Grafana's webhook) send part of a group with
    ``truncatedAlerts``; the alerts left out never arrive, so each alert that did carries the
    count (never silently)."""
    doc = fixture(sample)
    assert all("truncated_alerts" not in e.details for e in run(fmt, doc))
    doc["truncatedAlerts"] = 50
    events = run(fmt, doc)
    assert events and all(e.details["truncated_alerts"] == 50 for e in events)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd"])
def test_no_source_can_hand_responders_a_non_web_link(url: str) -> None:
    pd = fixture("pagerduty/trigger.json")
    pd["links"] = [{"href": url, "text": "x"}, {"href": "https://ok.example/1", "text": "ok"}]
    pd["client_url"] = url
    og = {"message": "m", "details": {}, "source": url}
    [pd_event] = run("pagerduty", pd)
    assert [link.url for link in pd_event.links] == ["https://ok.example/1"]
    for event in run("opsgenie", og):
        assert all(link.url.startswith(("https://", "http://")) for link in event.links)
