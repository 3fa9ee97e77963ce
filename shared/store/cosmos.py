"""Cosmos DB for NoSQL adapter (``azure.cosmos.aio``).

The database and containers are created when missing, with the partition key path and TTL the
container registry declares (containers without a default TTL get ``-1``: per-document ``ttl``
works, nothing expires by default). In Azure the client authenticates with the managed identity
(an ``azure.identity.aio`` credential; the account has local auth disabled); a key is used only
for the local emulator.

``emulator=True`` switches on the workarounds the ``@vercel/cosmosdb-server`` emulator needs —
it answers a read of a missing item with 500 instead of 404 and has no PATCH — so point reads go
through a query and patches through read + replace-if-match there. The real-Cosmos code path
never takes them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.exceptions import CosmosHttpResponseError

from shared.errors import InvalidInput
from shared.store import _sql
from shared.store.containers import CONTAINERS, spec_for
from shared.store.port import (
    Condition,
    Conflict,
    ContainerSpec,
    Doc,
    NotFound,
    Page,
    PreconditionFailed,
    StoreUnavailable,
)

T = TypeVar("T")
_SYSTEM = ("_rid", "_self", "_attachments", "_ts")
_OPS = _sql.COMPARISONS
_RETRIES = 5


#: Rounds of create-or-increment under contention (each a point operation).
_INCREMENT_ATTEMPTS = 20


def _clean(item: Mapping[str, Any]) -> Doc:
    return {k: v for k, v in item.items() if k not in _SYSTEM}


def _status(exc: CosmosHttpResponseError) -> int:
    return int(exc.status_code or 0)


class CosmosStore:
    def __init__(self, client: CosmosClient, database: DatabaseProxy, *, emulator: bool) -> None:
        self._client = client
        self._database = database
        self._containers: dict[str, ContainerProxy] = {}
        self._emulator = emulator

    @classmethod
    async def open(
        cls,
        *,
        endpoint: str,
        database: str,
        key: str | None = None,
        credential: Any = None,
        emulator: bool = False,
    ) -> CosmosStore:
        if not endpoint:
            raise InvalidInput("COSMOS_ENDPOINT is not set", field="COSMOS_ENDPOINT")
        auth = key if key else credential
        if auth is None:
            raise InvalidInput(
                "Cosmos DB needs a credential (managed identity) or, for the emulator, a key"
            )
        # Certificate verification is off only for the loopback emulator's self-signed cert.
        client = CosmosClient(endpoint, credential=auth, connection_verify=not emulator)
        try:
            db = await client.create_database_if_not_exists(database)
            store = cls(client, db, emulator=emulator)
            for spec in CONTAINERS.values():
                store._containers[spec.name] = await db.create_container_if_not_exists(
                    id=spec.name,
                    partition_key=PartitionKey(path=f"/{spec.pk_field}"),
                    default_ttl=spec.default_ttl if spec.default_ttl is not None else -1,
                )
        except (CosmosHttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            await client.close()
            raise StoreUnavailable(f"cosmos: cannot open {database}: {exc}") from exc
        return store

    def _container(self, name: str) -> tuple[ContainerSpec, ContainerProxy]:
        spec = spec_for(name)
        return spec, self._containers[spec.name]

    async def _run(self, fn: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(_RETRIES):
            try:
                return await fn()
            except CosmosHttpResponseError as exc:
                status = _status(exc)
                if status == 429:
                    retry_ms = float(
                        (exc.headers or {}).get("x-ms-retry-after-ms", 100 * 2**attempt)
                    )
                    await asyncio.sleep(retry_ms / 1000)
                    continue
                if status in (408, 449, 503) or status >= 500:
                    if self._emulator and status == 500:
                        raise
                    await asyncio.sleep(0.05 * 2**attempt * (1 + random.random()))
                    continue
                raise
            except (ServiceRequestError, ServiceResponseError):
                await asyncio.sleep(0.05 * 2**attempt * (1 + random.random()))
        raise StoreUnavailable("cosmos: unavailable after retries")

    # --- the port -------------------------------------------------------------------------
    async def get(self, container: str, pk: str, id: str) -> Doc | None:
        spec, proxy = self._container(container)
        if self._emulator:
            sql = f'SELECT * FROM c WHERE c["{spec.pk_field}"] = @pk AND c.id = @id'
            items, _ = await self._query_raw(proxy, sql, [("@pk", pk), ("@id", id)], pk, 1, None)
            return items[0] if items else None

        async def op() -> Doc | None:
            try:
                return _clean(await proxy.read_item(item=id, partition_key=pk))
            except CosmosHttpResponseError as exc:
                if _status(exc) == 404:
                    return None
                raise

        return await self._run(op)

    async def create(self, container: str, doc: Doc) -> Doc:
        spec, proxy = self._container(container)
        _sql.check_doc(spec, doc)
        body = {k: v for k, v in doc.items() if k != "_etag"}

        async def op() -> Doc:
            try:
                return _clean(await proxy.create_item(body))
            except CosmosHttpResponseError as exc:
                if _status(exc) == 409:
                    raise Conflict(f"{container}/{doc['id']} already exists") from None
                raise

        return await self._run(op)

    async def replace(self, container: str, doc: Doc, *, if_match: str | None = None) -> Doc:
        spec, proxy = self._container(container)
        _sql.check_doc(spec, doc)
        body = {k: v for k, v in doc.items() if k != "_etag"}

        async def op() -> Doc:
            try:
                if if_match is None:
                    return _clean(await proxy.replace_item(item=body["id"], body=body))
                return _clean(
                    await proxy.replace_item(
                        item=body["id"],
                        body=body,
                        etag=if_match,
                        match_condition=MatchConditions.IfNotModified,
                    )
                )
            except CosmosHttpResponseError as exc:
                if _status(exc) == 404:
                    raise NotFound(f"{container}/{body['id']} does not exist") from None
                if _status(exc) == 412:
                    raise PreconditionFailed(
                        f"{container}/{body['id']} was changed by someone else"
                    ) from None
                raise

        return await self._run(op)

    async def upsert(self, container: str, doc: Doc) -> Doc:
        spec, proxy = self._container(container)
        _sql.check_doc(spec, doc)
        body = {k: v for k, v in doc.items() if k != "_etag"}

        async def op() -> Doc:
            return _clean(await proxy.upsert_item(body))

        return await self._run(op)

    async def delete(self, container: str, pk: str, id: str) -> None:
        _, proxy = self._container(container)

        async def op() -> None:
            try:
                await proxy.delete_item(item=id, partition_key=pk)
            except CosmosHttpResponseError as exc:
                if _status(exc) != 404 and not (self._emulator and _status(exc) == 500):
                    raise

        await self._run(op)

    async def increment(self, container: str, pk: str, id: str, field: str, *, by: int = 1) -> int:
        spec, proxy = self._container(container)
        _sql.check_patch(spec, {field: by})
        ops = [{"op": "incr", "path": f"/{field}", "value": by}]
        for _ in range(_INCREMENT_ATTEMPTS):
            try:
                if self._emulator:
                    # The emulator has no patch: an etag-guarded read-modify-write instead.
                    current = await self.get(container, pk, id)
                    if current is not None:
                        value = int(current.get(field) or 0) + by
                        await self.replace(
                            container, {**current, field: value}, if_match=current["_etag"]
                        )
                        return value
                else:
                    try:
                        result = await self._run(
                            lambda: proxy.patch_item(
                                item=id, partition_key=pk, patch_operations=ops
                            )
                        )
                        return int(result[field])
                    except CosmosHttpResponseError as exc:
                        if _status(exc) != 404:
                            raise
                # Missing: the first increment creates it.
                await self.create(container, {"id": id, spec.pk_field: pk, field: by})
                return by
            except (Conflict, PreconditionFailed):
                continue  # a concurrent increment got there first: add to its value
        raise PreconditionFailed(f"{container}/{id} is too contended to increment")

    async def patch(
        self,
        container: str,
        pk: str,
        id: str,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
    ) -> Doc:
        spec, proxy = self._container(container)
        _sql.check_patch(spec, changes)
        if self._emulator:
            current = await self.get(container, pk, id)
            if current is None:
                raise NotFound(f"{container}/{id} does not exist")
            if if_match is not None and current["_etag"] != if_match:
                raise PreconditionFailed(f"{container}/{id} was changed by someone else")
            return await self.replace(container, {**current, **changes}, if_match=current["_etag"])
        operations = [
            {"op": "set", "path": f"/{name}", "value": value} for name, value in changes.items()
        ]

        async def op() -> Doc:
            try:
                if if_match is None:
                    result = await proxy.patch_item(
                        item=id, partition_key=pk, patch_operations=operations
                    )
                else:
                    result = await proxy.patch_item(
                        item=id,
                        partition_key=pk,
                        patch_operations=operations,
                        etag=if_match,
                        match_condition=MatchConditions.IfNotModified,
                    )
                return _clean(result)
            except CosmosHttpResponseError as exc:
                if _status(exc) == 404:
                    raise NotFound(f"{container}/{id} does not exist") from None
                if _status(exc) == 412:
                    raise PreconditionFailed(
                        f"{container}/{id} was changed by someone else"
                    ) from None
                raise

        return await self._run(op)

    async def _query_raw(
        self,
        proxy: ContainerProxy,
        sql: str,
        params: list[tuple[str, Any]],
        pk: str | None,
        limit: int,
        token: str | None,
    ) -> tuple[list[Doc], str | None]:
        async def op() -> tuple[list[Doc], str | None]:
            kwargs: dict[str, Any] = {
                "query": sql,
                "parameters": [{"name": n, "value": v} for n, v in params],
                "max_item_count": limit,
            }
            if pk is not None:
                kwargs["partition_key"] = pk
            pager = proxy.query_items(**kwargs).by_page(token)
            async for page in pager:
                items = [_clean(i) async for i in page]
                # by_page() returns an AsyncItemPaged page iterator that carries the token.
                next_token: str | None = getattr(pager, "continuation_token", None)
                return items, next_token
            return [], None

        return await self._run(op)

    async def query(
        self,
        container: str,
        *,
        pk: str | None = None,
        where: Sequence[Condition] = (),
        order_by: tuple[str, bool] | None = None,
        limit: int = 100,
        continuation: str | None = None,
    ) -> Page:
        spec, proxy = self._container(container)
        _sql.check_query(spec, where, order_by, limit)
        clauses: list[str] = []
        params: list[tuple[str, Any]] = []

        def param(value: Any) -> str:
            name = f"@p{len(params)}"
            params.append((name, value))
            return name

        if pk is not None:
            # Scope explicitly in the WHERE as well as by the partition_key option.
            clauses.append(f'c["{spec.pk_field}"] = {param(pk)}')
        for cond in where:
            col = f'c["{cond.field}"]'
            if cond.op in _OPS:
                clauses.append(f"{col} {_OPS[cond.op]} {param(cond.value)}")
            elif cond.op == "ne":
                clauses.append(f"(NOT IS_DEFINED({col}) OR {col} != {param(cond.value)})")
            elif cond.op == "in":
                clauses.append(f"{col} IN ({', '.join(param(v) for v in cond.value)})")
            else:
                clauses.append(f"ARRAY_CONTAINS({col}, {param(cond.value)})")
        sql = "SELECT * FROM c"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if order_by:
            sql += f' ORDER BY c["{order_by[0]}"] {"DESC" if order_by[1] else "ASC"}'
        expect = {
            "c": container,
            "o": order_by[0] if order_by else None,
            "d": bool(order_by and order_by[1]),
            "p": pk,
        }
        sdk_token = None
        if continuation is not None:
            sdk_token = _sql.decode_state(continuation, expect=expect).get("k")
            if not isinstance(sdk_token, str):
                raise InvalidInput("malformed continuation token", field="continuation")
        items, next_token = await self._query_raw(proxy, sql, params, pk, limit, sdk_token)
        token = _sql.encode_token({**expect, "k": next_token}) if next_token else None
        return Page(items, token)

    async def close(self) -> None:
        await self._client.close()
