"""Build the Teams app package: ``python -m shared.msteams.package --bot-id <id> --host <host>``.

The zip holds ``manifest.json`` (schema 1.17: the bot with team, personal and group-chat scopes,
its commands, the console as a personal tab with the Entra app for Teams SSO, valid domains) and
the two icons Teams requires (192x192 colour, 32x32 white
outline on transparent), drawn here so the repository carries no binary assets.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import uuid
import zipfile
import zlib
from pathlib import Path
from typing import Any

from shared.config import get_settings
from shared.msteams.tab import console_host, static_tab, teams_app_id, web_application_info

MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
BRAND = (196, 43, 28)  # the alert red of the icon


def png(width: int, height: int, pixel: Any) -> bytes:
    """A minimal RGBA PNG; ``pixel(x, y)`` returns (r, g, b, a)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def _bell(x: float, y: float) -> bool:
    """A bell shape in the unit square (y down): dome, flared body, clapper."""
    cx = 0.5
    if 0.2 <= y <= 0.72:
        half = 0.16 + (y - 0.2) * 0.45
        return abs(x - cx) <= half
    return 0.76 <= y <= 0.86 and abs(x - cx) <= 0.08


def color_icon() -> bytes:
    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        inside = _bell(x / 192, y / 192)
        return (255, 255, 255, 255) if inside else (*BRAND, 255)

    return png(192, 192, pixel)


def outline_icon() -> bytes:
    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        return (255, 255, 255, 255) if _bell(x / 32, y / 32) else (0, 0, 0, 0)

    return png(32, 32, pixel)


def manifest(
    *,
    bot_id: str,
    host: str,
    app_id: str | None = None,
    version: str = "1.0.0",
    console_url: str | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """``console_url``: where the console is served (default ``https://<host>``, for a console
    served beside the API as devhost does; in Azure the Static Web App's URL); ``client_id``:
    the Entra app registration the API trusts, named in ``webApplicationInfo`` so admins can
    consent for the tab and older Teams clients can use Teams SSO (nested app auth, which the
    tab uses, works from the registration alone)."""
    console = console_url or f"https://{host}"
    commands = [
        {"title": "oncall", "description": "Who is on call for my teams now and next"},
        {"title": "incidents", "description": "My teams' open incidents"},
        {"title": "help", "description": "What I can do"},
    ]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": "1.17",
        "version": version,
        "id": app_id or teams_app_id(bot_id),
        "developer": {
            "name": "OpenAlert",
            "websiteUrl": f"https://{host}",
            "privacyUrl": f"https://{host}/privacy",
            "termsOfUseUrl": f"https://{host}/terms",
        },
        "name": {"short": "OpenAlert", "full": "OpenAlert on-call and incident response"},
        "description": {
            "short": "Acknowledge, resolve and escalate incidents from Teams.",
            "full": (
                "OpenAlert pages the right person and lets responders act on incidents "
                "from interactive cards in channels and chats."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#C42B1C",
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["team", "personal", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["team", "personal", "groupChat"], "commands": commands}
                ],
            }
        ],
        "staticTabs": [static_tab(console)],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": list(dict.fromkeys([host, console_host(console)])),
        **({"webApplicationInfo": web_application_info(client_id, console)} if client_id else {}),
    }


def build(
    *,
    bot_id: str,
    host: str,
    app_id: str | None = None,
    console_url: str | None = None,
    client_id: str | None = None,
) -> bytes:
    made = manifest(
        bot_id=bot_id, host=host, app_id=app_id, console_url=console_url, client_id=client_id
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(made, indent=2))
        z.writestr("color.png", color_icon())
        z.writestr("outline.png", outline_icon())
    return buf.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bot-id", required=True, help="the Azure Bot's Microsoft App ID")
    parser.add_argument("--host", required=True, help="the Function App host name")
    parser.add_argument(
        "--app-id",
        help="a fixed Teams app id (default: derived from the bot id; cards' Open buttons "
        "link to the derived one)",
    )
    settings = get_settings()
    parser.add_argument(
        "--console-url",
        default=settings.CONSOLE_BASE_URL or None,
        help="where the console is served (default: the CONSOLE_BASE_URL setting, else "
        "https://<host>, the Function App)",
    )
    parser.add_argument(
        "--client-id",
        default=settings.ENTRA_CLIENT_ID or None,
        help="the Entra app registration's client id (default: the ENTRA_CLIENT_ID setting), "
        "for Teams SSO in the tab",
    )
    parser.add_argument("--out", type=Path, default=Path("openalert-teams.zip"))
    args = parser.parse_args(argv)
    uuid.UUID(args.bot_id)
    if args.client_id:
        uuid.UUID(args.client_id)
    args.out.write_bytes(
        build(
            bot_id=args.bot_id,
            host=args.host,
            app_id=args.app_id,
            console_url=args.console_url,
            client_id=args.client_id,
        )
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
