"""A small client of OpenAlert's management API (/api/v1): bearer auth (an API key ``oa_...``
or an Entra access token), continuation paging, retries on 429/503, and problem+json errors
turned into :class:`Refused` with the server's explanation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx


class Refused(RuntimeError):
    """OpenAlert refused a request (4xx); ``detail`` is the problem's explanation."""

    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"{method} {path}: {status} {detail}")
        self.status = status
        self.detail = detail


class OpenAlert:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_write: Callable[[str, str], None] | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60.0,
            transport=transport,
        )
        self._sleep = sleep
        self._on_write = on_write
        self.calls = 0
        self.writes = 0

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        for attempt in range(8):
            self.calls += 1
            r = self._http.request(method, path, json=body, params=params or None)
            if r.status_code in (429, 503) and attempt < 7:
                after = r.headers.get("Retry-After")
                self._sleep(float(after) if after and after.isdigit() else 0.2 * 2**attempt)
                continue
            break
        if r.status_code >= 400:
            raise Refused(method, path, r.status_code, _detail(r))
        if method != "GET":
            self.writes += 1
            if self._on_write is not None:
                self._on_write(method, path)
        return r.json() if r.content else None

    def items(self, path: str, **params: str) -> Iterator[Mapping[str, Any]]:
        query = {**params, "limit": "200"}
        while True:
            page = self.request("GET", path, **query)
            yield from page["items"]
            if not page.get("continuation"):
                return
            query["continuation"] = page["continuation"]


def _detail(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300]
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("title") or body)
        errors = body.get("errors")
        return f"{detail} {errors}" if errors else detail
    return str(body)[:300]
