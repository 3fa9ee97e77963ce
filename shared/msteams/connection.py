"""Whether the Teams bot can reach a person in a 1:1 chat: the conversation reference it keeps
for them (``shared.msteams.service.remember_conversation``, written when the person first talks
to the bot or installs the app, and by the first 1:1 page). Read here, without the bot SDK, so
the API can show it on the person's profile."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.store.port import DocumentStore, eq

CONVERSATIONS = "conversations"


class TeamsConnection(BaseModel):
    bot_enabled: bool = Field(
        description="This deployment runs the Teams bot (BOT_APP_ID set); without it no Teams "
        "message goes out."
    )
    connected: bool = Field(
        description="The bot has a 1:1 conversation with me, so a ``teams`` contact method "
        "reaches me without the bot first opening one."
    )
    #: When the bot last recorded that conversation (None: not connected).
    since: datetime | None = None


async def personal_connection(
    store: DocumentStore, user_id: str, *, bot_enabled: bool
) -> TeamsConnection:
    page = await store.query(CONVERSATIONS, where=[eq("user_id", user_id)], limit=5)
    personal = [d for d in page.items if d.get("kind") == "personal"]
    if not personal:
        return TeamsConnection(bot_enabled=bot_enabled, connected=False)
    latest = max(str(d.get("updated_at") or "") for d in personal)
    return TeamsConnection(
        bot_enabled=bot_enabled,
        connected=True,
        since=datetime.fromisoformat(latest) if latest else None,
    )
