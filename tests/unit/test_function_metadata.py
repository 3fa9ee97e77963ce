"""Wiring checks over the registered function metadata (what the worker sends the host)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def test_health_route_is_public_get(app_functions: dict[str, Any]) -> None:
    trigger = app_functions["health_live"].get_trigger().get_dict_repr()
    assert trigger["type"] == "httpTrigger"
    assert trigger["route"] == "health"
    assert [str(m.value if hasattr(m, "value") else m) for m in trigger["methods"]] == ["GET"]


def test_function_names_are_unique_snake_case(app_functions: dict[str, Any]) -> None:
    names = list(app_functions)
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n for n in names)


def test_host_json_contract() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    assert host["extensions"]["http"]["routePrefix"] == "api"
    assert "serviceBus" in host["extensions"]
    assert "durableTask" in host["extensions"]


_SDK_IMPORTS = (
    "import azure.functions",
    "from azure.functions",
    "import azure.durable_functions",
    "from azure.durable_functions",
)


def test_shared_never_imports_the_functions_sdk() -> None:
    offenders = []
    for path in (ROOT / "shared").rglob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(_SDK_IMPORTS):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_ingest_functions_enqueue_to_the_alerts_queue(app_functions: dict[str, Any]) -> None:
    routes = {}
    for name in (
        "ingest_integration",
        "ingest_heartbeat",
        "ingest_pagerduty",
        "ingest_opsgenie_create",
        "ingest_opsgenie_action",
    ):
        bindings = {b.type: b.get_dict_repr() for b in app_functions[name].get_bindings()}
        assert bindings["serviceBus"]["queueName"] == "alerts"
        assert bindings["serviceBus"]["connection"] == "ServiceBusConnection"
        routes[name] = bindings["httpTrigger"]["route"]
    assert routes["ingest_integration"] == "integrations/{key?}"
    assert routes["ingest_pagerduty"] == "pagerduty/v2/enqueue"
    assert routes["ingest_opsgenie_create"] == "opsgenie/v2/alerts"


def test_processing_consumes_the_alerts_queue(app_functions: dict[str, Any]) -> None:
    trigger = app_functions["process_alerts"].get_trigger().get_dict_repr()
    assert trigger["type"] == "serviceBusTrigger"
    assert trigger["queueName"] == "alerts"
    assert trigger["connection"] == "ServiceBusConnection"


def test_heartbeat_monitor_runs_every_minute(app_functions: dict[str, Any]) -> None:
    trigger = app_functions["heartbeat_monitor"].get_trigger().get_dict_repr()
    assert trigger["type"] == "timerTrigger"
    assert trigger["schedule"] == "0 * * * * *"


def test_voice_callback_is_a_post_route_that_queues_notifications(
    app_functions: dict[str, Any],
) -> None:
    bindings = {b.type: b.get_dict_repr() for b in app_functions["voice_callback"].get_bindings()}
    trigger = bindings["httpTrigger"]
    assert trigger["route"] == "voice/callbacks/{token}"
    assert [str(m.value if hasattr(m, "value") else m) for m in trigger["methods"]] == ["POST"]
    assert bindings["serviceBus"]["queueName"] == "notifications"
    assert "durableClient" in bindings
