"""Processing ports: escalation is required; per-invocation ports share the instance caches."""

from __future__ import annotations

from typing import cast

import pytest

from shared.pipeline.ports import InstancePorts, ProcessPorts
from shared.store.port import DocumentStore
from tests.fixtures.escalation import RecordedEscalation

#: Never called: these tests only build ports.
UNUSED_STORE = cast(DocumentStore, object())


def test_escalation_is_required() -> None:
    with pytest.raises(TypeError):
        ProcessPorts(store=UNUSED_STORE, claim_check=None)  # type: ignore[call-arg]


def test_with_escalation_shares_the_instance_caches() -> None:
    instance = InstancePorts(store=UNUSED_STORE, claim_check=None)
    escalation = RecordedEscalation()
    ports = instance.with_escalation(escalation)
    assert ports.escalation is escalation
    for name in ("store", "clock", "catalog", "keys", "records", "incidents"):
        assert getattr(ports, name) is getattr(instance, name)
