"""The unit tier's guard (tests/unit/conftest.py) refuses every way out of the process."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shared.store.sqlite import SqliteStore
from tests.unit.conftest import ImpureUnitTest


async def test_a_sqlite_store_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(ImpureUnitTest):
        sqlite3.connect(":memory:")
    with pytest.raises(ImpureUnitTest):
        await SqliteStore.open(tmp_path / "store.sqlite")


async def test_no_socket_connects_or_listens() -> None:
    with socket.socket() as s, pytest.raises(ImpureUnitTest):
        s.bind(("127.0.0.1", 0))
    with socket.socket() as s, pytest.raises(ImpureUnitTest):
        s.connect(("127.0.0.1", 9))
    with pytest.raises(ImpureUnitTest):
        await asyncio.open_connection("127.0.0.1", 9)
    with pytest.raises(ImpureUnitTest):
        await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)


def test_no_process_starts() -> None:
    with pytest.raises(ImpureUnitTest):
        subprocess.run([sys.executable, "-c", "pass"], check=False)


async def test_no_process_starts_from_the_event_loop() -> None:
    with pytest.raises(ImpureUnitTest):
        await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
