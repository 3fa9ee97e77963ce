"""Durable state in devhost's SQLite file: instances, history, inbox (events and timers), work.

Everything an orchestration needs to continue after devhost is killed lives here:

- ``df_instances``: one row per instance (status, input/output as the JSON text the SDK
  exchanges, replay bookkeeping: the next sequence id and the signatures of scheduled actions).
- ``df_history``: the history events in the exact shape the Python SDK parses.
- ``df_inbox``: messages waiting to be applied to an instance, one per orchestrator episode.
  A durable timer is an inbox message whose ``visible_at`` is its fire time, so the scheduler
  sleeps until the earliest one instead of polling. External events carry no execution id so
  they survive ``continue_as_new``; results of work carry the execution that asked for them and
  are dropped if that execution is gone.
- ``df_work``: activities scheduled but not finished; re-run at start (at-least-once, as in
  Azure).

All methods are synchronous and quick; they run on the event loop thread like the broker's.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS df_instances (
    instance_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    status TEXT NOT NULL,
    suspended INTEGER NOT NULL DEFAULT 0,
    input TEXT,
    output TEXT,
    custom_status TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    parent_instance_id TEXT,
    parent_execution_id TEXT,
    parent_task_id INTEGER,
    version TEXT,
    replay TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS df_instances_created ON df_instances (created_at);
CREATE TABLE IF NOT EXISTS df_history (
    instance_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (instance_id, seq)
);
CREATE TABLE IF NOT EXISTS df_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    execution_id TEXT,
    visible_at REAL NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS df_inbox_visible ON df_inbox (visible_at);
CREATE INDEX IF NOT EXISTS df_inbox_instance ON df_inbox (instance_id, id);
CREATE TABLE IF NOT EXISTS df_work (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    input TEXT
);
"""

#: Instances whose replayed history is kept in memory as JSON text (LRU). Replaying re-sends
#: the whole history every episode; re-reading and re-encoding it dominated the main loop.
HISTORY_CACHE = 4096

#: Runtime statuses exactly as the extension reports them.
PENDING = "Pending"
RUNNING = "Running"
COMPLETED = "Completed"
FAILED = "Failed"
TERMINATED = "Terminated"
SUSPENDED = "Suspended"
TERMINAL = frozenset({COMPLETED, FAILED, TERMINATED})


@dataclass
class Replay:
    """What the engine must remember between episodes to number tasks as the SDK does."""

    #: The next sequence id the SDK will hand out (tasks, timers, retry timers, reschedules).
    next_id: int = 0
    #: (actionType, functionName) of every id-consuming action scheduled so far, in order.
    sigs: list[tuple[int, str]] = field(default_factory=list)
    #: The sequence id given to each of those actions (retries make ids and indexes differ).
    ids: list[int] = field(default_factory=list)
    #: Retryable tasks by sequence id of their current attempt, and retry timers by timer id.
    retry_tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry_timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Timer ids already cancelled by the orchestrator (their inbox rows were dropped).
    cancelled: list[int] = field(default_factory=list)

    def dumps(self) -> str:
        return json.dumps(
            {
                "next_id": self.next_id,
                "sigs": self.sigs,
                "ids": self.ids,
                "retry_tasks": self.retry_tasks,
                "retry_timers": self.retry_timers,
                "cancelled": self.cancelled,
            }
        )

    @classmethod
    def loads(cls, text: str) -> Replay:
        raw = json.loads(text)
        return cls(
            next_id=raw["next_id"],
            sigs=[(int(t), str(n)) for t, n in raw["sigs"]],
            ids=list(raw["ids"]),
            retry_tasks=raw["retry_tasks"],
            retry_timers=raw["retry_timers"],
            cancelled=list(raw.get("cancelled", [])),
        )


@dataclass
class Instance:
    instance_id: str
    name: str
    execution_id: str
    status: str
    suspended: bool
    input: str | None
    output: str | None
    custom_status: str | None
    created_at: float
    updated_at: float
    parent_instance_id: str | None
    parent_execution_id: str | None
    parent_task_id: int | None
    version: str | None
    replay: Replay


@dataclass(frozen=True)
class InboxMessage:
    id: int
    instance_id: str
    execution_id: str | None
    visible_at: float
    message: dict[str, Any]


@dataclass(frozen=True)
class WorkItem:
    id: int
    instance_id: str
    execution_id: str
    task_id: int
    name: str
    input: str | None


_INSTANCE_COLUMNS = (
    "instance_id, name, execution_id, status, suspended, input, output, custom_status,"
    " created_at, updated_at, parent_instance_id, parent_execution_id, parent_task_id,"
    " version, replay"
)


def _instance(row: tuple[Any, ...]) -> Instance:
    return Instance(
        instance_id=row[0],
        name=row[1],
        execution_id=row[2],
        status=row[3],
        suspended=bool(row[4]),
        input=row[5],
        output=row[6],
        custom_status=row[7],
        created_at=row[8],
        updated_at=row[9],
        parent_instance_id=row[10],
        parent_execution_id=row[11],
        parent_task_id=row[12],
        version=row[13],
        replay=Replay.loads(row[14]),
    )


class DurableState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._played: OrderedDict[str, list[str]] = OrderedDict()

    def close(self) -> None:
        self._db.close()

    # --- transactions -------------------------------------------------------------------
    def begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        self._db.execute("ROLLBACK")
        # The cache may hold appends that were just undone.
        self._played.clear()

    # --- instances ----------------------------------------------------------------------
    def get(self, instance_id: str) -> Instance | None:
        row = self._db.execute(
            f"SELECT {_INSTANCE_COLUMNS} FROM df_instances WHERE instance_id = ?", (instance_id,)
        ).fetchone()
        return _instance(row) if row else None

    def put(self, inst: Instance) -> None:
        inst.updated_at = time.time()
        self._db.execute(
            f"INSERT OR REPLACE INTO df_instances ({_INSTANCE_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                inst.instance_id,
                inst.name,
                inst.execution_id,
                inst.status,
                int(inst.suspended),
                inst.input,
                inst.output,
                inst.custom_status,
                inst.created_at,
                inst.updated_at,
                inst.parent_instance_id,
                inst.parent_execution_id,
                inst.parent_task_id,
                inst.version,
                inst.replay.dumps(),
            ),
        )

    def query(
        self,
        *,
        created_from: float | None = None,
        created_to: float | None = None,
        statuses: frozenset[str] = frozenset(),
        prefix: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Instance]:
        sql = f"SELECT {_INSTANCE_COLUMNS} FROM df_instances WHERE 1 = 1"
        args: list[Any] = []
        if created_from is not None:
            sql += " AND created_at >= ?"
            args.append(created_from)
        if created_to is not None:
            sql += " AND created_at <= ?"
            args.append(created_to)
        if statuses:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args.extend(sorted(statuses))
        if prefix:
            sql += " AND substr(instance_id, 1, ?) = ?"
            args.extend([len(prefix), prefix])
        if after is not None:
            sql += " AND instance_id > ?"
            args.append(after)
        sql += " ORDER BY instance_id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_instance(r) for r in self._db.execute(sql, args).fetchall()]

    def delete(self, instance_id: str) -> None:
        self._played.pop(instance_id, None)
        for table in ("df_instances", "df_history", "df_inbox", "df_work"):
            self._db.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))

    # --- history ------------------------------------------------------------------------
    def history(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT event FROM df_history WHERE instance_id = ? ORDER BY seq", (instance_id,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def played_history(self, instance_id: str) -> list[str]:
        """The history as JSON texts with ``IsPlayed`` set, ready to splice into a context.

        Callers must not mutate the returned list.
        """
        cached = self._played.get(instance_id)
        if cached is not None:
            self._played.move_to_end(instance_id)
            return cached
        played = [json.dumps({**e, "IsPlayed": True}) for e in self.history(instance_id)]
        self._played[instance_id] = played
        if len(self._played) > HISTORY_CACHE:
            self._played.popitem(last=False)
        return played

    def append_history(self, instance_id: str, start: int, events: list[dict[str, Any]]) -> None:
        self._db.executemany(
            "INSERT INTO df_history (instance_id, seq, event) VALUES (?, ?, ?)",
            [(instance_id, start + i, json.dumps(e)) for i, e in enumerate(events)],
        )
        cached = self._played.get(instance_id)
        if cached is not None:
            if len(cached) == start:
                cached.extend(json.dumps({**e, "IsPlayed": True}) for e in events)
            else:
                del self._played[instance_id]

    def replace_history(self, instance_id: str, events: list[dict[str, Any]]) -> None:
        self._db.execute("DELETE FROM df_history WHERE instance_id = ?", (instance_id,))
        self._played.pop(instance_id, None)
        self.append_history(instance_id, 0, events)

    # --- inbox --------------------------------------------------------------------------
    def enqueue(
        self,
        instance_id: str,
        message: dict[str, Any],
        *,
        execution_id: str | None,
        visible_at: float | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO df_inbox (instance_id, execution_id, visible_at, message)"
            " VALUES (?, ?, ?, ?)",
            (
                instance_id,
                execution_id,
                time.time() if visible_at is None else visible_at,
                json.dumps(message),
            ),
        )

    def next_message(self, instance_id: str, now: float) -> InboxMessage | None:
        row = self._db.execute(
            "SELECT id, instance_id, execution_id, visible_at, message FROM df_inbox"
            " WHERE instance_id = ? AND visible_at <= ? ORDER BY visible_at, id LIMIT 1",
            (instance_id, now),
        ).fetchone()
        if row is None:
            return None
        return InboxMessage(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def remove_message(self, message_id: int) -> None:
        self._db.execute("DELETE FROM df_inbox WHERE id = ?", (message_id,))

    def drop_timer(self, instance_id: str, timer_id: int) -> None:
        self._db.execute(
            "DELETE FROM df_inbox WHERE instance_id = ? AND json_extract(message, '$.timer') = ?",
            (instance_id, timer_id),
        )

    def drop_execution_messages(self, instance_id: str, execution_id: str) -> None:
        """Results and timers of an execution that no longer exists; external events stay."""
        self._db.execute(
            "DELETE FROM df_inbox WHERE instance_id = ? AND execution_id = ?",
            (instance_id, execution_id),
        )
        self._db.execute(
            "DELETE FROM df_work WHERE instance_id = ? AND execution_id = ?",
            (instance_id, execution_id),
        )

    def clear_inbox(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM df_inbox WHERE instance_id = ?", (instance_id,))
        self._db.execute("DELETE FROM df_work WHERE instance_id = ?", (instance_id,))

    def due_instances(self, now: float, limit: int) -> list[str]:
        """Instances with a visible message that are not suspended, earliest message first.

        Walks the ``visible_at`` index and stops after ``limit`` messages, so the cost does not
        grow with the number of waiting timers. The result may hold fewer than ``limit`` ids.
        """
        rows = self._db.execute(
            "SELECT m.instance_id FROM df_inbox m JOIN df_instances i"
            " ON i.instance_id = m.instance_id"
            " WHERE m.visible_at <= ? AND i.suspended = 0"
            " ORDER BY m.visible_at LIMIT ?",
            (now, limit),
        ).fetchall()
        return list(dict.fromkeys(r[0] for r in rows))

    def next_due(self, now: float) -> float | None:
        row = self._db.execute(
            "SELECT MIN(visible_at) FROM df_inbox WHERE visible_at > ?", (now,)
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def pending_counts(self) -> dict[str, int]:
        inbox = self._db.execute("SELECT COUNT(*) FROM df_inbox").fetchone()[0]
        work = self._db.execute("SELECT COUNT(*) FROM df_work").fetchone()[0]
        return {"inbox": int(inbox), "work": int(work)}

    # --- work ---------------------------------------------------------------------------
    def add_work(
        self, instance_id: str, execution_id: str, task_id: int, name: str, input_: str | None
    ) -> int:
        cur = self._db.execute(
            "INSERT INTO df_work (instance_id, execution_id, task_id, name, input)"
            " VALUES (?, ?, ?, ?, ?)",
            (instance_id, execution_id, task_id, name, input_),
        )
        return int(cur.lastrowid or 0)

    def get_work(self, work_id: int) -> WorkItem | None:
        row = self._db.execute(
            "SELECT id, instance_id, execution_id, task_id, name, input FROM df_work WHERE id = ?",
            (work_id,),
        ).fetchone()
        return WorkItem(*row) if row else None

    def all_work(self) -> list[WorkItem]:
        rows = self._db.execute(
            "SELECT id, instance_id, execution_id, task_id, name, input FROM df_work ORDER BY id"
        ).fetchall()
        return [WorkItem(*r) for r in rows]

    def remove_work(self, work_id: int) -> bool:
        cur = self._db.execute("DELETE FROM df_work WHERE id = ?", (work_id,))
        return cur.rowcount > 0
