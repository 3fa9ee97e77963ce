"""The Teams app package's manifest: Microsoft's schema, the derived app id, valid domains, and
no console tab while the console cannot run inside Teams (a tab would load a page that cannot
sign in there)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from shared.config import get_settings
from shared.msteams.package import build, main, manifest
from shared.msteams.tab import teams_app_id

#: Microsoft's manifest schema (see tests/fixtures/msteams/README.md).
SCHEMA_117 = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures/msteams/manifest-1.17.schema.json").read_text()
)
BOT = "6b1c0b1e-5d8e-4f6b-9a51-2a3c4d5e6f70"
HOST = "oa-func.azurewebsites.net"
CONSOLE = "https://console.example.com"


def test_the_console_host_is_a_valid_domain_and_no_tab_is_offered() -> None:
    m = manifest(bot_id=BOT, host=HOST, console_url=CONSOLE + "/")
    assert m["validDomains"] == [HOST, "console.example.com"]
    assert "staticTabs" not in m
    assert "webApplicationInfo" not in m
    assert m["id"] == teams_app_id(BOT), "a rebuilt package keeps the app's identity"


def test_by_default_only_the_function_app_is_a_valid_domain() -> None:
    data = build(bot_id=BOT, host=HOST)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        m = json.loads(z.read("manifest.json"))
    assert m["validDomains"] == [HOST]


@pytest.mark.parametrize("options", [{}, {"console_url": CONSOLE}], ids=["default", "console"])
def test_the_manifest_passes_microsofts_schema(options: dict[str, str]) -> None:
    made = manifest(bot_id=BOT, host=HOST, **options)
    validator = jsonschema.Draft4Validator(SCHEMA_117, format_checker=jsonschema.FormatChecker())
    problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(made)]
    assert not problems, problems


def test_the_builder_takes_the_console_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSOLE_BASE_URL", CONSOLE)
    # Settings are read once per process; an earlier test may have read them without this.
    get_settings.cache_clear()
    out = tmp_path / "app.zip"
    try:
        main(["--bot-id", BOT, "--host", HOST, "--out", str(out)])
    finally:
        get_settings.cache_clear()
    with zipfile.ZipFile(out) as z:
        m = json.loads(z.read("manifest.json"))
    assert m["validDomains"] == [HOST, "console.example.com"]
