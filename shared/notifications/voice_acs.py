"""Azure Communication Services Call Automation over REST: the four operations a page needs
(create a call, collect a tone, play text, hang up) and the check of the JWT Call Automation
signs on each callback. What a call does with them is :mod:`shared.notifications.voice`."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

import httpx
import jwt

from shared.auth.headers import required_bearer
from shared.auth.tokens import JwksCache
from shared.errors import Unauthenticated
from shared.notifications.channels import AcsAuth, TransientDeliveryError, http_error

log = logging.getLogger(__name__)

VOICE_LOCALE = "en-US"
DEFAULT_VOICE = "en-US-JennyNeural"


def _phone(number: str) -> dict[str, Any]:
    return {"kind": "phoneNumber", "phoneNumber": {"value": number}}


# --- the Call Automation REST client ---------------------------------------------------------
@dataclass
class AcsCallAutomation:
    """The four Call Automation operations a page needs (REST, api-version 2024-09-15)."""

    http: httpx.AsyncClient
    endpoint: str
    auth: AcsAuth
    #: Azure AI services resource connected to the ACS resource; ACS needs it for text-to-speech.
    cognitive_services_endpoint: str = ""
    voice_name: str = DEFAULT_VOICE
    api_version: str = "2024-09-15"

    def _url(self, path: str) -> str:
        base = self.endpoint.rstrip("/")
        return f"{base}/calling/callConnections{path}?api-version={self.api_version}"

    async def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = self._url(path)
        content = json.dumps(body).encode() if body is not None else b""
        signed = {**(headers or {}), **await self.auth.headers(method, url, content)}
        if body is not None:
            signed["Content-Type"] = "application/json"
        try:
            return await self.http.request(method, url, content=content, headers=signed)
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"acs voice: {type(exc).__name__}: {exc}") from exc

    async def create_call(
        self, *, target: str, caller_id: str, callback_uri: str, repeat_key: str
    ) -> str:
        body: dict[str, Any] = {
            "targets": [_phone(target)],
            "sourceCallerIdNumber": {"value": caller_id},
            "callbackUri": callback_uri,
        }
        if self.cognitive_services_endpoint:
            body["callIntelligenceOptions"] = {
                "cognitiveServicesEndpoint": self.cognitive_services_endpoint
            }
        headers = {
            # Repeatability: a retried create after a lost answer does not ring twice.
            "Repeatability-Request-ID": str(uuid.uuid5(uuid.NAMESPACE_URL, repeat_key)),
            "Repeatability-First-Sent": formatdate(usegmt=True),
        }
        r = await self._send("POST", "", body, headers)
        if r.status_code >= 300:
            raise http_error("acs voice", r.status_code, r.reason_phrase)
        try:
            call_id = str(r.json()["callConnectionId"])
        except (ValueError, KeyError, TypeError):
            raise TransientDeliveryError("acs voice: the answer has no callConnectionId") from None
        return call_id

    def _text(self, text: str) -> dict[str, Any]:
        return {
            "kind": "text",
            "text": {"text": text, "sourceLocale": VOICE_LOCALE, "voiceName": self.voice_name},
        }

    async def recognize(self, call_id: str, *, target: str, prompt: str, context: str) -> None:
        body = {
            "recognizeInputType": "dtmf",
            "playPrompt": self._text(prompt),
            "interruptCallMediaOperation": True,
            "recognizeOptions": {
                "interruptPrompt": True,
                "initialSilenceTimeoutInSeconds": 10,
                "targetParticipant": _phone(target),
                "dtmfOptions": {"maxTonesToCollect": 1, "interToneTimeoutInSeconds": 5},
            },
            "operationContext": context,
        }
        await self._expect(await self._send("POST", f"/{call_id}:recognize", body))

    async def play(self, call_id: str, *, target: str, text: str, context: str) -> None:
        body = {
            "playSources": [self._text(text)],
            "playTo": [_phone(target)],
            "playOptions": {"loop": False},
            "operationContext": context,
        }
        await self._expect(await self._send("POST", f"/{call_id}:play", body))

    async def hang_up(self, call_id: str) -> None:
        r = await self._send("DELETE", f"/{call_id}", None)
        if r.status_code == 404:
            return  # the person hung up first
        await self._expect(r)

    @staticmethod
    async def _expect(r: httpx.Response) -> None:
        if r.status_code >= 300:
            raise http_error("acs voice", r.status_code, r.reason_phrase)


#: Clock skew allowed on ``exp``/``nbf``/``iat`` (seconds).
CALLBACK_LEEWAY_S = 60


class AcsCallbackAuthenticator:
    """Checks the JWT Call Automation sends with each callback: RS256 only, a key from the
    issuer's JWKS (refreshed on an unknown ``kid``), ``iss``, ``aud`` = the ACS resource's
    immutable id, and a present, unexpired ``exp``."""

    def __init__(
        self,
        *,
        audience: str,
        http: httpx.AsyncClient,
        issuer: str,
        metadata_url: str,
    ) -> None:
        """``issuer`` and ``metadata_url``: Call Automation's token issuer and where it
        publishes its keys (their defaults are the settings ``ACS_CALLBACK_ISSUER`` and
        ``ACS_CALLBACK_OPENID_METADATA_URL``; docs: "How to secure webhook endpoint")."""
        self.audience = audience
        self.issuer = issuer
        self._keys = JwksCache(issuer=issuer, http=http, metadata_url=metadata_url)

    async def validate(self, authorization: str | None) -> dict[str, Any]:
        token = required_bearer(authorization, "A Call Automation token is required.")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("The Call Automation token is not valid.") from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise Unauthenticated("The Call Automation token is not valid.")
        key = await self._keys.get_key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=CALLBACK_LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            log.info("voice callback token rejected: %s", exc)
            raise Unauthenticated("The Call Automation token is not valid.") from None
        return claims
