"""Inbound Bot Framework authentication: the checks the Bot Framework SDKs make.

Every request to ``/api/messages`` carries a JWT signed by the Bot Framework. It is accepted
only if: the signing key comes from the Bot Framework OpenID metadata's JWKS (through
:class:`~shared.auth.tokens.JwksCache`: refreshed on an unknown ``kid``, at most once a minute),
the algorithm is RS256, the issuer is ``https://api.botframework.com``, the audience is this
bot's app id, it is within its validity (5 minutes of clock skew), the key is endorsed for the
activity's ``channelId``, and the token's ``serviceUrl`` claim equals the activity's
``serviceUrl`` (so a token cannot redirect replies).

Activities are parsed into the Microsoft 365 Agents SDK's ``Activity`` model
(``microsoft-agents-activity``). The token checks stay here rather than in the SDK's
``JwtTokenValidator`` (``microsoft-agents-hosting-core`` 1.9.0): that validator takes its JWKS
from a hard-coded URL, does not require ``exp`` or check the issuer by default, and checks
neither endorsements nor the ``serviceUrl`` claim — docs/teams.md cites the lines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from shared import jsonin
from shared.auth.headers import required_bearer
from shared.auth.tokens import JwksCache
from shared.errors import InvalidInput, PayloadTooLarge, Unauthenticated

log = logging.getLogger(__name__)

BOT_FRAMEWORK_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
LEEWAY_SECONDS = 300
KEYS_TTL_SECONDS = 24 * 3600
REFRESH_MIN_INTERVAL = 60.0


@dataclass
class BotAuthenticator:
    http: httpx.AsyncClient
    app_id: str
    metadata_url: str = BOT_FRAMEWORK_METADATA
    issuer: str = BOT_FRAMEWORK_ISSUER
    _keys: JwksCache = field(init=False)

    def __post_init__(self) -> None:
        self._keys = JwksCache(
            issuer=self.issuer,
            http=self.http,
            metadata_url=self.metadata_url,
            ttl_s=KEYS_TTL_SECONDS,
            min_refresh_interval_s=REFRESH_MIN_INTERVAL,
            timeout_s=10.0,
        )

    async def validate(self, authorization: str | None, activity: Activity) -> dict[str, Any]:
        token = required_bearer(authorization, "A Bot Framework token is required.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The token is malformed.") from None
        if header.get("alg") != "RS256":
            raise Unauthenticated("The token algorithm is not allowed.")
        key, jwk = await self._keys.get_entry(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                # The SDK's validator requires none of these: PyJWT then skips a missing exp.
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            log.info("bot token rejected: %s", exc)
            raise Unauthenticated("The Bot Framework token is not valid.") from None
        # The whole channel id (``msteams``, or ``channel:sub_channel``) is what is endorsed.
        channel = str(activity.channel_id or "")
        endorsements = jwk.get("endorsements")
        if endorsements is not None and channel not in endorsements:
            log.info("bot token key not endorsed for channel %r", channel)
            raise Unauthenticated("The signing key is not endorsed for this channel.")
        service_url = activity.service_url or ""
        if claims.get("serviceUrl") != service_url:
            log.info(
                "bot token serviceUrl %r != activity %r", claims.get("serviceUrl"), service_url
            )
            raise Unauthenticated("The token does not match the activity's service URL.")
        return claims


MAX_ACTIVITY_BYTES = 256 * 1024


def parse_activity(body: bytes) -> Activity:
    """An inbound activity as the SDK's typed model; any malformed body is a 4xx."""
    if len(body) > MAX_ACTIVITY_BYTES:
        raise PayloadTooLarge("Activities are at most 256 KB.")
    try:
        raw = jsonin.loads(body)
    except jsonin.InvalidJson as exc:
        raise InvalidInput(f"The activity is {exc.detail}.") from None
    if not isinstance(raw, dict):
        raise InvalidInput("The activity must be a JSON object.")
    try:
        activity = Activity.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = {"field": ".".join(str(p) for p in first["loc"])} if first["loc"] else {}
        raise InvalidInput(f"The activity is not valid: {first['msg']}.", **where) from None
    except Exception as exc:
        # Activity's model validator (microsoft-agents-activity 1.9.0, activity.py:231) raises a
        # bare Exception when channelId's sub-channel contradicts a productInfo entity.
        log.info("activity rejected by the SDK model: %s", str(exc).splitlines()[0])
        raise InvalidInput("The activity's channelId contradicts its productInfo entity.") from None
    if not isinstance(activity.service_url, str) or not activity.service_url.startswith(
        ("https://", "http://")
    ):
        raise InvalidInput("The activity needs a serviceUrl.", field="serviceUrl")
    if activity.conversation is None:
        raise InvalidInput("The activity needs a conversation.", field="conversation")
    return activity
