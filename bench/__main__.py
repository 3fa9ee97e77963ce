"""Run benchmarks: ``python -m bench`` runs every ``bench/bench_*.py``; ``python -m bench store``
runs ``bench_store.py`` only. Each module exposes ``main() -> None`` and prints its figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    if not selected:
        return names
    wanted = {s if s.startswith("bench_") else f"bench_{s}" for s in selected}
    unknown = wanted - set(names)
    if unknown:
        raise SystemExit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(names)}"
        )
    return [n for n in names if n in wanted]


def main(argv: list[str]) -> int:
    for name in _modules(argv):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"== {name} done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
