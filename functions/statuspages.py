"""Public status pages: ``/api/status/{slug}/...`` (HTML, feeds, Statuspage JSON, sign-up),
answered by ``shared.statuspages.public``; and the status timer (every minute: component
history and subscriber notices, ``shared.statuspages.tick``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import azure.functions as func

from functions.runtime import runtime
from shared.auth.models import Principal
from shared.auth.service import authenticate
from shared.notifications.channels import ConsoleChannel
from shared.pipeline.ratelimit import RateLimiter
from shared.statuspages.public import PublicPorts, serve
from shared.statuspages.tick import tick

bp = func.Blueprint()
log = logging.getLogger(__name__)
#: Sign-ups per page, counted across this process's requests.
_SIGNUPS = RateLimiter()


async def _ports() -> PublicPorts:
    rt = await runtime()

    async def who(authorization: str | None) -> Principal:
        return await authenticate(authorization=authorization, ports=rt.auth)

    return PublicPorts(
        store=rt.store,
        authenticate=who,
        base_url=rt.settings.PUBLIC_BASE_URL.rstrip("/"),
        secret=rt.settings.STATUS_TOKEN_SECRET,
        email=rt.notify.channels.get("email") or ConsoleChannel(),
        signups=_SIGNUPS,
    )


@bp.function_name("status_public")
@bp.route(
    route="status/{slug}/{*path}",
    methods=["GET", "HEAD", "POST", "OPTIONS"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def status_public(req: func.HttpRequest) -> func.HttpResponse:
    reply = await serve(
        ports=await _ports(),
        method=req.method,
        slug=req.route_params.get("slug", ""),
        path=req.route_params.get("path") or "",
        query=dict(req.params),
        headers=dict(req.headers),
        body=req.get_body() or b"",
    )
    return func.HttpResponse(
        body=reply.body,
        status_code=reply.status,
        headers={"Content-Type": reply.content_type, **reply.headers},
    )


@bp.function_name("status_timer")
@bp.timer_trigger(schedule="30 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=True)
async def status_timer(timer: func.TimerRequest) -> None:
    rt = await runtime()
    result = await tick(
        store=rt.store,
        channel=rt.notify.channels.get("email") or ConsoleChannel(),
        secret=rt.settings.STATUS_TOKEN_SECRET,
        base_url=rt.settings.PUBLIC_BASE_URL,
        bundle=timedelta(seconds=rt.settings.STATUS_NOTIFY_BUNDLE_SECONDS),
        now=datetime.now(UTC),
    )
    if result.transitions or result.emails:
        log.info(
            "status pages: %d transition(s) recorded, %d e-mail(s) sent",
            result.transitions,
            result.emails,
        )
