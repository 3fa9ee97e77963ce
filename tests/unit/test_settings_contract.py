"""The settings contract: shared/config.py and local.settings.example.json agree."""

from __future__ import annotations

import json
from pathlib import Path

from shared.config import HOST_SETTINGS, Settings, setting_names

ROOT = Path(__file__).resolve().parents[2]


def _example_values() -> dict[str, str]:
    doc = json.loads((ROOT / "local.settings.example.json").read_text())
    values: dict[str, str] = doc["Values"]
    return values


def test_every_setting_has_a_local_example_and_nothing_else() -> None:
    assert set(_example_values()) == setting_names()


def test_local_example_values_are_valid_settings() -> None:
    values = {k: v for k, v in _example_values().items() if k not in HOST_SETTINGS}
    Settings.model_validate(values)


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
