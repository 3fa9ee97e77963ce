"""The test-alert samples: the vendors' payloads the parser tests use, each parsed by the real
parser into one fresh, marked alert of its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.alerts.models import SourceFormat
from shared.alerts.parse import parse
from shared.alerts.samples import FRESHEN, SAMPLES, sample_alert
from shared.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
#: The fixture each sample is a copy of.
SOURCE = {
    "alertmanager": "alertmanager/firing.json",
    "grafana": "grafana/firing_two.json",
    "azure_monitor": "azure_monitor/metric_dynamic_fired.json",
    "datadog": "datadog/triggered.json",
    "generic": "generic/defaults.json",
    "opsgenie": "opsgenie/create.json",
    "pagerduty": "pagerduty/trigger.json",
    "sentry": "sentry/issue_alert.json",
}


def test_every_alert_format_but_heartbeats_has_a_sample_equal_to_its_fixture() -> None:
    assert set(FRESHEN) == set(SourceFormat) - {SourceFormat.HEARTBEAT}
    assert sorted(p.stem for p in SAMPLES.glob("*.json")) == sorted(SOURCE)
    for fmt, fixture in SOURCE.items():
        assert (SAMPLES / f"{fmt}.json").read_bytes() == (FIXTURES / fixture).read_bytes(), fmt


@pytest.mark.parametrize("fmt", sorted(FRESHEN))
def test_each_sample_parses_into_one_fresh_marked_trigger(fmt: SourceFormat) -> None:
    first = parse(fmt, sample_alert(fmt, token="t1", now=NOW), received_at=NOW, event_id="e")
    second = parse(fmt, sample_alert(fmt, token="t2", now=NOW), received_at=NOW, event_id="e")
    (event,) = first
    assert event.action == "trigger"
    assert event.title.startswith("[Test] "), event.title
    assert "t1" in event.dedup_key and second[0].dedup_key != event.dedup_key
    if fmt != SourceFormat.OPSGENIE:  # Opsgenie's Alert API carries no alert time
        assert event.occurred_at == NOW, event.occurred_at


def test_heartbeats_have_no_sample_alert() -> None:
    with pytest.raises(InvalidInput, match="heartbeat"):
        sample_alert(SourceFormat.HEARTBEAT, token="t", now=NOW)
