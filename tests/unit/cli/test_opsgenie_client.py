"""The wait the Opsgenie client picks before retrying a 429 or 5xx."""

from __future__ import annotations

import httpx
import pytest

from openalert_cli.opsgenie.client import retry_delay


def _r(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_retry_delay_prefers_retry_after_then_the_rate_limit_period() -> None:
    assert retry_delay(_r(429, **{"Retry-After": "3"}), 0) == 3
    assert retry_delay(_r(429, **{"X-RateLimit-Period-In-Sec": "60"}), 0) == 6
    assert retry_delay(_r(429, **{"X-RateLimit-Period-In-Sec": "1"}), 0) == pytest.approx(0.2)
    assert retry_delay(_r(503), 3) == pytest.approx(1.6)
    assert retry_delay(_r(503), 20) == 30
    assert retry_delay(_r(429, **{"Retry-After": "soon"}), 1) == pytest.approx(0.4)
