"""Events parsed per second per source on one core (goal >= 20,000/s for one-alert payloads)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from shared.alerts.parse import parse

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "payloads"
CASES = {
    "alertmanager": "alertmanager/firing.json",
    "grafana": "grafana/firing_two.json",
    "azure_monitor": "azure_monitor/metric_static_resolved.json",
    "datadog": "datadog/triggered.json",
    "pagerduty": "pagerduty/trigger.json",
    "opsgenie": "opsgenie/create.json",
    "generic": "generic/defaults.json",
}


def main() -> None:
    now = datetime.now(UTC)
    for fmt, name in CASES.items():
        body = (FIXTURES / name).read_bytes()
        events_per_call = len(parse(fmt, body, received_at=now))
        n = 0
        started = time.perf_counter()
        while time.perf_counter() - started < 1.0:
            for _ in range(200):
                parse(fmt, body, received_at=now, event_id="bench")
            n += 200
        elapsed = time.perf_counter() - started
        rate = n * events_per_call / elapsed
        print(f"{fmt:>14}: {rate:9.0f} events/s ({events_per_call}/payload, {len(body)} bytes)")


if __name__ == "__main__":
    main()
