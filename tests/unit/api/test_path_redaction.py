"""Secrets in request paths (integration keys, calendar feed tokens, voice callback tokens)
stay out of the API router's 5xx log line and devhost's access log: one helper for both."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from devhost.accesslog import AccessLogger
from shared.api.v1 import API, ApiPorts
from shared.redact import redact_path

KEY = "oak_ABCDEFGHsecretsecretsecret"
TOKEN = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        (f"/api/integrations/{KEY}", "/api/integrations/"),
        (f"/api/integrations/{KEY}/heartbeat", "/heartbeat"),
        (f"/api/v1/calendars/sched-1/{TOKEN}.ics", "/api/v1/calendars/sched-1/"),
        (f"/api/v1/calendars/users/ann/{TOKEN}.ics", "/calendars/users/ann/"),
        (f"/api/voice/callbacks/{TOKEN}", "/api/voice/callbacks/"),
    ],
)
def test_secret_segments_are_masked(path: str, kept: str) -> None:
    shown = redact_path(path)
    assert KEY not in shown and TOKEN not in shown
    assert kept in shown


def test_ids_and_key_less_paths_are_kept() -> None:
    for path in ("/api/v1/integrations/int-1", "/api/integrations", "/api/integrations/"):
        assert redact_path(path) == path


async def test_the_api_routers_5xx_line_has_no_token(caplog: pytest.LogCaptureFixture) -> None:
    # A store that is not there: the calendar handler fails unexpectedly (a 500).
    ports = ApiPorts(store=None, auth=None, escalation=None, notify=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        reply = await API.dispatch(
            method="GET",
            path=f"calendars/sched-1/{TOKEN}.ics",
            query={},
            headers={},
            body=b"",
            authenticate=None,  # type: ignore[arg-type]
            ports=ports,
            base_url="https://oa.example.com",
        )
    assert reply.status == 500
    assert "/v1/calendars/sched-1/" in caplog.text
    assert TOKEN not in caplog.text


def test_devhosts_access_log_has_no_key(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access")
    request = make_mocked_request("POST", f"/api/integrations/{KEY}?x=1")
    with caplog.at_level(logging.INFO, logger="test.access"):
        AccessLogger(logger, "").log(request, web.Response(status=202), 0.004)
    assert "POST /api/integrations/" in caplog.text
    assert " 202 " in caplog.text
    assert KEY not in caplog.text
