"""The contract between the devhost core and binding plugins (Durable Functions and others)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from devhost.servicebus import Broker, OutgoingMessage


@dataclass(frozen=True)
class BindingInfo:
    #: Parameter name ("$return" for the return binding).
    name: str
    #: e.g. "httpTrigger", "serviceBusTrigger", "orchestrationTrigger", "durableClient".
    type: str
    #: "in" | "out" | "inout"
    direction: str
    #: The binding's ``get_dict_repr()`` with ``%SETTING%`` references resolved.
    data: Mapping[str, Any]


@dataclass(frozen=True)
class FunctionInfo:
    name: str
    #: The user function as registered (``get_user_function()``).
    func: Callable[..., Any]
    is_async: bool
    trigger: BindingInfo
    #: All bindings, the trigger included.
    bindings: tuple[BindingInfo, ...]


class HostServices(Protocol):
    #: Add routes in ``start()``, before the server listens.
    web_app: web.Application
    #: "http://127.0.0.1:<port>"
    base_url: str
    #: devhost's SQLite state file: a plugin opens its own connection and prefixes its tables.
    state_path: pathlib.Path
    settings: Mapping[str, str]
    #: The app's host.json document ({} when absent).
    host_json: Mapping[str, Any]

    async def invoke(self, fn: FunctionInfo, trigger_value: Any) -> Any:
        """Build every argument, run the function, flush outputs; raise the function's error."""
        ...


class QueueHostServices(HostServices, Protocol):
    """The host seen by its operator surface (``devhost.admin``): the plugin view plus the
    emulated queues, so the admin routes need the protocol, not the host class."""

    #: None until ``start()`` opens the state file.
    broker: Broker | None

    def urls(self) -> list[str]: ...

    def queue_names(self) -> list[str]: ...

    def send(self, queue: str, messages: list[OutgoingMessage]) -> list[int]:
        """Enqueue like a Service Bus sender and wake the queue's consumer."""
        ...

    def wake(self, queue: str) -> None: ...


class BindingPlugin(Protocol):
    trigger_types: frozenset[str]
    input_types: frozenset[str]

    def register(self, fn: FunctionInfo) -> None: ...

    def input_value(self, fn: FunctionInfo, binding: BindingInfo) -> Any: ...

    async def start(self, host: HostServices) -> None: ...

    async def stop(self) -> None: ...
