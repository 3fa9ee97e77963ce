"""Benchmarks. Not part of ``make test``: they print figures, they never assert timings."""
