"""HTTP client loggers that would write full outbound URLs.

httpx logs every request as ``HTTP Request: POST <url> "HTTP/1.1 200 OK"`` at INFO; for a
Teams Workflows or Slack webhook that URL is the credential (``sig=``, the hook path). Those
loggers keep only warnings and errors; our own channels log what happened without the URL.
"""

from __future__ import annotations

import logging

#: Loggers of the HTTP stack that log request URLs below WARNING.
URL_LOGGERS = ("httpx", "httpcore", "httpx_aiohttp", "aiohttp.client", "aiohttp.internal")


def quiet_url_loggers() -> None:
    """Called once at start-up (``function_app``, which devhost imports too)."""
    for name in URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
