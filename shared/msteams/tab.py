"""The Teams app's id, and the console's host among the app's valid domains.

The console does not run inside Teams yet (a personal tab needs the console's Teams mode:
the Teams JS SDK and nested app authentication, since Entra refuses to be framed), so the
package carries no tab and cards open the console's incident page in the browser.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit


def teams_app_id(bot_id: str) -> str:
    """The Teams app's id: derived from the bot id, so the package builder needs no other
    setting and rebuilding the package keeps the app's identity."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"openalert:{bot_id}"))


def console_host(console_url: str) -> str:
    return urlsplit(console_url).netloc
