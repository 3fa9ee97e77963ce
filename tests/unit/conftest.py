"""The unit tier is pure: no store, no socket, no process.

A test that needs a real SQLite store, a local server or a child process belongs in
``tests/contract`` (or e2e); the guard below makes the tier say so instead of relying on review.
Function-scoped and autouse, so it is in place before any fixture the test asks for.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest


class ImpureUnitTest(AssertionError):
    """A unit test reached for I/O that makes it a contract test."""


def _forbid(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise ImpureUnitTest(f"tests/unit must be pure: {what} belongs in tests/contract")

    return refuse


@pytest.fixture(autouse=True)
def pure_unit_tier(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sqlite3, "connect", _forbid("opening a SQLite store"))
    monkeypatch.setattr(socket.socket, "connect", _forbid("connecting a socket"))
    monkeypatch.setattr(socket.socket, "connect_ex", _forbid("connecting a socket"))
    monkeypatch.setattr(socket.socket, "bind", _forbid("binding a socket (a server)"))
    monkeypatch.setattr(subprocess, "Popen", _forbid("starting a process"))
    yield
