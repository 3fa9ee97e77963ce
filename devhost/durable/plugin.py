"""The devhost binding plugin for ``orchestrationTrigger``, ``activityTrigger`` and
``durableClient``."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from devhost.config import DevhostError, resolve_refs
from devhost.durable.api import DurableApi
from devhost.durable.engine import Engine
from devhost.durable.replay import ReplayPool
from devhost.durable.state import DurableState
from devhost.plugins import BindingInfo, FunctionInfo, HostServices


class DurablePlugin:
    trigger_types = frozenset({"orchestrationTrigger", "activityTrigger"})
    input_types = frozenset({"durableClient"})

    def __init__(self) -> None:
        self.orchestrators: dict[str, FunctionInfo] = {}
        self.activities: dict[str, FunctionInfo] = {}
        self.engine: Engine | None = None
        self.api: DurableApi | None = None
        self._state: DurableState | None = None

    def register(self, fn: FunctionInfo) -> None:
        # The SDK calls functions by their function name (the decorated Python name unless
        # renamed); the binding's own "orchestration"/"activity" attribute may rename them.
        if fn.trigger.type == "orchestrationTrigger":
            name = str(fn.trigger.data.get("orchestration") or fn.name)
            self.orchestrators[name] = fn
        else:
            name = str(fn.trigger.data.get("activity") or fn.name)
            self.activities[name] = fn

    def input_value(self, fn: FunctionInfo, binding: BindingInfo) -> Any:
        assert self.api is not None, "durable plugin not started"
        return self.api.client_binding()

    async def start(self, host: HostServices) -> None:
        options = _durable_options(host)
        self._state = DurableState(host.state_path)
        self.engine = Engine(
            state=self._state,
            invoke=host.invoke,
            orchestrators=self.orchestrators,
            activities=self.activities,
            max_orchestrations=int(options.get("maxConcurrentOrchestratorFunctions", 16)),
            max_activities=int(options.get("maxConcurrentActivityFunctions", 32)),
        )
        self.api = DurableApi(
            engine=self.engine, base_url=host.base_url, hub=str(options.get("hubName", "devhost"))
        )
        self.api.install(host.web_app)
        workers = int(options.get("devhostReplayProcesses", min(4, os.cpu_count() or 1)))
        if workers > 0 and self.orchestrators:
            pool = ReplayPool(
                {name: (fn.func, fn.trigger.name) for name, fn in self.orchestrators.items()},
                workers,
            )
            await pool.start()
            self.engine.replay_pool = pool
        await self.engine.start()

    async def stop(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
            if self.engine.replay_pool is not None:
                self.engine.replay_pool.close()
        if self._state is not None:
            self._state.close()
        # The SDK keeps one aiohttp session per process for its client calls; close it with
        # the loop that created it so shutdown is clean.
        from azure.durable_functions.models.utils import http_utils

        with contextlib.suppress(Exception):
            await http_utils._close_session()


def _durable_options(host: HostServices) -> dict[str, Any]:
    raw = host.host_json.get("extensions", {}) if host.host_json else {}
    options = raw.get("durableTask", {}) if isinstance(raw, dict) else {}
    if not isinstance(options, dict):
        return {}
    env = {**host.settings, **os.environ}
    resolved: dict[str, Any] = {}
    for key, value in options.items():
        # host.json values may reference app settings (%DURABLE_TASK_HUB%), as in Azure; an
        # unset one falls back to devhost's default rather than failing the start.
        try:
            resolved[key] = resolve_refs(value, env) if isinstance(value, str) else value
        except DevhostError:
            continue
    return resolved
