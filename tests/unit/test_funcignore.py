"""The deployment package holds the app and nothing else.

Builds the file list the way ``func azure functionapp publish`` and ``azd deploy`` do: every
file under the project root minus what ``.funcignore`` matches (gitignore syntax). The tree
walked is this checkout plus the caches tools leave behind (seeded when absent, so the test does
not depend on what ran before it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pathspec

ROOT = Path(__file__).resolve().parents[2]
#: What ships: the composition root, host settings, dependencies and the two packages.
APP_FILES = {"function_app.py", "host.json", "requirements.txt"}
APP_DIRS = ("functions/", "shared/")
#: Caches and build output tools create in a checkout.
TOOL_LITTER = (
    ".mypy_cache/3.11/cache.db",
    ".hypothesis/examples/0/1",
    ".pytest_cache/v/cache/nodeids",
    ".ruff_cache/0.5.0/123",
    ".schemathesis/cassette.yaml",
    "web/node_modules/react/index.js",
    "web/package.json",
    "shared/__pycache__/config.cpython-311.pyc",
    ".venv/bin/python",
    ".devhost/state.sqlite",
    "local.settings.json",
)


def spec() -> pathspec.PathSpec:
    lines = (ROOT / ".funcignore").read_text().splitlines()
    assert not any(line.startswith("!") for line in lines), "negations parse differently per tool"
    return pathspec.PathSpec.from_lines("gitignore", lines)


def package_files(ignore: pathspec.PathSpec) -> set[str]:
    shipped: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(ROOT, followlinks=False):
        rel_dir = Path(dirpath).relative_to(ROOT).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = [
            d
            for d in dirnames
            if not ignore.match_file(prefix + d + "/") and not Path(dirpath, d).is_symlink()
        ]
        shipped |= {prefix + f for f in filenames if not ignore.match_file(prefix + f)}
    shipped |= {p for p in TOOL_LITTER if not ignore.match_file(p)}
    return shipped


def is_app(path: str) -> bool:
    return path in APP_FILES or path.startswith(APP_DIRS)


def test_nothing_but_the_app_ships() -> None:
    extra = sorted(p for p in package_files(spec()) if not is_app(p))
    assert not extra, f".funcignore lets these into the package: {extra[:20]}"


def test_the_app_itself_ships() -> None:
    shipped = package_files(spec())
    assert APP_FILES <= shipped
    for package in APP_DIRS:
        sources = {
            p.relative_to(ROOT).as_posix()
            for p in (ROOT / package).rglob("*.py")
            if "__pycache__" not in p.parts
        }
        assert sources and sources <= shipped, f"{package} is not shipped whole"


def test_local_demo_seeding_does_not_ship() -> None:
    """``make run``'s demo team, users and integration keys are for a laptop, never Azure."""
    shipped = package_files(spec())
    assert not [p for p in shipped if p.endswith("demo.py")]
