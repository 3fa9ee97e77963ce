"""Tests are marked for what they need (tests/fixtures/tiers.py), so make test-fast can trust it."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from tests.fixtures.tiers import tier_marks


@pytest.mark.parametrize(
    ("path", "fixtures", "marks"),
    [
        ("tests/unit/incidents/test_lifecycle.py", ["tmp_path"], set()),
        ("tests/contract/test_store_open.py", ["postgres_dsn"], {"postgres"}),
        ("tests/contract/test_x.py", ["cosmos_emulator", "tmp_path"], {"cosmos"}),
        ("tests/e2e/test_pipeline_e2e.py", ["azurite_connection_string"], {"azurite", "slow"}),
        ("tests/e2e/test_escalation_e2e.py", ["env"], {"slow"}),
        ("tests/devhost/test_durable_e2e.py", ["host"], {"slow"}),
        ("tests/devhost/test_durable_units.py", ["tmp_path"], set()),
    ],
)
def test_marks_follow_the_fixtures_and_the_tier(
    path: str, fixtures: list[str], marks: set[str]
) -> None:
    assert tier_marks(PurePath(path), fixtures) == marks


def test_every_backend_but_sqlite_is_marked_for_its_server() -> None:
    from tests.fixtures.stores import BACKENDS

    marked = {
        b if isinstance(b, str) else b.values[0]: {m.name for m in getattr(b, "marks", ())}
        for b in BACKENDS
    }
    assert marked == {"sqlite": set(), "postgres": {"postgres"}, "cosmos": {"cosmos"}}
