"""A realistic alert of each source, for "send a test alert".

The bodies are the vendors' own sample payloads (``shared/alerts/samples/<format>.json``, the
same files as the parser tests' fixtures under ``tests/fixtures/payloads``; a test keeps them
equal). Each test alert is made fresh: one alert, its title marked ``[Test]``, its time now, and
a dedup key of its own (so a second test opens a second incident instead of joining the first,
and none ever joins a real incident).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.alerts.models import SourceFormat
from shared.errors import InvalidInput

SAMPLES = Path(__file__).with_name("samples")
PREFIX = "[Test] "

Doc = dict[str, Any]


def _iso(now: datetime) -> str:
    return now.isoformat().replace("+00:00", "Z")


def _prometheus(doc: Doc, token: str, now: datetime) -> None:
    alert = doc["alerts"][0]
    doc["alerts"] = [alert]
    alert["fingerprint"] = f"test-{token}"
    alert["annotations"]["summary"] = PREFIX + alert["annotations"]["summary"]
    alert["startsAt"] = _iso(now)


def _azure(doc: Doc, token: str, now: datetime) -> None:
    essentials = doc["data"]["essentials"]
    essentials["alertId"] += f"-test-{token}"
    essentials["alertRule"] = PREFIX + essentials["alertRule"]
    essentials["firedDateTime"] = _iso(now)


def _datadog(doc: Doc, token: str, now: datetime) -> None:
    doc["alert_cycle_key"] = f"test-{token}"
    doc["alert_title"] = PREFIX + doc["alert_title"]
    doc["date"] = doc["last_updated"] = str(int(now.timestamp() * 1000))


def _generic(doc: Doc, token: str, now: datetime) -> None:
    doc["id"] = f"test-{token}"
    doc["title"] = PREFIX + doc["title"]
    doc["timestamp"] = _iso(now)


def _pagerduty(doc: Doc, token: str, now: datetime) -> None:
    doc["dedup_key"] = f"test-{token}"
    doc["payload"]["summary"] = PREFIX + doc["payload"]["summary"]
    doc["payload"]["timestamp"] = _iso(now)


def _opsgenie(doc: Doc, token: str, now: datetime) -> None:
    doc["alias"] = f"test-{token}"
    doc["message"] = PREFIX + doc["message"]


def _sentry(doc: Doc, token: str, now: datetime) -> None:
    event = doc["data"]["event"]
    event["issue_id"] = f"test-{token}"
    event["title"] = PREFIX + event["title"]
    event["datetime"] = _iso(now)


FRESHEN: dict[SourceFormat, Callable[[Doc, str, datetime], None]] = {
    SourceFormat.ALERTMANAGER: _prometheus,
    SourceFormat.GRAFANA: _prometheus,
    SourceFormat.AZURE_MONITOR: _azure,
    SourceFormat.DATADOG: _datadog,
    SourceFormat.GENERIC: _generic,
    SourceFormat.PAGERDUTY: _pagerduty,
    SourceFormat.OPSGENIE: _opsgenie,
    SourceFormat.SENTRY: _sentry,
}


@functools.cache
def _sample_text(fmt: SourceFormat) -> str:
    # Read once per process: a test alert is an API request, not a file read on the loop.
    return (SAMPLES / f"{fmt.value}.json").read_text(encoding="utf-8")


def sample_alert(fmt: SourceFormat, *, token: str, now: datetime) -> bytes:
    """The sample body of ``fmt``, made fresh (see the module docstring)."""
    freshen = FRESHEN.get(fmt)
    if freshen is None:
        raise InvalidInput(
            f"{fmt.value} integrations take no alerts to test; call their URL instead.",
            field="format",
        )
    doc: Doc = json.loads(_sample_text(fmt))
    freshen(doc, token, now)
    return json.dumps(doc).encode()
