"""The devhost runtime: loads the app, serves HTTP triggers, drives queues, timers and plugins."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import time
import traceback
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func
from aiohttp import web
from azure.functions.servicebus import ServiceBusMessage

from devhost import admin
from devhost.accesslog import ACCESS_LOG, AccessLogger
from devhost.config import DevhostError, HostConfig, flag, load_host_json, load_local_settings
from devhost.loader import describe, import_app
from devhost.plugins import BindingInfo, BindingPlugin, FunctionInfo
from devhost.routes import Route, compile_route, order
from devhost.servicebus import Broker, Message, OutgoingMessage
from devhost.shutdown import GRACE_S, close_client_sessions
from devhost.timers import TimerRunner
from devhost.watchdog import watched

log = logging.getLogger("devhost")

#: Plugins loaded lazily by dotted path; a missing module is fine unless a function needs it.
DEFAULT_PLUGINS: tuple[str, ...] = ("devhost.durable:DurablePlugin",)

#: Binding types the core serves itself.
CORE_TRIGGERS = frozenset({"httpTrigger", "serviceBusTrigger", "timerTrigger"})
CORE_OUTPUTS = frozenset({"http", "serviceBus"})

#: Azure's HTTP request body limit (100 MB); the app enforces its own smaller limits.
MAX_BODY_BYTES = 100 * 1024 * 1024


class _Out(func.Out[Any]):
    def __init__(self) -> None:
        self._value: Any = None

    def set(self, val: Any) -> None:
        self._value = val

    def get(self) -> Any:
        return self._value


@dataclass(frozen=True)
class HttpFunction:
    fn: FunctionInfo
    route: Route
    methods: frozenset[str]


def _to_messages(value: Any) -> list[OutgoingMessage]:
    """What the worker accepts on a Service Bus output: str, bytes, or a list of them."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[OutgoingMessage] = []
    for item in items:
        if isinstance(item, bytes):
            out.append(OutgoingMessage(body=item))
        elif isinstance(item, str):
            out.append(OutgoingMessage(body=item.encode("utf-8")))
        elif isinstance(item, dict | list):
            out.append(
                OutgoingMessage(
                    body=json.dumps(item).encode("utf-8"), content_type="application/json"
                )
            )
        else:
            raise TypeError(
                f"Service Bus output takes str, bytes or JSON values, not {type(item).__name__}"
            )
    return out


def _disabled(name: str, env: Mapping[str, str]) -> bool:
    """The host's ``AzureWebJobs.<function>.Disabled`` app setting (``__`` for the dots where
    setting names cannot hold them): a disabled function is not served, triggered or scheduled,
    while messages for its queue still accumulate, as in Azure."""
    return any(
        flag(env.get(key, "").strip(), False)
        for key in (f"AzureWebJobs.{name}.Disabled", f"AzureWebJobs__{name}__Disabled")
    )


def _load_plugin(path: str) -> BindingPlugin | None:
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    plugin: BindingPlugin = getattr(module, attr)()
    return plugin


class Host:
    """One devhost instance. ``start()`` then ``stop()``; see ``__main__`` for the CLI."""

    def __init__(
        self,
        *,
        app_dir: Path,
        state_path: Path,
        host: str = "127.0.0.1",
        port: int = 7071,
        plugins: tuple[str, ...] = DEFAULT_PLUGINS,
        thread_pool_size: int = 32,
        https_port: int | None = None,
        console_dir: Path | None = None,
    ) -> None:
        self.app_dir = app_dir.resolve()
        self.state_path = state_path.resolve()
        self.bind_host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        #: The same application over TLS (self-signed, devhost.idp_tls): MSAL's authority.
        self.https_port = https_port
        self.https_url = f"https://{host}:{https_port}" if https_port is not None else None
        self.tls_cert: Path | None = None
        #: The built web console served at ``/`` (devhost.console); None: not served.
        self.console_dir = console_dir
        self._directory: Any = None
        self.settings: Mapping[str, str] = {}
        self.config: HostConfig = HostConfig()
        self.host_json: Mapping[str, Any] = {}
        self.web_app = web.Application(client_max_size=MAX_BODY_BYTES)
        self._plugin_paths = plugins
        self._plugins: list[BindingPlugin] = []
        self._plugin_for_input: dict[str, BindingPlugin] = {}
        self._executor = ThreadPoolExecutor(max_workers=thread_pool_size, thread_name_prefix="fn")
        self._http: list[HttpFunction] = []
        self._queues: dict[str, list[FunctionInfo]] = {}
        self._queue_events: dict[str, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []
        #: Deliveries running now, by task: what SIGTERM must return to the queue.
        self._inflight: dict[asyncio.Task[None], Message] = {}
        self._runner: web.AppRunner | None = None
        self.broker: Broker | None = None
        self._timers: TimerRunner | None = None
        self._stopping = False

    # --- start-up -------------------------------------------------------------------------
    def load(self) -> list[FunctionInfo]:
        self.settings = load_local_settings(self.app_dir)
        if os.environ.get("DEVHOST_IDP_ENABLED", "").lower() == "true":
            # The development identity provider is this host; tokens name it as issuer, so the
            # app must validate against it whatever port devhost got.
            os.environ["ENTRA_AUTHORITY"] = f"{self.base_url}/.devhost/idp"
        public = os.environ.get("PUBLIC_BASE_URL", "")
        if not public or "://localhost:" in public or "://127.0.0.1:" in public:
            # Links in notifications and cards point at this devhost, whatever port it got; a
            # non-loopback PUBLIC_BASE_URL (a tunnel, say) is left alone.
            os.environ["PUBLIC_BASE_URL"] = self.base_url
        env = dict(os.environ)
        self.config = load_host_json(self.app_dir)
        self.host_json = self.config.raw or {}
        app = import_app(self.app_dir)
        functions = [fn for fn in describe(app, env) if not _disabled(fn.name, env)]
        plugins = [p for p in (_load_plugin(path) for path in self._plugin_paths) if p is not None]
        for fn in functions:
            self._classify(fn, plugins)
        return functions

    def _classify(self, fn: FunctionInfo, plugins: list[BindingPlugin]) -> None:
        trigger = fn.trigger
        if trigger.type == "httpTrigger":
            methods = frozenset(
                str(m).upper() for m in (trigger.data.get("methods") or [])
            ) or frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
            route = compile_route(str(trigger.data.get("route") or fn.name))
            self._http.append(HttpFunction(fn, route, methods))
        elif trigger.type == "serviceBusTrigger":
            queue = trigger.data.get("queueName")
            if not queue:
                raise DevhostError(
                    f"function {fn.name}: serviceBusTrigger needs queueName"
                    " (topic subscriptions are not supported)"
                )
            self._queues.setdefault(str(queue), []).append(fn)
        elif trigger.type == "timerTrigger":
            pass
        else:
            owner = next((p for p in plugins if trigger.type in p.trigger_types), None)
            if owner is None:
                raise DevhostError(
                    f"function {fn.name}: trigger type {trigger.type!r} is not supported by devhost"
                )
            owner.register(fn)
            if owner not in self._plugins:
                self._plugins.append(owner)
        for binding in fn.bindings:
            if binding is trigger or binding.type in CORE_OUTPUTS:
                continue
            owner = next((p for p in plugins if binding.type in p.input_types), None)
            if owner is None:
                raise DevhostError(
                    f"function {fn.name}: binding type {binding.type!r} is not supported by devhost"
                )
            self._plugin_for_input[binding.type] = owner
            if owner not in self._plugins:
                self._plugins.append(owner)

    async def start(self) -> None:
        functions = self.load()
        self.broker = Broker(
            self.state_path,
            lock_duration=self.config.lock_duration,
            max_delivery_count=self.config.max_delivery_count,
        )
        recovered = self.broker.recover_locks()
        if recovered:
            log.info("recovered %d message lock(s) held by a previous run", recovered)
        self._http = [
            h for r in order([h.route for h in self._http]) for h in self._http if h.route is r
        ]
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        admin.install(self)
        if os.environ.get("DEVHOST_IDP_ENABLED", "").lower() == "true":
            self._install_idp()
        for plugin in self._plugins:
            await plugin.start(self)
        # [\s\S]: any character, newlines included (a percent-encoded %0A in a path segment).
        self.web_app.router.add_route("*", prefix + "/{tail:[\\s\\S]*}", self._handle_http)
        if prefix:
            self.web_app.router.add_route("*", prefix, self._handle_http)
        if self.console_dir is not None:
            from devhost import console

            console.install(self.web_app, self.console_dir)
        self._runner = web.AppRunner(
            self.web_app,
            access_log=ACCESS_LOG,
            access_log_class=AccessLogger,
            handle_signals=False,
            shutdown_timeout=GRACE_S,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.bind_host, self.port, reuse_address=True)
        await site.start()
        if self.https_port is not None:
            from devhost.idp_tls import ensure_certificate, server_context

            cert, key = ensure_certificate(self.state_path.parent)
            self.tls_cert = cert
            tls = web.TCPSite(
                self._runner,
                self.bind_host,
                self.https_port,
                ssl_context=server_context(cert, key),
                reuse_address=True,
            )
            await tls.start()
        for queue in self._queues:
            self._queue_events[queue] = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._consume(queue), name=f"queue:{queue}"))
        timer_fns = [f for f in functions if f.trigger.type == "timerTrigger"]
        if timer_fns:
            self._timers = TimerRunner(self.broker.connection, timer_fns, self.invoke)
            await self._timers.start()
        log.info("devhost listening on %s (%d functions)", self.base_url, len(functions))

    def _install_idp(self) -> None:
        """The development identity provider, its sign-in listing the people in the store."""
        from devhost import idp, idp_oauth
        from devhost.idp_users import StoreDirectory

        site = idp.install(
            self.web_app,
            base_url=self.base_url,
            state_dir=self.state_path.parent,
            https_base_url=self.https_url,
        )
        if site is not None:
            self._directory = StoreDirectory()
            idp_oauth.install(self.web_app, site, self._directory)

    def urls(self) -> list[str]:
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        return [
            f"{','.join(sorted(h.methods))} {self.base_url}{prefix}/{h.route.template}"
            f"  ({h.fn.name})"
            for h in self._http
        ]

    async def stop(self) -> None:
        """See devhost/shutdown.py for the order and why."""
        self._stopping = True
        if self._timers is not None:
            await self._timers.stop()
        consumers = [t for t in self._tasks if t not in self._inflight]
        for task in consumers:
            task.cancel()
        if self._inflight:
            await asyncio.wait(list(self._inflight), timeout=GRACE_S)
        for task in [*self._inflight, *consumers]:
            task.cancel()
        for task in [*self._inflight, *consumers]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for plugin in self._plugins:
            await plugin.stop()
        if self._directory is not None:
            await self._directory.close()
        if self._runner is not None:
            await self._runner.cleanup()
        closed = await close_client_sessions()
        if closed:
            log.info("closed %d HTTP client session(s) the app left open", closed)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.broker is not None:
            self.broker.close()

    # --- invocation -----------------------------------------------------------------------
    async def invoke(self, fn: FunctionInfo, trigger_value: Any) -> Any:
        kwargs: dict[str, Any] = {}
        outs: dict[str, tuple[BindingInfo, _Out]] = {}
        for binding in fn.bindings:
            if binding.name == "$return":
                continue
            if binding is fn.trigger:
                kwargs[binding.name] = trigger_value
            elif binding.direction == "out" and binding.type in CORE_OUTPUTS:
                out = _Out()
                outs[binding.name] = (binding, out)
                kwargs[binding.name] = out
            else:
                kwargs[binding.name] = self._plugin_for_input[binding.type].input_value(fn, binding)
        started = time.perf_counter()
        outcome = "ok"
        try:
            if fn.is_async:
                result = await watched(fn.name, fn.func(**kwargs))
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._executor, lambda: fn.func(**kwargs))
            for binding, out in outs.values():
                if binding.type == "serviceBus":
                    self.send(str(binding.data["queueName"]), _to_messages(out.get()))
            return result
        except BaseException as exc:
            outcome = f"error: {type(exc).__name__}: {exc}"
            raise
        finally:
            log.info(
                "invoked %s trigger=%s duration_ms=%.1f outcome=%s",
                fn.name,
                fn.trigger.type,
                (time.perf_counter() - started) * 1000,
                outcome,
            )

    def queue_names(self) -> list[str]:
        return list(self._queues)

    def wake(self, queue: str) -> None:
        event = self._queue_events.get(queue)
        if event is not None:
            event.set()

    def send(self, queue: str, messages: list[OutgoingMessage]) -> list[int]:
        assert self.broker is not None
        if not messages:
            return []
        seqs = self.broker.send(queue, messages)
        self.wake(queue)
        return seqs

    # --- HTTP -----------------------------------------------------------------------------
    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        path = request.path[len(prefix) :] if request.path.startswith(prefix) else request.path
        path = "/" + path.strip("/") if path.strip("/") else ""
        allowed: set[str] = set()
        for h in self._http:
            params = h.route.match(path)
            if params is None:
                continue
            allowed.update(h.methods)
            if request.method.upper() not in h.methods:
                continue
            body = await request.read()
            req = func.HttpRequest(
                method=request.method,
                url=str(request.url),
                headers=dict(request.headers),
                params=dict(request.query),
                route_params=params,
                body=body,
            )
            try:
                result = await self.invoke(h.fn, req)
            except Exception:
                log.error("function %s failed:\n%s", h.fn.name, traceback.format_exc())
                return web.json_response(
                    {"error": "function failed; see the devhost log"}, status=500
                )
            return _to_web_response(result)
        if allowed:
            # RFC 9110: a 405 names the methods the resource supports.
            return web.Response(
                status=405, text="method not allowed", headers={"Allow": ", ".join(sorted(allowed))}
            )
        return web.Response(status=404, text="not found")

    # --- Service Bus ----------------------------------------------------------------------
    async def _consume(self, queue: str) -> None:
        assert self.broker is not None
        broker = self.broker
        functions = self._queues[queue]
        slots = asyncio.Semaphore(max(1, self.config.max_concurrent_calls))
        event = self._queue_events[queue]
        turn = 0
        while not self._stopping:
            await slots.acquire()
            msg = broker.lock_next(queue)
            if msg is None:
                slots.release()
                event.clear()
                due = broker.next_visible_at(queue)
                timeout = None if due is None else max(0.0, due - time.time())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), timeout=timeout)
                continue
            fn = functions[turn % len(functions)]
            turn += 1
            task = asyncio.create_task(
                self._deliver(fn, msg, slots), name=f"deliver:{msg.message_id}"
            )
            self._inflight[task] = msg
            task.add_done_callback(lambda t: self._inflight.pop(t, None))

    async def _deliver(self, fn: FunctionInfo, msg: Message, slots: asyncio.Semaphore) -> None:
        assert self.broker is not None
        try:
            try:
                await self.invoke(fn, _service_bus_message(msg))
            except asyncio.CancelledError:
                # Shutting down: back on the queue now, not when its lock runs out.
                self.broker.release(msg)
                log.info("message %s returned to %s (shutdown)", msg.message_id, msg.queue)
                raise
            except Exception as exc:
                dead = self.broker.abandon(msg, f"{type(exc).__name__}: {exc}")
                if dead:
                    log.warning(
                        "message %s dead-lettered after %d deliveries (MaxDeliveryCountExceeded)",
                        msg.message_id,
                        msg.delivery_count,
                    )
                self._queue_events[msg.queue].set()
            else:
                self.broker.complete(msg)
        finally:
            slots.release()


def _to_web_response(result: Any) -> web.Response:
    if result is None:
        return web.Response(status=204)
    if isinstance(result, func.HttpResponse):
        headers = {k: v for k, v in result.headers.items() if k.lower() != "content-length"}
        content_type = result.mimetype or "text/plain"
        if result.charset and content_type.startswith(
            ("text/", "application/json", "application/problem")
        ):
            content_type = f"{content_type}; charset={result.charset}"
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        return web.Response(status=result.status_code, body=result.get_body(), headers=headers)
    if isinstance(result, str | bytes):
        return web.Response(
            status=200, body=result if isinstance(result, bytes) else result.encode()
        )
    return web.json_response(result)


def _service_bus_message(msg: Message) -> ServiceBusMessage:
    enqueued = datetime.fromtimestamp(msg.enqueued_at, UTC)
    locked_until = datetime.fromtimestamp(msg.locked_until, UTC) if msg.locked_until else None
    metadata: dict[str, Any] = {
        "MessageId": msg.message_id,
        "DeliveryCount": msg.delivery_count,
        "EnqueuedTimeUtc": enqueued.isoformat(),
        "LockedUntil": locked_until.isoformat() if locked_until else None,
        "SequenceNumber": msg.seq,
        "LockToken": msg.lock_token,
        "ContentType": msg.content_type,
        "CorrelationId": msg.correlation_id,
        "UserProperties": msg.properties,
        "ApplicationProperties": msg.properties,
    }
    return ServiceBusMessage(
        body=msg.body,
        trigger_metadata=metadata,
        application_properties=dict(msg.properties),
        content_type=msg.content_type,
        correlation_id=msg.correlation_id,
        delivery_count=msg.delivery_count,
        enqueued_time_utc=enqueued,
        scheduled_enqueue_time_utc=datetime.fromtimestamp(msg.scheduled_at, UTC)
        if msg.scheduled_at
        else None,
        locked_until=locked_until,
        lock_token=msg.lock_token,
        message_id=msg.message_id,
        sequence_number=msg.seq,
        user_properties=dict(msg.properties),
    )
