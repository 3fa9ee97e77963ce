"""Every vendor example payload produces exactly the expected normalized events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.alerts.parse import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "payloads"
RECEIVED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CASES = sorted(p for p in FIXTURES.glob("*/*.json") if not p.name.endswith(".expected.json"))


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def test_every_fixture_has_expectations() -> None:
    assert CASES
    missing = [p.name for p in CASES if not p.with_suffix(".expected.json").exists()]
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(case: Path) -> None:
    expected: list[dict[str, Any]] = json.loads(case.with_suffix(".expected.json").read_text())
    events = parse(case.parent.name, case.read_bytes(), received_at=RECEIVED, event_id="req-1")
    assert len(events) == len(expected)
    for event, want in zip(events, expected, strict=True):
        got = event.model_dump(mode="json")
        got["occurred_at"] = event.occurred_at.isoformat()
        for key, value in want.items():
            if key.endswith(".startswith"):
                assert str(_get(got, key.removesuffix(".startswith"))).startswith(value), key
            else:
                assert _get(got, key) == value, key
        # Every event is complete enough to open an incident.
        assert event.title and event.dedup_key and event.occurred_at.tzinfo is not None
