"""PostgreSQL adapter (Azure Database for PostgreSQL Flexible Server or any PostgreSQL 13+).

One table per container: ``pk_col``, ``id`` (both ``COLLATE "C"``, so ordering is byte order as
in SQLite), ``etag``, ``expires_at`` and the document as ``jsonb``, with expression indexes on
the declared query fields. Expiry uses the database clock, so every instance agrees.

Authentication: a DSN with a password locally; in Azure, the DSN names host/database/user only
and each new connection gets a fresh Entra access token from the injected credential as its
password (tokens live about an hour; connections are recycled well before, ``max_lifetime``).
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

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
Conn = psycopg.AsyncConnection[TupleRow]

ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"
SCHEMA_VERSION = 1
_MIGRATION_LOCK = 0x0A1E27  # advisory lock id: one migrating process at a time
_RETRIES = 4
_OPS = _sql.COMPARISONS
_ALIVE = "(expires_at IS NULL OR expires_at > now())"
_EXPIRES = (
    "CASE WHEN %s::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => %s::float8) END"
)


def _ttl(spec: ContainerSpec, doc: Doc) -> float | None:
    ttl = doc.get("ttl", spec.default_ttl)
    return None if ttl is None or ttl == -1 else float(ttl)


def _j(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _col(spec: ContainerSpec, field: str) -> str:
    if field == "id":
        return "to_jsonb(id)"
    if field == spec.pk_field:
        return "to_jsonb(pk_col)"
    return f"(doc->'{field}')"


class PostgresStore:
    def __init__(self, pool: AsyncConnectionPool[Conn]) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, dsn: str, *, credential: Any = None, max_size: int = 10) -> PostgresStore:
        kwargs: Any = {"autocommit": True}
        # A password in the DSN (local, or a PgBouncer secret) wins over Entra tokens.
        if credential is not None and "password" not in conninfo_to_dict(dsn):

            async def with_token() -> dict[str, Any]:
                token = await credential.get_token(ENTRA_SCOPE)
                return {"autocommit": True, "password": token.token}

            kwargs = with_token
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            dsn,
            kwargs=kwargs,
            min_size=1,
            max_size=max_size,
            open=False,
            max_lifetime=30 * 60,
            timeout=10,
        )
        try:
            await pool.open(wait=True, timeout=15)
        except PoolTimeout as exc:
            await pool.close()
            raise StoreUnavailable(f"postgres: cannot connect ({exc})") from exc
        store = cls(pool)
        await store._migrate()
        return store

    async def _migrate(self) -> None:
        """Idempotent and safe when several processes start at once (advisory lock)."""

        async def op(conn: Conn) -> None:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS openalert_migrations (version int PRIMARY KEY,"
                    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                )
                for spec in CONTAINERS.values():
                    t = _sql.table(spec)
                    await conn.execute(
                        f'CREATE TABLE IF NOT EXISTS "{t}" (pk_col text COLLATE "C" NOT NULL,'
                        ' id text COLLATE "C" NOT NULL, etag text NOT NULL, expires_at timestamptz,'
                        " doc jsonb NOT NULL, PRIMARY KEY (pk_col, id))"
                    )
                    for field in spec.query_fields:
                        await conn.execute(
                            f'CREATE INDEX IF NOT EXISTS "ix_{t}_{field}" ON "{t}"'
                            f" ((doc->'{field}'), pk_col, id)"
                        )
                    await conn.execute(
                        f'CREATE INDEX IF NOT EXISTS "ix_{t}_expiry" ON "{t}" (expires_at)'
                        " WHERE expires_at IS NOT NULL"
                    )
                await conn.execute(
                    "INSERT INTO openalert_migrations (version, name) VALUES (%s, %s)"
                    " ON CONFLICT DO NOTHING",
                    (SCHEMA_VERSION, "document tables"),
                )

        await self._run(op)

    async def _run(self, fn: Callable[[Conn], Awaitable[T]]) -> T:
        for attempt in range(_RETRIES):
            try:
                async with self._pool.connection() as conn:
                    return await fn(conn)
            except (psycopg.OperationalError, PoolTimeout) as exc:
                if attempt == _RETRIES - 1:
                    raise StoreUnavailable(f"postgres: {exc}") from exc
                await asyncio.sleep(0.05 * 2**attempt * (1 + random.random()))
            except pg_errors.SerializationFailure:
                await asyncio.sleep(0.01 * (1 + random.random()))
        raise StoreUnavailable("postgres: retries exhausted")

    @staticmethod
    def _out(doc: Doc, etag: str) -> Doc:
        return {**doc, "_etag": etag}

    # --- the port -------------------------------------------------------------------------
    async def get(self, container: str, pk: str, id: str) -> Doc | None:
        spec = spec_for(container)

        async def op(conn: Conn) -> Doc | None:
            cur = await conn.execute(
                f'SELECT doc, etag FROM "{_sql.table(spec)}"'
                f" WHERE pk_col=%s AND id=%s AND {_ALIVE}",
                (pk, id),
            )
            row = await cur.fetchone()
            return self._out(row[0], row[1]) if row else None

        return await self._run(op)

    async def create(self, container: str, doc: Doc) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        ttl = _ttl(spec, doc)
        etag = uuid.uuid4().hex

        async def op(conn: Conn) -> Doc:
            try:
                async with conn.transaction():
                    await conn.execute(
                        f'DELETE FROM "{_sql.table(spec)}"'
                        " WHERE pk_col=%s AND id=%s AND expires_at <= now()",
                        (pk, doc_id),
                    )
                    await conn.execute(
                        f'INSERT INTO "{_sql.table(spec)}" (pk_col, id, etag, expires_at, doc)'
                        f" VALUES (%s, %s, %s, {_EXPIRES}, %s::jsonb)",
                        (pk, doc_id, etag, ttl, ttl, text),
                    )
            except pg_errors.UniqueViolation:
                raise Conflict(f"{container}/{doc_id} already exists") from None
            return self._out(json.loads(text), etag)

        return await self._run(op)

    async def replace(self, container: str, doc: Doc, *, if_match: str | None = None) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        ttl = _ttl(spec, doc)
        etag = uuid.uuid4().hex

        async def op(conn: Conn) -> Doc:
            cur = await conn.execute(
                f'UPDATE "{_sql.table(spec)}" SET etag=%s, expires_at={_EXPIRES}, doc=%s::jsonb'
                f" WHERE pk_col=%s AND id=%s AND {_ALIVE}"
                " AND (%s::text IS NULL OR etag=%s) RETURNING etag",
                (etag, ttl, ttl, text, pk, doc_id, if_match, if_match),
            )
            if await cur.fetchone() is None:
                if await self.get(container, pk, doc_id) is None:
                    raise NotFound(f"{container}/{doc_id} does not exist")
                raise PreconditionFailed(f"{container}/{doc_id} was changed by someone else")
            return self._out(json.loads(text), etag)

        return await self._run(op)

    async def upsert(self, container: str, doc: Doc) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        ttl = _ttl(spec, doc)
        etag = uuid.uuid4().hex

        async def op(conn: Conn) -> Doc:
            await conn.execute(
                f'INSERT INTO "{_sql.table(spec)}" (pk_col, id, etag, expires_at, doc)'
                f" VALUES (%s, %s, %s, {_EXPIRES}, %s::jsonb) ON CONFLICT (pk_col, id) DO UPDATE"
                " SET etag=excluded.etag, expires_at=excluded.expires_at, doc=excluded.doc",
                (pk, doc_id, etag, ttl, ttl, text),
            )
            return self._out(json.loads(text), etag)

        return await self._run(op)

    async def delete(self, container: str, pk: str, id: str) -> None:
        spec = spec_for(container)

        async def op(conn: Conn) -> None:
            await conn.execute(
                f'DELETE FROM "{_sql.table(spec)}" WHERE pk_col=%s AND id=%s', (pk, id)
            )

        await self._run(op)

    async def increment(self, container: str, pk: str, id: str, field: str, *, by: int = 1) -> int:
        spec = spec_for(container)
        _sql.check_patch(spec, {field: by})
        doc: Doc = {"id": id, spec.pk_field: pk, field: by}
        _, _, text = _sql.check_doc(spec, doc)
        ttl = _ttl(spec, doc)
        t = _sql.table(spec)
        # One statement: insert the first value, or add to the live row's value; an expired
        # row counts as absent and starts again from ``by``.
        sql = (
            f'INSERT INTO "{t}" AS cur (pk_col, id, etag, expires_at, doc)'
            f" VALUES (%s, %s, %s, {_EXPIRES}, %s::jsonb)"
            " ON CONFLICT (pk_col, id) DO UPDATE SET etag = excluded.etag,"
            " expires_at = CASE WHEN cur.expires_at IS NOT NULL AND cur.expires_at <= now()"
            " THEN excluded.expires_at ELSE cur.expires_at END,"
            " doc = CASE WHEN cur.expires_at IS NOT NULL AND cur.expires_at <= now()"
            " THEN excluded.doc ELSE jsonb_set(cur.doc, ARRAY[%s],"
            " to_jsonb(COALESCE((cur.doc->>%s)::bigint, 0) + %s)) END"
            " RETURNING (doc->>%s)::bigint"
        )

        async def op(conn: Conn) -> int:
            cur = await conn.execute(
                sql, (pk, id, uuid.uuid4().hex, ttl, ttl, text, field, field, by, field)
            )
            row = await cur.fetchone()
            assert row is not None
            return int(row[0])

        return await self._run(op)

    async def patch(
        self,
        container: str,
        pk: str,
        id: str,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
    ) -> Doc:
        spec = spec_for(container)
        _sql.check_patch(spec, changes)

        async def op(conn: Conn) -> Doc:
            async with conn.transaction():
                cur = await conn.execute(
                    f'SELECT doc, etag FROM "{_sql.table(spec)}"'
                    f" WHERE pk_col=%s AND id=%s AND {_ALIVE} FOR UPDATE",
                    (pk, id),
                )
                row = await cur.fetchone()
                if row is None:
                    raise NotFound(f"{container}/{id} does not exist")
                if if_match is not None and row[1] != if_match:
                    raise PreconditionFailed(f"{container}/{id} was changed by someone else")
                doc: Doc = {**row[0], **changes}
                _, _, text = _sql.check_doc(spec, doc)
                ttl = _ttl(spec, doc)
                etag = uuid.uuid4().hex
                await conn.execute(
                    f'UPDATE "{_sql.table(spec)}" SET etag=%s, expires_at={_EXPIRES}, doc=%s::jsonb'
                    " WHERE pk_col=%s AND id=%s",
                    (etag, ttl, ttl, text, pk, id),
                )
            return self._out(json.loads(text), etag)

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
        spec = spec_for(container)
        _sql.check_query(spec, where, order_by, limit)
        clauses = [_ALIVE]
        params: list[Any] = []
        if pk is not None:
            clauses.append("pk_col = %s")
            params.append(pk)
        for cond in where:
            col = _col(spec, cond.field)
            if cond.op in _OPS:
                clauses.append(f"{col} {_OPS[cond.op]} %s::jsonb")
                params.append(_j(cond.value))
            elif cond.op == "ne":
                clauses.append(f"{col} IS DISTINCT FROM %s::jsonb")
                params.append(_j(cond.value))
            elif cond.op == "in":
                clauses.append(f"{col} IN ({', '.join(['%s::jsonb'] * len(cond.value))})")
                params.extend(_j(v) for v in cond.value)
            else:
                clauses.append(f"{col} @> %s::jsonb")
                params.append(_j([cond.value]))
        field = order_by[0] if order_by else None
        desc = bool(order_by and order_by[1])
        value_col = _col(spec, field) if field else "NULL::jsonb"
        expect = {"c": container, "o": field, "d": desc, "p": pk}
        if continuation is not None:
            clause, extra = _sql.keyset_after(
                value_col=value_col if field else None,
                desc=desc,
                last=_sql.decode_token(continuation, expect=expect)["last"],
                ph="%s",
                value_ph="%s::jsonb",
                encode=_j,
            )
            clauses.append(clause)
            params.extend(extra)
        if field:
            direction = "DESC NULLS LAST" if desc else "ASC NULLS FIRST"
            tie_dir = "DESC" if desc else "ASC"
            order_sql = f"{value_col} {direction}, pk_col {tie_dir}, id {tie_dir}"
        else:
            order_sql = "pk_col, id"
        sql = (
            f'SELECT doc, etag, pk_col, id, {value_col} FROM "{_sql.table(spec)}"'
            f" WHERE {' AND '.join(clauses)} ORDER BY {order_sql} LIMIT %s"
        )
        params.append(limit + 1)

        async def op(conn: Conn) -> Page:
            cur = await conn.execute(sql, params)
            rows = await cur.fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            token = None
            if more:
                last = rows[-1]
                token = _sql.encode_token({**expect, "last": [last[4], last[2], last[3]]})
            return Page([self._out(r[0], r[1]) for r in rows], token)

        return await self._run(op)

    async def purge_expired(self) -> int:
        async def op(conn: Conn) -> int:
            total = 0
            for spec in CONTAINERS.values():
                cur = await conn.execute(
                    f'DELETE FROM "{_sql.table(spec)}" WHERE expires_at <= now()'
                )
                total += cur.rowcount
            return total

        return await self._run(op)

    async def close(self) -> None:
        await self._pool.close()
