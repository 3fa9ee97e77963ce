"""The web console's budgets: initial JavaScript (gzipped), the incidents page usable after
navigation with 10,000 incidents in the store, and an acknowledgement's propagation between two
browsers. Figures only (goals: 300 KB, 1.5 s, 10 s); needs ``make web`` (``make bench`` does it).

The browser figures come from ``web/bench/console.bench.ts`` (Playwright on the system Chromium,
devhost started by ``tests/browser/console_host.py --incidents 10000``)."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
DIST = WEB / "dist"


def initial_js_bytes(dist: Path = DIST) -> dict[str, int]:
    """Gzipped size (level 9) of each script index.html loads before anything else: the entry
    module and the chunks it preloads (the pages loaded on first visit are not counted)."""
    html = (dist / "index.html").read_text()
    scripts = re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', html)
    return {s: len(gzip.compress((dist / s).read_bytes(), 9)) for s in scripts}


def main() -> None:
    if not (DIST / "index.html").is_file():
        print("web/dist is missing: run `make web` first")
        return
    sizes = initial_js_bytes()
    total = sum(sizes.values()) / 1024
    print(f"initial JS: {total:.1f} KB gzipped in {len(sizes)} files (goal <= 300 KB)")
    env = {**os.environ, "OA_BENCH_INCIDENTS": "10000"}
    run = subprocess.run(
        ["npx", "playwright", "test", "-c", "bench/playwright.config.ts"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    figures = [line for line in run.stdout.splitlines() if line.startswith("BENCH ")]
    for line in figures:
        print(line.removeprefix("BENCH "))
    if run.returncode != 0:
        print(f"browser measurements failed ({run.returncode}):\n{run.stdout[-3000:]}")


if __name__ == "__main__":
    main()
