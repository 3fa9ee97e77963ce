"""Suite-wide test configuration.

Services a test needs (Azurite, PostgreSQL, the Cosmos emulator, devhost itself) are started by
fixtures under ``tests/fixtures/`` and stopped after; nothing is started by hand.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.fixtures.tiers import tier_marks

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.cosmos", "tests.fixtures.azurite"]

# One profile for the whole suite: enough examples to find parser bugs, bounded for CI time
# (make test must stay under 10 minutes on 2 cores). HYPOTHESIS_PROFILE=thorough for more.
settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
# make test-fast: the inner loop tries fewer examples; make test still runs the default.
settings.register_profile(
    "fast", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def app_functions() -> dict[str, Any]:
    """``function_app.app.get_functions()`` by name; the SDK allows only one call per process."""
    import function_app

    return {f.get_function_name(): f for f in function_app.app.get_functions()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test for the servers and processes it needs (tests/fixtures/tiers.py)."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        for mark in sorted(tier_marks(Path(item.path), names)):
            item.add_marker(getattr(pytest.mark, mark))
