from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.store.sqlite import SqliteStore
from tests.contract.statuspages.world import seed_team


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "status.sqlite")
    for team in ("a", "b"):
        await seed_team(opened, team)
    yield opened
    await opened.close()
