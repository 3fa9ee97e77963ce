"""Print the management API's OpenAPI document without starting a server.

    .venv/bin/python tools/export_openapi.py > web/openapi.json

The document is built from the same operation table that ``/api/v1/openapi.json`` serves, so the
file equals what a running app answers; the console generates its types from it and a test
fails when the committed copy drifts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Run as a plain script from any directory: the repository root holds the ``shared`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.api.openapi import document
from shared.api.v1 import API


def main() -> int:
    sys.stdout.write(json.dumps(document(API), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
