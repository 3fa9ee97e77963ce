"""The console as the Teams app's personal tab: the manifest's tab, SSO and domains, and the
card's "Open" deep link into the tab (the console page kept as a link of the card's own)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from shared.config import get_settings
from shared.msteams.cards import incident_card
from shared.msteams.package import build, main, manifest
from shared.msteams.tab import TAB_ENTITY_ID, incident_deep_link, teams_app_id
from tests.unit.msteams.test_cards import SCHEMA, incident

#: Microsoft's manifest schema (see tests/fixtures/msteams/README.md).
SCHEMA_117 = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/msteams/manifest-1.17.schema.json").read_text()
)
BOT = "6b1c0b1e-5d8e-4f6b-9a51-2a3c4d5e6f70"
CLIENT = "0f9a8b7c-6d5e-4f3a-9b2c-1d0e9f8a7b6c"
HOST = "oa-func.azurewebsites.net"
CONSOLE = "https://console.example.com"
WEB = f"{CONSOLE}/incidents/inc-1"


def test_the_console_is_a_personal_tab_with_teams_sso() -> None:
    m = manifest(bot_id=BOT, host=HOST, console_url=CONSOLE + "/", client_id=CLIENT)
    assert m["staticTabs"] == [
        {
            "entityId": TAB_ENTITY_ID,
            "name": "OpenAlert",
            "contentUrl": f"{CONSOLE}/tab",
            "websiteUrl": f"{CONSOLE}/",
            "scopes": ["personal"],
        }
    ]
    assert m["webApplicationInfo"] == {
        "id": CLIENT,
        "resource": f"api://console.example.com/{CLIENT}",
    }
    assert m["validDomains"] == [HOST, "console.example.com"]
    assert m["id"] == teams_app_id(BOT), "cards link to the id the package carries"


def test_by_default_the_function_app_serves_the_tab_and_sso_is_left_out() -> None:
    data = build(bot_id=BOT, host=HOST)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        m = json.loads(z.read("manifest.json"))
    assert m["staticTabs"][0]["contentUrl"] == f"https://{HOST}/tab"
    assert m["validDomains"] == [HOST]
    assert "webApplicationInfo" not in m


def test_the_open_button_is_a_deep_link_to_the_incident_in_the_tab() -> None:
    link = incident_deep_link(teams_app_id(BOT), "inc-1", WEB)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("https", "teams.microsoft.com")
    assert parts.path == f"/l/entity/{teams_app_id(BOT)}/{TAB_ENTITY_ID}"
    query = parse_qs(parts.query)
    assert json.loads(query["context"][0]) == {"subEntityId": "incident:inc-1"}
    assert query["webUrl"] == [WEB], "Teams opens the console where the app is not installed"
    card = incident_card(incident(), service_name="s", on_call=[], url=WEB, tab_url=link)
    openers = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    assert openers == [{"type": "Action.OpenUrl", "title": "Open", "url": link}]
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert f"[Open in the browser]({WEB})" in texts, "the console page stays a link of its own"
    assert len(card["actions"]) <= 6, "Teams shows at most six actions"
    jsonschema.validate(card, SCHEMA)
    plain = incident_card(incident(), service_name="s", on_call=[], url=WEB)
    assert [a["title"] for a in plain["actions"] if a["type"] == "Action.OpenUrl"] == [
        "Open incident"
    ]
    assert not any("Open in the browser" in b.get("text", "") for b in plain["body"])


@pytest.mark.parametrize(
    "options", [{}, {"console_url": CONSOLE, "client_id": CLIENT}], ids=["default", "sso"]
)
def test_the_manifest_passes_microsofts_schema(options: dict[str, str]) -> None:
    made = manifest(bot_id=BOT, host=HOST, **options)
    validator = jsonschema.Draft4Validator(SCHEMA_117, format_checker=jsonschema.FormatChecker())
    problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(made)]
    assert not problems, problems


def test_the_builder_takes_the_console_and_client_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_BASE_URL", CONSOLE)
    monkeypatch.setenv("ENTRA_CLIENT_ID", CLIENT)
    # Settings are read once per process; an earlier test may have read them without these.
    get_settings.cache_clear()
    out = tmp_path / "app.zip"
    try:
        main(["--bot-id", BOT, "--host", HOST, "--out", str(out)])
    finally:
        get_settings.cache_clear()
    with zipfile.ZipFile(out) as z:
        m = json.loads(z.read("manifest.json"))
    assert m["staticTabs"][0]["contentUrl"] == f"{CONSOLE}/tab"
    assert m["webApplicationInfo"]["id"] == CLIENT
