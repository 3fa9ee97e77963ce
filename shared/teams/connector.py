"""Bot Connector REST client: create conversations, send and update activities.

Outbound calls carry a token for ``https://api.botframework.com/.default`` from an injected
``azure-identity`` credential (managed identity in Azure). Throttling (429, with
``Retry-After``), 412 and 5xx are retried with exponential backoff; other 4xx are not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from shared.notifications.channels import PermanentDeliveryError, TransientDeliveryError

log = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"


class TokenCredential(Protocol):
    async def get_token(self, *scopes: str) -> Any: ...


@dataclass
class ConnectorClient:
    http: httpx.AsyncClient
    credential: TokenCredential | None
    attempts: int = 4
    base_delay: float = 0.5
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    async def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.credential is not None:
            token = await self.credential.get_token(SCOPE)
            headers["Authorization"] = f"Bearer {token.token}"
        return headers

    async def _call(self, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self.attempts):
            try:
                r = await self.http.request(method, url, json=body, headers=await self._headers())
            except httpx.HTTPError as exc:
                error: Exception = TransientDeliveryError(f"bot connector: {exc}")
            else:
                if r.status_code < 300:
                    return dict(r.json()) if r.content else {}
                if r.status_code not in (412, 429) and r.status_code < 500:
                    raise PermanentDeliveryError(
                        f"bot connector: HTTP {r.status_code}: {r.text[:300]}"
                    )
                error = TransientDeliveryError(f"bot connector: HTTP {r.status_code}")
                retry_after = r.headers.get("Retry-After")
                if retry_after and retry_after.isdigit() and attempt + 1 < self.attempts:
                    await self.sleep(min(float(retry_after), 30.0))
                    continue
            if attempt + 1 < self.attempts:
                await self.sleep(self.base_delay * 2**attempt)
        raise error

    @staticmethod
    def _base(service_url: str) -> str:
        return service_url.rstrip("/")

    async def create_conversation(
        self, service_url: str, *, bot_id: str, user_id: str, tenant_id: str
    ) -> str:
        """A 1:1 conversation with a user (Teams returns the existing one if there is)."""
        body = {
            "bot": {"id": bot_id},
            "members": [{"id": user_id}],
            "isGroup": False,
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        result = await self._call("POST", f"{self._base(service_url)}/v3/conversations", body)
        return str(result["id"])

    async def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        url = f"{self._base(service_url)}/v3/conversations/{conversation_id}/activities"
        result = await self._call("POST", url, activity)
        return str(result.get("id", ""))

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        url = (
            f"{self._base(service_url)}/v3/conversations/{conversation_id}/activities/{activity_id}"
        )
        await self._call("PUT", url, {**activity, "id": activity_id})


def card_activity(card: dict[str, Any], *, summary: str) -> dict[str, Any]:
    return {
        "type": "message",
        "summary": summary,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
