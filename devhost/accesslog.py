"""devhost's access log: one line per HTTP request, with the secrets some paths carry masked
(:func:`shared.redact.redact_path`) and no query string, so a key in an ingest URL or a
calendar feed's token never lands in a terminal or a CI log."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from shared.redact import redact_path


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %d %.1fms",
            request.method,
            redact_path(request.path),
            response.status,
            time * 1000,
        )


#: The logger the lines go to, at INFO.
ACCESS_LOG = logging.getLogger("devhost.access")
