"""Schemathesis against the real app in devhost: every operation of the OpenAPI document, every
check (no 5xx, answers match the documented schema, what the server refuses is declared, a 405
carries ``Allow``), signed in through devhost's identity provider as an admin.

The run is deterministic (fixed seed, no example database) and bounded (a few examples per
operation) so it fits ``make test``; ``openapi_fuzz_baseline.json`` lists the failures still
accepted, by operation and check, and any failure not on it fails this test. To accept a
failure on purpose (rather than fix the document or the handler), delete that file and run this
test once: that run records what it finds, and fails; review the diff before committing it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from devhost.demo import seed
from shared.schedules.models import Frequency, Layer, Schedule
from shared.store.sqlite import SqliteStore
from tests.fixtures.devhost import ROOT, DevhostHandle, start_devhost
from tests.fixtures.seed import paging_settings, person_token

BASELINE = Path(__file__).with_name("openapi_fuzz_baseline.json")
CONFIG = Path(__file__).with_name("openapi_fuzz.toml")
#: Examples per operation and phase: enough to hit every parameter's edges in the coverage
#: phase, few enough for about a minute on two cores.
MAX_EXAMPLES = 3
SEED = 20261202
#: A schedule for the ``schedule_id`` the config names: shift arithmetic runs on real layers.
SCHEDULE = Schedule(
    id="sched-fuzz",
    name="Fuzzed rotation",
    team_id="team-demo",
    time_zone="Pacific/Kiritimati",
    layers=(
        Layer(
            name="daily",
            participants=("demo-alice", "demo-bob"),
            start=datetime(2026, 1, 1, 9, 0),
            frequency=Frequency.DAILY,
        ),
    ),
)


@pytest.fixture(scope="module")
def fuzz_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DevhostHandle, str]]:
    state = tmp_path_factory.mktemp("openapi-fuzz")
    db = state / "openalert.sqlite"

    async def do_seed() -> None:
        store = await SqliteStore.open(db)
        try:
            await seed(store, {})
            await store.upsert("schedules", {**SCHEDULE.model_dump(mode="json"), "pk": SCHEDULE.id})
        finally:
            await store.close()

    asyncio.run(do_seed())
    handle = start_devhost(app_dir=ROOT, state=state / "devhost.sqlite", env=paging_settings(db))
    token = person_token(handle, email="fuzz-admin@example.com", roles=("Admin",))
    yield handle, token
    handle.stop()


def schemathesis_command(base_url: str, token: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from schemathesis.cli import schemathesis; schemathesis()",
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/v1/openapi.json",
        "--url",
        f"{base_url}/api/v1",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--continue-on-failure",
        *extra,
    ]


@pytest.mark.slow
@pytest.mark.timeout(360)
def test_every_operation_passes_every_schemathesis_check(
    fuzz_host: tuple[DevhostHandle, str],
) -> None:
    host, token = fuzz_host
    run = subprocess.run(
        schemathesis_command(host.base_url, token, "--baseline", str(BASELINE)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    assert "Server error" not in run.stdout
