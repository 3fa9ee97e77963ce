"""The incident's alert records: bounded in size, moved to chunks whole, found again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from shared.incidents import alertlog
from shared.incidents.models import Incident

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _record(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"env-{n}-0",
        "action": "trigger",
        "grouping": "append",
        "title": "disk full",
        "received_at": f"2026-12-01T09:00:{n % 60:02d}.000000Z",
        **extra,
    }


text = st.text(max_size=3000)


@given(
    labels=st.dictionaries(st.text(max_size=40), text, max_size=30),
    links=st.lists(
        st.fixed_dictionaries({"href": text, "text": st.text(max_size=20)}), max_size=20
    ),
    source_ids=st.dictionaries(st.text(max_size=20), text, max_size=10),
)
@example(labels={f"k{i}": "v" * 1000 for i in range(40)}, links=[], source_ids={"a": "b" * 20_000})
def test_a_clipped_record_fits_and_keeps_what_readers_need(
    labels: dict[str, str], links: list[dict[str, str]], source_ids: dict[str, str]
) -> None:
    record = _record(1, labels=labels, links=links, source_ids=source_ids)
    clipped = alertlog.clip(record)
    assert _size(clipped) <= alertlog.RECORD_MAX_BYTES
    if _size(record) <= alertlog.RECORD_MAX_BYTES:
        assert clipped == record
    else:
        assert clipped["clipped"] is True
        assert {k: clipped[k] for k in ("id", "action", "grouping", "received_at")} == {
            k: record[k] for k in ("id", "action", "grouping", "received_at")
        }
        # What is kept is the original's, entry for entry.
        assert clipped["labels"].items() <= labels.items()
        assert all(link in links for link in clipped["links"])


def _incident() -> Incident:
    return Incident(
        id="inc-1",
        number=1,
        title="disk full",
        team_id="t",
        service_id="svc",
        created_at=NOW,
        updated_at=NOW,
        alert_count=0,
    )


def test_the_kept_records_move_to_one_chunk_when_one_more_arrives() -> None:
    incident = _incident()
    chunks = []
    for n in range(2 * alertlog.RECENT_ALERTS_KEPT + 1):
        incident, chunk = alertlog.add(incident, _record(n), count=n % 2 == 0)
        if chunk is not None:
            chunks.append(chunk)
    assert [c["alert_ids"][0] for c in chunks] == [
        "env-0-0",
        f"env-{alertlog.RECENT_ALERTS_KEPT}-0",
    ]
    assert all(len(c["alerts"]) == alertlog.RECENT_ALERTS_KEPT for c in chunks)
    assert chunks[0]["id"] == alertlog.chunk_id("env-0-0")
    assert chunks[0]["received_at"] == max(a["received_at"] for a in chunks[0]["alerts"])
    assert [a["id"] for a in incident.recent_alerts] == [f"env-{2 * alertlog.RECENT_ALERTS_KEPT}-0"]
    assert incident.alert_count == alertlog.RECENT_ALERTS_KEPT + 1  # only firing ones count
    last = f"env-{2 * alertlog.RECENT_ALERTS_KEPT}-0"
    assert alertlog.held(incident, last) == _record(2 * alertlog.RECENT_ALERTS_KEPT)
    assert alertlog.held(incident, "env-0-0") is None
    flat = alertlog.flatten(chunks, incident)
    assert [a["id"] for a in flat] == [f"env-{n}-0" for n in range(2 * alertlog.RECENT_ALERTS_KEPT)]


def test_a_duplicate_with_the_same_labels_does_not_store_them_again() -> None:
    labels = {f"label_{n}": f"value-{n}-" + "x" * 40 for n in range(6)}
    incident = _incident()
    for n in range(3):
        incident, _ = alertlog.add(incident, _record(n, labels=labels), count=True)
    assert ["labels" in a for a in incident.recent_alerts] == [True, False, False]
    assert [a["labels"] for a in alertlog.expand(incident.recent_alerts)] == [labels] * 3


@given(
    st.lists(
        st.sampled_from([{}, {"a": "1"}, {"a": "2"}, {"a": "1", "b": "x"}]),
        min_size=1,
        max_size=3 * alertlog.RECENT_ALERTS_KEPT + 2,
    )
)
def test_every_reader_sees_each_records_own_labels(sequence: list[dict[str, str]]) -> None:
    incident = _incident()
    chunks = []
    for n, labels in enumerate(sequence):
        incident, chunk = alertlog.add(incident, _record(n, labels=labels), count=True)
        if chunk is not None:
            chunks.append(chunk)
    # Every document starts with a record that carries its labels: each reads on its own.
    assert all("labels" in c["alerts"][0] for c in chunks)
    assert "labels" in incident.recent_alerts[0]
    shown = [*alertlog.flatten(chunks, incident), *alertlog.expand(incident.recent_alerts)]
    assert [a["labels"] for a in shown] == sequence
    assert [a["id"] for a in shown] == [f"env-{n}-0" for n in range(len(sequence))]
