"""SQLite adapter: the embedded default (``make run``), one table per container.

One connection; every operation is one short transaction, run under one lock, and that
serialisation is what makes etag checks race-free inside the process. A point operation runs
right on the event loop when the lock is free and the database is not write-locked by another
process (WAL, so that is the usual case and costs tens of microseconds — far less than a hop to
a thread); otherwise, and for queries, purges, opening and closing, it runs in the store's own
thread, retrying a busy database with backoff for up to ``BUSY_WAIT_S``, so the loop never
blocks on another process or a scan. Other processes (devhost
CLI, tests) share the file. JSON1 expression indexes cover the declared query fields.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

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

_OPS = _sql.COMPARISONS
_INSERT = 'INSERT INTO "{t}" (pk_col, id, etag, expires_at, doc) VALUES (?,?,?,?,?)'
_UPDATE = 'UPDATE "{t}" SET etag=?, expires_at=?, doc=? WHERE pk_col=? AND id=?'
#: How long an operation waits, in its thread, for another process's write lock (seconds).
BUSY_WAIT_S = 5.0


def _busy(exc: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock: transient, unlike disk I/O errors or corruption."""
    text = str(exc)
    return "locked" in text or "busy" in text


def _jx(field: str) -> str:
    if field in ("id", "pk_col"):
        return field
    return f"json_extract(doc, '$.\"{field}\"')"


class SqliteStore:
    def __init__(self, path: Path | str) -> None:
        self._path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._db: sqlite3.Connection | None = None
        self._ready: set[str] = set()
        self._lock = threading.Lock()
        # Etags: unique per write without a system call each (uuid4 reads the OS's random
        # source); the random prefix keeps two processes writing the same file apart.
        self._etag_prefix = uuid.uuid4().hex[:12]
        self._etags = itertools.count()

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        store = cls(path)
        await store._run(store._connect, inline=False)
        return store

    # --- plumbing -------------------------------------------------------------------------
    def _connect(self) -> None:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Busy means "another process holds the write lock": never waited for on the loop
        # (see _run), so SQLite itself does not wait.
        db.execute("PRAGMA busy_timeout=0")
        self._db = db
        for spec in CONTAINERS.values():
            self._ensure(spec)

    def _ensure(self, spec: ContainerSpec) -> None:
        if spec.name in self._ready:
            return
        assert self._db is not None
        t = _sql.table(spec)
        self._db.execute(
            f'CREATE TABLE IF NOT EXISTS "{t}" (pk_col TEXT NOT NULL, id TEXT NOT NULL, '
            "etag TEXT NOT NULL, expires_at REAL, doc TEXT NOT NULL, PRIMARY KEY (pk_col, id))"
        )
        for field in spec.query_fields:
            self._db.execute(
                f'CREATE INDEX IF NOT EXISTS "ix_{t}_{field}" ON "{t}" ({_jx(field)}, pk_col, id)'
            )
        self._ready.add(spec.name)

    async def _run(self, fn: Callable[[], T], *, inline: bool = True) -> T:
        """``fn`` under the lock: on the loop when that is quick (``inline``: a point operation
        and the lock free), else in the store's thread. Scans, purges, opening and closing are
        never inline: they can take milliseconds."""
        if inline and self._lock.acquire(blocking=False):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise StoreUnavailable(f"sqlite: {exc}") from exc
            finally:
                self._lock.release()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: self._waiting(fn))

    def _waiting(self, fn: Callable[[], T]) -> T:
        """``fn`` in the store's thread, under the lock, retrying while the file is busy."""
        deadline = time.monotonic() + BUSY_WAIT_S
        pause = 0.002
        while True:
            with self._lock:
                try:
                    return fn()
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise StoreUnavailable(f"sqlite: {exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreUnavailable("sqlite: database stayed locked")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _etag(self) -> str:
        return f"{self._etag_prefix}{next(self._etags):x}"

    def _tx(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._db is not None
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            result = fn(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result

    @staticmethod
    def _out(text: str, etag: str) -> Doc:
        doc: Doc = json.loads(text)
        doc["_etag"] = etag
        return doc

    # --- the port -------------------------------------------------------------------------
    async def get(self, container: str, pk: str, id: str) -> Doc | None:
        spec = spec_for(container)

        def op() -> Doc | None:
            assert self._db is not None
            row = self._db.execute(
                f'SELECT doc, etag FROM "{_sql.table(spec)}" WHERE pk_col=? AND id=?'
                " AND (expires_at IS NULL OR expires_at > ?)",
                (pk, id, time.time()),
            ).fetchone()
            return self._out(row[0], row[1]) if row else None

        return await self._run(op)

    async def create(self, container: str, doc: Doc) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        expires = _sql.expires_at(spec, doc)
        etag = self._etag()

        def op(db: sqlite3.Connection) -> Doc:
            insert = _INSERT.format(t=_sql.table(spec))
            try:
                db.execute(insert, (pk, doc_id, etag, expires, text))
            except sqlite3.IntegrityError:
                # An expired row is gone as far as readers know; creating over it must work.
                # Looked for only on a clash, so the common create is one statement.
                gone = db.execute(
                    f'DELETE FROM "{_sql.table(spec)}" WHERE pk_col=? AND id=? AND expires_at <= ?',
                    (pk, doc_id, time.time()),
                ).rowcount
                if not gone:
                    raise Conflict(f"{container}/{doc_id} already exists") from None
                db.execute(insert, (pk, doc_id, etag, expires, text))
            return self._out(text, etag)

        return await self._run(lambda: self._tx(op))

    async def replace(self, container: str, doc: Doc, *, if_match: str | None = None) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        expires = _sql.expires_at(spec, doc)
        etag = self._etag()

        def op(db: sqlite3.Connection) -> Doc:
            row = db.execute(
                f'SELECT etag FROM "{_sql.table(spec)}" WHERE pk_col=? AND id=?'
                " AND (expires_at IS NULL OR expires_at > ?)",
                (pk, doc_id, time.time()),
            ).fetchone()
            if row is None:
                raise NotFound(f"{container}/{doc_id} does not exist")
            if if_match is not None and row[0] != if_match:
                raise PreconditionFailed(f"{container}/{doc_id} was changed by someone else")
            db.execute(
                _UPDATE.format(t=_sql.table(spec)),
                (etag, expires, text, pk, doc_id),
            )
            return self._out(text, etag)

        return await self._run(lambda: self._tx(op))

    async def upsert(self, container: str, doc: Doc) -> Doc:
        spec = spec_for(container)
        pk, doc_id, text = _sql.check_doc(spec, doc)
        expires = _sql.expires_at(spec, doc)
        etag = self._etag()

        def op(db: sqlite3.Connection) -> Doc:
            db.execute(
                _INSERT.format(t=_sql.table(spec))
                + " ON CONFLICT(pk_col, id) DO UPDATE SET etag=excluded.etag,"
                " expires_at=excluded.expires_at, doc=excluded.doc",
                (pk, doc_id, etag, expires, text),
            )
            return self._out(text, etag)

        return await self._run(lambda: self._tx(op))

    async def delete(self, container: str, pk: str, id: str) -> None:
        spec = spec_for(container)

        def op(db: sqlite3.Connection) -> None:
            db.execute(f'DELETE FROM "{_sql.table(spec)}" WHERE pk_col=? AND id=?', (pk, id))

        await self._run(lambda: self._tx(op))

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

        def op(db: sqlite3.Connection) -> Doc:
            row = db.execute(
                f'SELECT doc, etag FROM "{_sql.table(spec)}" WHERE pk_col=? AND id=?'
                " AND (expires_at IS NULL OR expires_at > ?)",
                (pk, id, time.time()),
            ).fetchone()
            if row is None:
                raise NotFound(f"{container}/{id} does not exist")
            if if_match is not None and row[1] != if_match:
                raise PreconditionFailed(f"{container}/{id} was changed by someone else")
            doc = json.loads(row[0])
            doc.update(changes)
            _, _, text = _sql.check_doc(spec, doc)
            etag = self._etag()
            db.execute(
                _UPDATE.format(t=_sql.table(spec)),
                (etag, _sql.expires_at(spec, doc), text, pk, id),
            )
            return self._out(text, etag)

        return await self._run(lambda: self._tx(op))

    async def increment(self, container: str, pk: str, id: str, field: str, *, by: int = 1) -> int:
        spec = spec_for(container)
        _sql.check_patch(spec, {field: by})
        first: Doc = {"id": id, spec.pk_field: pk, field: by}
        _, _, text = _sql.check_doc(spec, first)
        expires = _sql.expires_at(spec, first)
        path = f'$."{field}"'
        # One statement, as in PostgreSQL: insert the first value, or add to the live row's; an
        # expired row counts as absent and starts again from ``by``.
        sql = (
            f'INSERT INTO "{_sql.table(spec)}" AS cur (pk_col, id, etag, expires_at, doc)'
            " VALUES (?,?,?,?,?) ON CONFLICT(pk_col, id) DO UPDATE SET etag=excluded.etag,"
            " expires_at = CASE WHEN cur.expires_at <= ? THEN excluded.expires_at"
            " ELSE cur.expires_at END,"
            " doc = CASE WHEN cur.expires_at <= ? THEN excluded.doc"
            " ELSE json_set(cur.doc, ?, COALESCE(json_extract(cur.doc, ?), 0) + ?) END"
            " RETURNING json_extract(doc, ?)"
        )

        def op(db: sqlite3.Connection) -> int:
            now = time.time()
            row = db.execute(
                sql, (pk, id, self._etag(), expires, text, now, now, path, path, by, path)
            ).fetchone()
            return int(row[0])

        return await self._run(lambda: self._tx(op))

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
        clauses = ["(expires_at IS NULL OR expires_at > ?)"]
        params: list[Any] = [time.time()]
        if pk is not None:
            clauses.append("pk_col = ?")
            params.append(pk)
        for cond in where:
            col = "pk_col" if cond.field == spec.pk_field else _jx(cond.field)
            if cond.op in _OPS:
                clauses.append(f"{col} {_OPS[cond.op]} ?")
                params.append(_param(cond.value))
            elif cond.op == "ne":
                clauses.append(f"{col} IS NOT ?")
                params.append(_param(cond.value))
            elif cond.op == "in":
                clauses.append(f"{col} IN ({','.join('?' * len(cond.value))})")
                params.extend(_param(v) for v in cond.value)
            else:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM json_each(doc, '$.\"{cond.field}\"') WHERE value = ?)"
                )
                params.append(_param(cond.value))
        field = order_by[0] if order_by else None
        desc = bool(order_by and order_by[1])
        value_col = _jx(field) if field else "NULL"
        expect = {"c": container, "o": field, "d": desc, "p": pk}
        if continuation is not None:
            clause, extra = _sql.keyset_after(
                value_col=value_col if field else None,
                desc=desc,
                last=_sql.decode_token(continuation, expect=expect)["last"],
                ph="?",
                value_ph="?",
                encode=_param,
            )
            clauses.append(clause)
            params.extend(extra)
        direction = "DESC" if desc else "ASC"
        order_sql = (
            f"{value_col} {direction}, pk_col {direction}, id {direction}"
            if field
            else "pk_col, id"
        )
        sql = (
            f'SELECT doc, etag, pk_col, id, {value_col} FROM "{_sql.table(spec)}" '
            f"WHERE {' AND '.join(clauses)} ORDER BY {order_sql} LIMIT ?"
        )
        params.append(limit + 1)

        def op() -> Page:
            assert self._db is not None
            rows = self._db.execute(sql, params).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            items = [self._out(r[0], r[1]) for r in rows]
            token = None
            if more:
                last_row = rows[-1]
                token = _sql.encode_token(
                    {**expect, "last": [last_row[4], last_row[2], last_row[3]]}
                )
            return Page(items, token)

        return await self._run(op, inline=False)

    async def purge_expired(self) -> int:
        """Delete expired rows (readers already ignore them). Returns how many."""

        def op(db: sqlite3.Connection) -> int:
            now = time.time()
            total = 0
            for spec in CONTAINERS.values():
                total += db.execute(
                    f'DELETE FROM "{_sql.table(spec)}" WHERE expires_at <= ?',
                    (now,),
                ).rowcount
            return total

        return await self._run(lambda: self._tx(op), inline=False)

    async def close(self) -> None:
        def op() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await self._run(op, inline=False)
        self._executor.shutdown(wait=True)


def _param(value: Any) -> Any:
    """SQLite compares JSON booleans as 0/1 and objects as JSON text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value
