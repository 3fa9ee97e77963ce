"""Every test the threat model in docs/auth.md cites exists (a renamed test must update it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _threat_model() -> str:
    text = (ROOT / "docs" / "auth.md").read_text(encoding="utf-8")
    start = text.index("## Threat model")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_every_cited_test_file_and_function_exists() -> None:
    section = _threat_model()
    # Placeholders for tests written by other work ("tests/…/test_ingest_tenancy…") are skipped.
    files = {f for f in re.findall(r"`(tests/[^`…]+?\.py)", section)}
    bare = {f for f in re.findall(r"`(test_\w+\.py)", section)}
    assert files and bare
    for path in files:
        assert (ROOT / path).is_file(), path
    sources = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")}
    for name in bare:
        assert name in sources, name
    for name in set(re.findall(r"::(test_\w+)", section)):
        defined = re.compile(rf"^(async )?def {name}\(", re.MULTILINE)
        assert any(defined.search(source) for source in sources.values()), name
    # Each kind of caller has its paragraph.
    for who in (
        "A team admin",
        "A responder",
        "A viewer",
        "An API key",
        "An integration key",
        "An anonymous caller",
    ):
        assert f"**{who}" in section, who
