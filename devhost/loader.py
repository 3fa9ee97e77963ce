"""Load ``function_app.py`` and describe its functions the way the worker describes them."""

from __future__ import annotations

import enum
import importlib.util
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import azure.functions as func

from devhost.config import DevhostError, resolve_refs
from devhost.plugins import BindingInfo, FunctionInfo

_DIRECTIONS = {0: "in", 1: "out", 2: "inout"}


def _plain(value: Any) -> Any:
    """Binding dicts hold enums (methods, auth level, direction); make them plain JSON values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def import_app(app_dir: Path, module: str = "function_app") -> func.FunctionRegister:
    path = app_dir / f"{module}.py"
    if not path.is_file():
        raise DevhostError(f"no {module}.py in {app_dir}")
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    spec = importlib.util.spec_from_file_location(module, path)
    if spec is None or spec.loader is None:
        raise DevhostError(f"cannot import {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[module] = mod
    spec.loader.exec_module(mod)
    apps = [v for v in vars(mod).values() if isinstance(v, func.FunctionRegister)]
    if len(apps) != 1:
        raise DevhostError(f"{path} must define exactly one FunctionApp (found {len(apps)})")
    return apps[0]


def describe(app: func.FunctionRegister, env: Mapping[str, str]) -> list[FunctionInfo]:
    """Enumerate ``app.get_functions()`` once (a second call raises in the SDK)."""
    infos: list[FunctionInfo] = []
    for fn in app.get_functions():
        name = fn.get_function_name() or fn.get_user_function().__name__
        bindings: list[BindingInfo] = []
        trigger: BindingInfo | None = None
        for binding in fn.get_bindings():
            raw = _plain(binding.get_dict_repr())
            try:
                data = resolve_refs(raw, env)
            except DevhostError as exc:
                raise DevhostError(f"function {name}: {exc}") from exc
            info = BindingInfo(
                name=str(data["name"]),
                type=str(data["type"]),
                direction=_DIRECTIONS.get(int(raw.get("direction", 0)), "in"),
                data=data,
            )
            bindings.append(info)
            if info.type.endswith("Trigger"):
                trigger = info
        if trigger is None:
            raise DevhostError(f"function {name} has no trigger binding")
        user_fn = fn.get_user_function()
        infos.append(
            FunctionInfo(
                name=name,
                func=user_fn,
                is_async=inspect.iscoroutinefunction(user_fn),
                trigger=trigger,
                bindings=tuple(bindings),
            )
        )
    return infos
