"""The console as a personal tab of the Teams app, and deep links into it.

The tab loads the console at ``<console>/tab`` inside Teams; the console reads the Teams
context with the Teams JS SDK (``app.getContext()``: ``page.subPageId`` is the deep link's
``subEntityId``) and opens that page, e.g. ``incident:<id>`` → ``/tab/incidents/<id>``. It
signs in with MSAL's nested app authentication (the Teams client's own session: no second
prompt); ``webApplicationInfo`` names the Entra app registration the API trusts, with the
Application ID URI ``api://<console host>/<client id>``, so admins can consent for the
organisation and older clients can use Teams SSO (see docs/teams.md).

A card's "Open" button is a Teams deep link to the tab (``/l/entity/<app id>/<entity id>``)
carrying the incident as ``subEntityId``, and the incident's console URL as ``webUrl``: Teams
opens the console in a browser where the app is not installed. The card keeps that console URL
as a link of its own too, for a card read outside Teams.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote, urlsplit

#: The tab's id in the manifest; deep links name it.
TAB_ENTITY_ID = "console"
#: The console route Teams loads in the tab.
TAB_PATH = "/tab"
DEEP_LINK_BASE = "https://teams.microsoft.com/l/entity"


def teams_app_id(bot_id: str) -> str:
    """The Teams app's id: derived from the bot id, so cards can link to the app the package
    builder made without another setting."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"openalert:{bot_id}"))


def console_host(console_url: str) -> str:
    return urlsplit(console_url).netloc


def static_tab(console_url: str) -> dict[str, Any]:
    base = console_url.rstrip("/")
    return {
        "entityId": TAB_ENTITY_ID,
        "name": "OpenAlert",
        "contentUrl": f"{base}{TAB_PATH}",
        "websiteUrl": f"{base}/",
        "scopes": ["personal"],
    }


def web_application_info(client_id: str, console_url: str) -> dict[str, str]:
    """Teams SSO: the app registration and its Application ID URI on the console's host."""
    return {"id": client_id, "resource": f"api://{console_host(console_url)}/{client_id}"}


def incident_deep_link(app_id: str, incident_id: str, web_url: str) -> str:
    """A link that opens the incident's page in the OpenAlert tab (the browser without it)."""
    context = json.dumps({"subEntityId": f"incident:{incident_id}"}, separators=(",", ":"))
    return (
        f"{DEEP_LINK_BASE}/{app_id}/{TAB_ENTITY_ID}"
        f"?webUrl={quote(web_url, safe='')}&label={quote('Incident', safe='')}"
        f"&context={quote(context, safe='')}"
    )
