"""Bot Connector REST client: create conversations, send and update activities.

Outbound calls carry a token for ``https://api.botframework.com/.default`` from an injected
``azure-identity`` credential (managed identity in Azure). Throttling (429, with
``Retry-After``), 412 and 5xx are retried with exponential backoff; other 4xx are not.

Bodies are the Agents SDK's models (``Activity``, ``ConversationParameters``, and the
``ResourceResponse`` answers); the transport is ours, not the SDK's ``ConnectorClient``
(``microsoft-agents-hosting-core`` 1.9.0), which binds one static bearer token and one service
URL into an aiohttp session per client and retries nothing — docs/teams.md has the details.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from microsoft_agents.activity import (
    Activity,
    AgentsModel,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from pydantic import ValidationError

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

    async def _call(self, method: str, url: str, model: AgentsModel) -> dict[str, Any]:
        body = wire(model)
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
                        f"bot connector: HTTP {r.status_code}: {r.reason_phrase}"
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
        body = ConversationParameters(
            agent=ChannelAccount(id=bot_id),
            members=[ChannelAccount(id=user_id)],
            is_group=False,
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        result = await self._call("POST", f"{self._base(service_url)}/v3/conversations", body)
        try:
            conversation_id = ConversationResourceResponse.model_validate(result).id
        except ValidationError:
            conversation_id = None
        if not conversation_id:
            raise PermanentDeliveryError("bot connector: the new conversation has no id")
        return str(conversation_id)

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str:
        url = f"{self._base(service_url)}/v3/conversations/{conversation_id}/activities"
        result = await self._call("POST", url, activity)
        try:
            return ResourceResponse.model_validate(result).id or ""
        except ValidationError:
            return ""

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Activity
    ) -> None:
        url = (
            f"{self._base(service_url)}/v3/conversations/{conversation_id}/activities/{activity_id}"
        )
        await self._call("PUT", url, activity.model_copy(update={"id": activity_id}))


def wire(model: AgentsModel) -> dict[str, Any]:
    """The JSON the Bot Connector takes: camelCase names, no nulls for fields left unset."""
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def card_activity(card: dict[str, Any], *, summary: str) -> Activity:
    return Activity(
        type="message",
        summary=summary,
        attachments=[
            Attachment(content_type="application/vnd.microsoft.card.adaptive", content=card)
        ],
    )
