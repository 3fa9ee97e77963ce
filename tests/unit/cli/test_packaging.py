"""``pip install .`` gives the ``openalert`` command, and it needs nothing of the app."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_console_script_resolves_to_the_cli() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = project["project"]["scripts"]["openalert"]
    module, _, name = target.partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["openalert_cli*"]


def test_the_cli_imports_only_itself_and_its_declared_dependencies() -> None:
    allowed = {"openalert_cli", "httpx", "__future__"}
    for path in (ROOT / "openalert_cli").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top in allowed or top in _stdlib(), f"{path.name} imports {name}"


def _stdlib() -> frozenset[str]:
    import sys

    return frozenset(sys.stdlib_module_names)
