"""``tools/export_openapi.py`` writes the document the app serves, with no server running."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared.api.openapi import document
from shared.api.v1 import API

ROOT = Path(__file__).resolve().parents[3]


def test_the_exported_file_is_the_served_document(tmp_path: Path) -> None:
    # From another directory: the web build runs it from web/.
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "export_openapi.py")],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert json.loads(out.stdout) == json.loads(json.dumps(document(API)))
