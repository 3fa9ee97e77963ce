"""What devhost reads before loading the app: local.settings Values and host.json."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DevhostError(Exception):
    """A configuration or app problem that stops devhost from starting (message says what)."""


def load_local_settings(
    app_dir: Path, environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Read ``local.settings.json`` (else the example) ``Values`` into the environment.

    Like Core Tools, a variable already in the environment wins over the file, so tests and
    operators can override any setting without editing files. Returns the effective values.
    """
    env = os.environ if environ is None else environ
    for name in ("local.settings.json", "local.settings.example.json"):
        path = app_dir / name
        if path.is_file():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise DevhostError(f"{path}: not valid JSON ({exc})") from exc
            values = doc.get("Values", {})
            if not isinstance(values, dict):
                raise DevhostError(f"{path}: 'Values' must be an object")
            for key, value in values.items():
                env.setdefault(str(key), "" if value is None else str(value))
            return {str(k): env[str(k)] for k in values}
    return {}


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = "api"
    max_concurrent_calls: int = 16
    #: Service Bus peek-lock duration (seconds) and delivery attempts before dead-lettering.
    lock_duration: float = 30.0
    max_delivery_count: int = 10
    raw: Mapping[str, Any] | None = None


def load_host_json(app_dir: Path) -> HostConfig:
    path = app_dir / "host.json"
    if not path.is_file():
        return HostConfig()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DevhostError(f"{path}: not valid JSON ({exc})") from exc
    ext = doc.get("extensions", {}) or {}
    http = ext.get("http", {}) or {}
    sb = ext.get("serviceBus", {}) or {}
    prefix = http.get("routePrefix", "api")
    return HostConfig(
        route_prefix=str(prefix).strip("/"),
        max_concurrent_calls=int(sb.get("maxConcurrentCalls", 16)),
        # Not host.json settings in Azure (they are queue properties); devhost accepts them
        # here so a sample app can shorten them for tests.
        lock_duration=float(sb.get("devhostLockDurationSeconds", 30.0)),
        max_delivery_count=int(sb.get("devhostMaxDeliveryCount", 10)),
        raw=doc,
    )


_SETTING_REF = re.compile(r"%([A-Za-z0-9_.:-]+)%")


def resolve_refs(value: Any, env: Mapping[str, str]) -> Any:
    """Replace ``%NAME%`` in binding attributes with app settings, as the host does."""
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                raise DevhostError(f"binding refers to %{name}% but no such app setting exists")
            return env[name]

        return _SETTING_REF.sub(sub, value)
    if isinstance(value, list):
        return [resolve_refs(v, env) for v in value]
    if isinstance(value, dict):
        return {k: resolve_refs(v, env) for k, v in value.items()}
    return value


def flag(value: str | None, default: bool) -> bool:
    """A boolean setting or query value: true, 1 or yes (any case); ``default`` when unset."""
    if value is None or value == "":
        return default
    return value.lower() in ("true", "1", "yes")
