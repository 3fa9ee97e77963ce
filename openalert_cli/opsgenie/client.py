"""A read-only Opsgenie REST client: GenieKey auth, paging, and rate limits honoured.

Opsgenie rate-limits per request domain and answers 429 when a bucket is empty
(docs.opsgenie.com/docs/api-rate-limiting); Opsgenie's own clients retry 429 and 5xx with
exponential backoff (opsgenie-go-sdk-v2 ``client/client.go``; opsgenie-configuration-backup
``retry/``). Lists are paged with ``limit``/``offset`` and ``paging.next``
(docs.opsgenie.com/docs/pagination); endpoints that declare no paging answer in one page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

REGIONS = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
#: Retries of one request on 429 / 5xx before giving up.
MAX_RETRIES = 8
PAGE = 100


class OpsgenieError(RuntimeError):
    """Opsgenie answered with an error that retrying does not fix."""


def retry_delay(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retrying a 429 or 5xx answer.

    ``Retry-After`` when sent; else a 429 that names its window (``X-RateLimit-Period-In-Sec``)
    waits a fraction of it, growing with each attempt; else 0.2 s doubling, capped at 30 s.
    """
    after = response.headers.get("Retry-After")
    if after is not None:
        try:
            return float(min(max(float(after), 0.0), 120.0))
        except ValueError:
            pass
    backoff = float(min(0.2 * 2**attempt, 30.0))
    period = response.headers.get("X-RateLimit-Period-In-Sec")
    if response.status_code == 429 and period is not None:
        try:
            return float(min(max(float(period) / 10, backoff), 60.0))
        except ValueError:
            pass
    return backoff


class Opsgenie:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = REGIONS["us"],
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"GenieKey {api_key}", "Accept": "application/json"},
            timeout=30.0,
            transport=transport,
        )
        self._sleep = sleep
        self.calls = 0
        self.throttled = 0

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        """The JSON body of a GET, retried on 429 and 5xx (not 501)."""
        for attempt in range(MAX_RETRIES + 1):
            self.calls += 1
            try:
                r = self._http.get(path, params=dict(params or {}))
            except httpx.TransportError as exc:
                if attempt == MAX_RETRIES:
                    raise OpsgenieError(f"GET {path}: {exc}") from exc
                self._sleep(min(0.2 * 2**attempt, 30.0))
                continue
            retry = r.status_code == 429 or (r.status_code >= 500 and r.status_code != 501)
            if retry and attempt < MAX_RETRIES:
                self.throttled += r.status_code == 429
                self._sleep(retry_delay(r, attempt))
                continue
            if r.status_code >= 400:
                raise OpsgenieError(f"GET {path}: {r.status_code} {_message(r)}")
            return r.json()
        raise AssertionError("unreachable")

    def data(self, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return _envelope(self.get(path, params), path)

    def pages(
        self, path: str, params: Mapping[str, str | int] | None = None, *, nested: str = ""
    ) -> Iterator[Any]:
        """Every item of a list, following ``paging.next`` (``nested``: the key under ``data``
        that holds the list, for ``/v2/heartbeats``)."""
        query: dict[str, str | int] = {**(params or {}), "limit": PAGE, "offset": 0}
        seen = 0
        while True:
            body = self.get(path, query)
            items = _envelope(body, path)
            if nested:
                items = items.get(nested, []) if isinstance(items, dict) else []
            if not isinstance(items, list):
                raise OpsgenieError(f"GET {path}: data is not a list")
            yield from items
            seen += len(items)
            nxt = (body.get("paging") or {}).get("next") if isinstance(body, dict) else None
            if not items or not nxt:
                return
            offset = parse_qs(urlparse(str(nxt)).query).get("offset", [str(seen)])[0]
            if int(offset) <= int(query["offset"]):
                return  # a paging link that does not advance would loop forever
            query["offset"] = int(offset)


def _envelope(body: Any, path: str) -> Any:
    if not isinstance(body, dict) or "data" not in body:
        raise OpsgenieError(f"GET {path}: no 'data' in the answer")
    return body["data"]


def _message(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else r.text[:200]
