from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.incidents.grouping import DedupRecord, decide_grouping
from shared.incidents.models import IncidentStatus

T0 = datetime(2026, 11, 22, tzinfo=UTC)


def record(open_: bool = True) -> DedupRecord:
    return DedupRecord(
        integration_id="i",
        dedup_key="k",
        incident_id="inc",
        open=open_,
        first_seen=T0,
        last_seen=T0,
    )


S = IncidentStatus


@pytest.mark.parametrize(
    ("action", "rec", "status", "refire", "expected"),
    [
        ("trigger", None, None, "new_incident", "create"),
        ("trigger", record(), None, "new_incident", "append"),
        ("trigger", record(), S.ACKNOWLEDGED, "new_incident", "append"),
        ("trigger", record(), S.SNOOZED, "new_incident", "append"),
        ("trigger", record(False), None, "new_incident", "create"),
        ("trigger", record(False), None, "reopen", "reopen"),
        # Resolved by hand while the record still says open: the incident's status wins.
        ("trigger", record(True), S.RESOLVED, "new_incident", "create"),
        ("trigger", record(True), S.RESOLVED, "reopen", "reopen"),
        ("resolve", record(), S.TRIGGERED, "new_incident", "resolve"),
        ("resolve", record(), S.ACKNOWLEDGED, "new_incident", "resolve"),
        ("resolve", None, None, "new_incident", "ignore"),
        ("resolve", record(False), None, "new_incident", "ignore"),
        ("acknowledge", record(), S.TRIGGERED, "new_incident", "acknowledge"),
        ("acknowledge", record(), S.ACKNOWLEDGED, "new_incident", "ignore"),
        ("acknowledge", None, None, "new_incident", "ignore"),
    ],
)
def test_grouping_table(
    action: str, rec: DedupRecord | None, status: IncidentStatus | None, refire: str, expected: str
) -> None:
    decision = decide_grouping(action=action, record=rec, incident_status=status, on_refire=refire)  # type: ignore[arg-type]
    assert decision.kind == expected
    assert decision.reason


@given(
    action=st.sampled_from(["trigger", "acknowledge", "resolve"]),
    has_record=st.booleans(),
    open_=st.booleans(),
    status=st.none() | st.sampled_from(list(IncidentStatus)),
    refire=st.sampled_from(["reopen", "new_incident"]),
)
def test_only_triggers_create_and_never_for_an_open_key(
    action: str, has_record: bool, open_: bool, status: IncidentStatus | None, refire: str
) -> None:
    rec = record(open_) if has_record else None
    kind = decide_grouping(action=action, record=rec, incident_status=status, on_refire=refire).kind  # type: ignore[arg-type]
    if kind in ("create", "reopen", "append"):
        assert action == "trigger"
    if kind == "create" and rec is not None:
        effective_open = status != IncidentStatus.RESOLVED if status is not None else open_
        assert not effective_open
