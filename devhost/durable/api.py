"""The Durable Functions HTTP API: the RPC endpoint the Python SDK calls and the public URLs.

Two prefixes serve the same operations:

- ``/.devhost/durabletask-rpc/`` is the ``rpcBaseUrl`` handed to ``durable_client_input``. The
  SDK JSON-encodes inputs and event data itself and then sends them as a JSON body, so bodies
  here are *double* encoded: the body decodes to a string that is the serialized payload.
- ``/runtime/webhooks/durabletask/`` is the public API (the URLs
  ``create_check_status_response`` returns); bodies are plain JSON, as in Azure.

Status codes follow the extension: 202 accepted, 200 done, 404 unknown instance, 410 gone
(finished instances for raise/terminate/suspend/resume, not-failed for rewind), 400 bad input,
409 an instance with that id is still running.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from typing import Any
from urllib.parse import quote

from aiohttp import web
from dateutil.parser import isoparse

from devhost.config import flag as _flag
from devhost.durable.engine import Engine
from devhost.durable.history import (
    decode_json,
    iso,
    public_history,
    rewound,
)
from devhost.durable.state import (
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    SUSPENDED,
    TERMINAL,
    TERMINATED,
    Instance,
)

RPC_PREFIX = "/.devhost/durabletask-rpc/"
PUBLIC_PREFIX = "/runtime/webhooks/durabletask/"
#: Largest request body accepted (inputs and event payloads), as a sanity bound: 16 MiB.
MAX_BODY = 16 * 1024 * 1024


class DurableApi:
    def __init__(self, *, engine: Engine, base_url: str, hub: str) -> None:
        self.engine = engine
        self.base_url = base_url.rstrip("/")
        self.hub = hub

    # --- URLs ---------------------------------------------------------------------------
    @property
    def rpc_base_url(self) -> str:
        return self.base_url + RPC_PREFIX

    @property
    def public_base_url(self) -> str:
        return self.base_url + PUBLIC_PREFIX

    def query(self) -> str:
        return f"taskHub={quote(self.hub)}&connection=Storage"

    def management_urls(self, instance_id: str) -> dict[str, str]:
        base = f"{self.public_base_url}instances/{quote(instance_id, safe='')}"
        q = self.query()
        return {
            "id": instance_id,
            "statusQueryGetUri": f"{base}?{q}",
            "sendEventPostUri": f"{base}/raiseEvent/{{eventName}}?{q}",
            "terminatePostUri": f"{base}/terminate?reason={{text}}&{q}",
            "rewindPostUri": f"{base}/rewind?reason={{text}}&{q}",
            "purgeHistoryDeleteUri": f"{base}?{q}",
            "restartPostUri": f"{base}/restart?{q}",
            "suspendPostUri": f"{base}/suspend?reason={{text}}&{q}",
            "resumePostUri": f"{base}/resume?reason={{text}}&{q}",
        }

    def client_binding(self) -> str:
        """The JSON the host passes to a ``durableClient`` input binding."""
        q = self.query()
        management = self.management_urls("INSTANCEID")
        management["id"] = "INSTANCEID"
        return json.dumps(
            {
                "taskHubName": self.hub,
                "creationUrls": {
                    "createNewInstancePostUri": (
                        f"{self.public_base_url}orchestrators/{{functionName}}[/{{instanceId}}]?{q}"
                    ),
                    "createAndWaitOnNewInstancePostUri": (
                        f"{self.public_base_url}orchestrators/{{functionName}}"
                        f"[/{{instanceId}}]?timeout={{timeoutInSeconds}}"
                        f"&pollingInterval={{intervalInSeconds}}&{q}"
                    ),
                },
                "managementUrls": management,
                "baseUrl": self.public_base_url.rstrip("/"),
                "requiredQueryStringParameters": q,
                "rpcBaseUrl": self.rpc_base_url,
                "httpBaseUrl": "",
                "maxGrpcMessageSizeInBytes": 0,
                "grpcHttpClientTimeout": "00:01:40",
            }
        )

    # --- routes -------------------------------------------------------------------------
    def install(self, app: web.Application) -> None:
        for prefix, rpc in ((RPC_PREFIX, True), (PUBLIC_PREFIX, False)):

            def bind(handler: Any, rpc: bool = rpc) -> Any:
                async def wrapped(request: web.Request) -> web.StreamResponse:
                    result: web.StreamResponse = await handler(request, rpc)
                    return result

                return wrapped

            r = app.router
            r.add_post(prefix + "orchestrators/{name}", bind(self.start))
            r.add_post(prefix + "orchestrators/{name}/{instance_id}", bind(self.start))
            r.add_get(prefix + "instances/", bind(self.list))
            r.add_get(prefix + "instances", bind(self.list))
            r.add_delete(prefix + "instances/", bind(self.purge_many))
            r.add_delete(prefix + "instances", bind(self.purge_many))
            r.add_get(prefix + "instances/{instance_id}", bind(self.status))
            r.add_delete(prefix + "instances/{instance_id}", bind(self.purge))
            r.add_post(prefix + "instances/{instance_id}/raiseEvent/{event}", bind(self.raise_))
            for op in ("terminate", "suspend", "resume", "rewind", "restart"):
                r.add_post(prefix + "instances/{instance_id}/" + op, bind(getattr(self, op)))

    # --- helpers ------------------------------------------------------------------------
    async def _payload(self, request: web.Request, rpc: bool) -> str | None:
        """The serialized payload (JSON text) from a request body, or None when absent."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BODY, actual_size=request.content_length
            )
        body = await request.read()
        try:
            return decode_payload(body, rpc=rpc)
        except ValueError as exc:
            raise web.HTTPBadRequest(
                text=json.dumps({"Message": str(exc), "ExceptionMessage": str(exc)}),
                content_type="application/json",
            ) from None

    def _status_doc(
        self, inst: Instance, *, show_input: bool, show_history: bool, show_output: bool
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": inst.name,
            "instanceId": inst.instance_id,
            "runtimeStatus": SUSPENDED if inst.suspended else inst.status,
            "input": decode_json(inst.input) if show_input else None,
            "customStatus": decode_json(inst.custom_status),
            "output": decode_json(inst.output),
            "createdTime": _iso_seconds(inst.created_at),
            "lastUpdatedTime": _iso_seconds(inst.updated_at),
        }
        if show_history:
            doc["historyEvents"] = public_history(
                self.engine.state.history(inst.instance_id), show_output
            )
        return doc

    # --- handlers -----------------------------------------------------------------------
    async def start(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        name = request.match_info["name"]
        instance_id = request.match_info.get("instance_id") or uuid.uuid4().hex
        if name not in self.engine.orchestrators:
            message = (
                f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator."
            )
            return web.json_response({"Message": message, "ExceptionMessage": message}, status=400)
        if (
            not instance_id.strip()
            or len(instance_id) > 256
            or any(c in instance_id for c in "/\\#?")
        ):
            return _bad("Instance ids must be 1-256 characters without / \\ # or ?.")
        input_ = await self._payload(request, rpc)
        async with self.engine.lock(instance_id):
            existing = self.engine.state.get(instance_id)
            if existing is not None and existing.status not in TERMINAL:
                message = (
                    f"An Orchestration instance with the instance ID '{instance_id}' already"
                    f" exists and is {existing.status}."
                )
                return web.json_response(
                    {"Message": message, "ExceptionMessage": message}, status=409
                )
            self.engine.state.begin()
            try:
                self.engine.create(
                    name=name,
                    instance_id=instance_id,
                    input_=input_,
                    version=request.query.get("version"),
                )
                self.engine.state.commit()
            except BaseException:
                self.engine.state.rollback()
                raise
        self.engine.wake()
        payload = self.management_urls(instance_id)
        return web.json_response(
            payload,
            status=202,
            headers={"Location": payload["statusQueryGetUri"], "Retry-After": "10"},
        )

    async def status(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        inst = self.engine.state.get(instance_id)
        if inst is None:
            return web.json_response(f"No instance with ID '{instance_id}' found.", status=404)
        q = request.query
        doc = self._status_doc(
            inst,
            show_input=_flag(q.get("showInput"), True),
            show_history=_flag(q.get("showHistory"), False),
            show_output=_flag(q.get("showHistoryOutput"), False),
        )
        if inst.status == COMPLETED:
            code = 200
        elif inst.status == FAILED:
            code = 500 if _flag(q.get("returnInternalServerErrorOnFailure"), False) else 200
        elif inst.status == TERMINATED:
            code = 200
        else:
            code = 202
        headers = {} if code != 202 else {"Location": str(request.url), "Retry-After": "10"}
        return web.json_response(doc, status=code, headers=headers)

    async def list(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        q = request.query
        try:
            created_from = _time(q.get("createdTimeFrom"))
            created_to = _time(q.get("createdTimeTo"))
            top = int(q["top"]) if q.get("top") else None
        except ValueError as exc:
            return _bad(str(exc))
        if top is not None and top < 1:
            return _bad("top must be a positive integer.")
        statuses = frozenset(s for s in (q.get("runtimeStatus") or "").split(",") if s)
        wanted_suspended = SUSPENDED in statuses
        store_statuses = statuses - {SUSPENDED}
        if wanted_suspended:
            store_statuses |= {RUNNING, PENDING}
        after = request.headers.get("x-ms-continuation-token") or None
        instances = self.engine.state.query(
            created_from=created_from,
            created_to=created_to,
            statuses=store_statuses,
            prefix=q.get("instanceIdPrefix"),
            after=after,
            limit=None if top is None else top + 1,
        )
        if statuses and wanted_suspended and not (statuses - {SUSPENDED}):
            instances = [i for i in instances if i.suspended]
        headers: dict[str, str] = {}
        if top is not None and len(instances) > top:
            instances = instances[:top]
            headers["x-ms-continuation-token"] = instances[-1].instance_id
        docs = [
            self._status_doc(
                i,
                show_input=_flag(q.get("showInput"), False),
                show_history=False,
                show_output=False,
            )
            for i in instances
        ]
        return web.json_response(docs, status=200, headers=headers)

    async def raise_(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        name = request.match_info["event"]
        input_ = await self._payload(request, rpc)
        inst = self.engine.state.get(instance_id)
        if inst is None:
            return web.json_response(f"No instance with ID '{instance_id}' found.", status=404)
        if inst.status in TERMINAL:
            return web.json_response(
                f"Instance with ID '{instance_id}' is {inst.status}.", status=410
            )
        self.engine.raise_event(instance_id, name, input_)
        return web.Response(status=202)

    async def terminate(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        reason = request.query.get("reason", "")
        async with self.engine.lock(instance_id):
            inst = self._running(instance_id)
            if isinstance(inst, web.Response):
                return inst
            self._tx(lambda: self.engine.terminate(inst, reason))
        return web.Response(status=202)

    def _running(self, instance_id: str) -> Instance | web.Response:
        """The instance, or the answer for one that is unknown (404) or finished (410)."""
        inst = self.engine.state.get(instance_id)
        if inst is None:
            return _not_found(instance_id)
        if inst.status in TERMINAL:
            return web.Response(status=410)
        return inst

    async def suspend(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        return await self._set_suspended(request, True)

    async def resume(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        return await self._set_suspended(request, False)

    async def _set_suspended(self, request: web.Request, value: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        async with self.engine.lock(instance_id):
            inst = self._running(instance_id)
            if isinstance(inst, web.Response):
                return inst
            inst.suspended = value
            self._tx(lambda: self.engine.state.put(inst))
        self.engine.wake()
        return web.Response(status=202)

    async def rewind(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        """Re-run a failed instance from its failures: failed tasks are scheduled again.

        The failure events (and the failed execution's end) are removed from history and the
        failed activities are queued again; failed sub-orchestrations are restarted. Replay
        then continues as if those tasks were still running.
        """
        instance_id = request.match_info["instance_id"]
        async with self.engine.lock(instance_id):
            inst = self.engine.state.get(instance_id)
            if inst is None:
                return _not_found(instance_id)
            if inst.status != FAILED:
                return web.Response(status=410)
            if any(kind in (1, 3) for kind, _ in inst.replay.sigs):
                # Each failed attempt of a retried task took hidden sequence ids (the retry
                # timer and the next attempt); removing failures would renumber them.
                return _bad(
                    "devhost cannot rewind orchestrations that use retries; restart it instead."
                )
            self._tx(lambda: self._rewind(inst))
        self.engine.wake()
        return web.Response(status=202)

    def _rewind(self, inst: Instance) -> None:
        state = self.engine.state
        kept, failed_tasks = rewound(state.history(inst.instance_id))
        state.replace_history(inst.instance_id, kept)
        inst.status = RUNNING
        inst.output = None
        for source in failed_tasks:
            if source["EventType"] == 4:
                work_id = state.add_work(
                    inst.instance_id,
                    inst.execution_id,
                    int(source["EventId"]),
                    str(source["Name"]),
                    source.get("Input"),
                )
                item = state.get_work(work_id)
                assert item is not None
                self.engine.launch(item)
            else:
                self.engine.create(
                    name=str(source["Name"]),
                    instance_id=str(source["InstanceId"]),
                    input_=source.get("Input"),
                    parent=(inst.instance_id, inst.execution_id, int(source["EventId"])),
                )
        state.put(inst)

    async def restart(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        new_id_wanted = _flag(request.query.get("restartWithNewInstanceId"), True)
        inst = self.engine.state.get(instance_id)
        if inst is None:
            return _not_found(instance_id)
        target = uuid.uuid4().hex if new_id_wanted else instance_id
        async with self.engine.lock(target):
            existing = self.engine.state.get(target)
            if existing is not None and existing.status not in TERMINAL and new_id_wanted:
                return web.json_response("instance id collision", status=409)
            if existing is not None and existing.status not in TERMINAL:
                self._tx(lambda: self.engine.terminate(existing, "restarted"))

            def go() -> None:
                self.engine.create(
                    name=inst.name, instance_id=target, input_=inst.input, version=inst.version
                )

            self._tx(go)
        self.engine.wake()
        return web.json_response(target, status=202)

    async def purge(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        instance_id = request.match_info["instance_id"]
        async with self.engine.lock(instance_id):
            inst = self.engine.state.get(instance_id)
            if inst is None:
                return web.json_response({"instancesDeleted": 0}, status=404)
            if inst.status not in TERMINAL:
                return web.json_response(
                    f"Instance '{instance_id}' is {inst.status}; only finished instances can be"
                    " purged.",
                    status=400,
                )
            self._tx(lambda: self.engine.state.delete(instance_id))
        return web.json_response({"instancesDeleted": 1}, status=200)

    async def purge_many(self, request: web.Request, rpc: bool) -> web.StreamResponse:
        q = request.query
        try:
            created_from = _time(q.get("createdTimeFrom"))
            created_to = _time(q.get("createdTimeTo"))
        except ValueError as exc:
            return _bad(str(exc))
        if created_from is None:
            return _bad("createdTimeFrom is required.")
        statuses = frozenset(s for s in (q.get("runtimeStatus") or "").split(",") if s)
        candidates = self.engine.state.query(
            created_from=created_from,
            created_to=created_to,
            statuses=(statuses & TERMINAL) if statuses else TERMINAL,
        )
        deleted = 0
        for inst in candidates:
            async with self.engine.lock(inst.instance_id):
                self._tx(lambda iid=inst.instance_id: self.engine.state.delete(iid))
                deleted += 1
        if deleted == 0:
            return web.json_response({"instancesDeleted": 0}, status=404)
        return web.json_response({"instancesDeleted": deleted}, status=200)

    def _tx(self, body: Any) -> None:
        state = self.engine.state
        state.begin()
        try:
            body()
            state.commit()
        except BaseException:
            state.rollback()
            raise


def decode_payload(body: bytes, *, rpc: bool) -> str | None:
    """The serialized payload (JSON text) a request body carries; None for an empty body.

    RPC bodies are the SDK's serialized text sent as a JSON string (double encoding); public
    bodies are plain JSON. Raises ValueError for anything that is not JSON.
    """
    if len(body) > MAX_BODY:
        raise ValueError(f"The body is larger than {MAX_BODY} bytes.")
    if not body.strip():
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("Only application/json request content is supported.") from None
    if rpc:
        if value is None:
            return None
        # A client that sent plain JSON to the RPC endpoint still gets a usable payload.
        return value if isinstance(value, str) else json.dumps(value)
    return json.dumps(value)


def _bad(message: str) -> web.Response:
    return web.json_response({"Message": message, "ExceptionMessage": message}, status=400)


def _not_found(instance_id: str) -> web.Response:
    return web.json_response(f"No instance with ID '{instance_id}' found.", status=404)


def _time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = isoparse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date-time.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _iso_seconds(ts: float) -> str:
    return iso(ts)[:19] + "Z"
