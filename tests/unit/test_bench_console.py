"""The console bench counts as initial JavaScript exactly what index.html loads up front."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.bench_console import initial_js_bytes


def test_initial_js_is_the_entry_and_its_preloads_not_lazy_pages(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    for name, body in (("main-1.js", "a" * 5000), ("vendor-2.js", "b" * 3000), ("Lazy-3.js", "c")):
        (assets / name).write_text(body)
    (tmp_path / "index.html").write_text(
        '<script type="module" crossorigin src="/assets/main-1.js"></script>'
        '<link rel="modulepreload" crossorigin href="/assets/vendor-2.js">'
        '<link rel="stylesheet" href="/assets/style.css">'
    )
    sizes = initial_js_bytes(tmp_path)
    assert set(sizes) == {"assets/main-1.js", "assets/vendor-2.js"}
    assert sizes["assets/main-1.js"] == len(gzip.compress(b"a" * 5000, 9))
