"""A local Service Bus: queues persisted in SQLite with peek-lock semantics.

Behaviour follows Azure Service Bus as the Functions trigger sees it: a message is locked for one
delivery (the host auto-renews the lock while the function runs, so a running function never
loses it); success completes (deletes) it; an exception abandons it, incrementing the delivery
count; after ``max_delivery_count`` deliveries it moves to the dead-letter queue with reason
``MaxDeliveryCountExceeded``. A message still locked when devhost died becomes visible again when
its lock expires, with its delivery count kept. Scheduled messages become visible at their time.

Durability: WAL with ``synchronous=NORMAL`` survives a process crash (what tests do); it could
lose the last transactions on power loss, which is fine for a development host.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sb_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT,
    correlation_id TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    enqueued_at REAL NOT NULL,
    scheduled_at REAL,
    visible_at REAL NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'active',
    lock_token TEXT,
    locked_until REAL,
    dl_reason TEXT,
    dl_description TEXT
);
CREATE INDEX IF NOT EXISTS sb_messages_ready ON sb_messages (queue, state, visible_at, seq);
"""


@dataclass(frozen=True)
class Message:
    seq: int
    queue: str
    message_id: str
    body: bytes
    content_type: str | None
    correlation_id: str | None
    properties: dict[str, Any]
    enqueued_at: float
    scheduled_at: float | None
    delivery_count: int
    state: str
    lock_token: str | None
    locked_until: float | None
    dl_reason: str | None = None
    dl_description: str | None = None

    def as_json(self) -> dict[str, Any]:
        try:
            body: Any = self.body.decode("utf-8")
        except UnicodeDecodeError:
            body = self.body.hex()
        return {
            "sequence_number": self.seq,
            "queue": self.queue,
            "message_id": self.message_id,
            "body": body,
            "content_type": self.content_type,
            "correlation_id": self.correlation_id,
            "application_properties": self.properties,
            "enqueued_time_utc": _iso(self.enqueued_at),
            "scheduled_enqueue_time_utc": _iso(self.scheduled_at) if self.scheduled_at else None,
            "delivery_count": self.delivery_count,
            "state": self.state,
            "dead_letter_reason": self.dl_reason,
            "dead_letter_error_description": self.dl_description,
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class OutgoingMessage:
    body: bytes
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    content_type: str | None = None
    correlation_id: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    #: Unix seconds; None = visible now.
    scheduled_at: float | None = None


_COLUMNS = (
    "seq, queue, message_id, body, content_type, correlation_id, properties, enqueued_at, "
    "scheduled_at, delivery_count, state, lock_token, locked_until, dl_reason, dl_description"
)


def _row(row: tuple[Any, ...]) -> Message:
    return Message(
        seq=row[0],
        queue=row[1],
        message_id=row[2],
        body=bytes(row[3]),
        content_type=row[4],
        correlation_id=row[5],
        properties=json.loads(row[6]),
        enqueued_at=row[7],
        scheduled_at=row[8],
        delivery_count=row[9],
        state=row[10],
        lock_token=row[11],
        locked_until=row[12],
        dl_reason=row[13],
        dl_description=row[14],
    )


class Broker:
    """The queue store. Called from the event loop thread only (each call is sub-millisecond)."""

    def __init__(
        self, path: Path, *, lock_duration: float = 30.0, max_delivery_count: int = 10
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self.lock_duration = lock_duration
        self.max_delivery_count = max_delivery_count

    @property
    def connection(self) -> sqlite3.Connection:
        """The state database, shared with the timer runner (same thread, same file)."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def recover_locks(self, now: float | None = None) -> int:
        """After a restart: locks held by the previous process expire at their lock time."""
        now = time.time() if now is None else now
        cur = self._db.execute(
            "UPDATE sb_messages SET state='active', visible_at=MAX(COALESCE(locked_until, ?), ?),"
            " lock_token=NULL, locked_until=NULL WHERE state='locked'",
            (now, now),
        )
        return cur.rowcount

    def send(
        self, queue: str, messages: list[OutgoingMessage], now: float | None = None
    ) -> list[int]:
        now = time.time() if now is None else now
        seqs: list[int] = []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for m in messages:
                visible = m.scheduled_at if m.scheduled_at is not None else now
                cur = self._db.execute(
                    "INSERT INTO sb_messages (queue, message_id, body, content_type,"
                    " correlation_id, properties, enqueued_at, scheduled_at, visible_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        queue,
                        m.message_id,
                        m.body,
                        m.content_type,
                        m.correlation_id,
                        json.dumps(dict(m.properties)),
                        now,
                        m.scheduled_at,
                        visible,
                    ),
                )
                seqs.append(int(cur.lastrowid or 0))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return seqs

    def lock_next(self, queue: str, now: float | None = None) -> Message | None:
        now = time.time() if now is None else now
        token = uuid.uuid4().hex
        row = self._db.execute(
            "UPDATE sb_messages SET state='locked', lock_token=?, locked_until=?,"
            " delivery_count=delivery_count+1"
            " WHERE seq = (SELECT seq FROM sb_messages WHERE queue=? AND state='active'"
            " AND visible_at<=? ORDER BY visible_at, seq LIMIT 1)"
            f" RETURNING {_COLUMNS}",
            (token, now + self.lock_duration, queue, now),
        ).fetchone()
        return _row(row) if row else None

    def next_visible_at(self, queue: str) -> float | None:
        row = self._db.execute(
            "SELECT MIN(visible_at) FROM sb_messages WHERE queue=? AND state='active'", (queue,)
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def complete(self, msg: Message) -> None:
        self._db.execute(
            "DELETE FROM sb_messages WHERE seq=? AND lock_token=?", (msg.seq, msg.lock_token)
        )

    def abandon(self, msg: Message, error: str, now: float | None = None) -> bool:
        """Returns True when the message was dead-lettered."""
        now = time.time() if now is None else now
        if msg.delivery_count >= self.max_delivery_count:
            self._db.execute(
                "UPDATE sb_messages SET state='deadletter', lock_token=NULL, locked_until=NULL,"
                " dl_reason='MaxDeliveryCountExceeded', dl_description=?"
                " WHERE seq=? AND lock_token=?",
                (error[:4096], msg.seq, msg.lock_token),
            )
            return True
        self._db.execute(
            "UPDATE sb_messages SET state='active', visible_at=?, lock_token=NULL,"
            " locked_until=NULL WHERE seq=? AND lock_token=?",
            (now, msg.seq, msg.lock_token),
        )
        return False

    def release(self, msg: Message, now: float | None = None) -> None:
        """Unlock without counting a failure (devhost shutting down): visible again at once, the
        delivery count as it is, never dead-lettered for it."""
        now = time.time() if now is None else now
        self._db.execute(
            "UPDATE sb_messages SET state='active', visible_at=?, lock_token=NULL,"
            " locked_until=NULL WHERE seq=? AND lock_token=?",
            (now, msg.seq, msg.lock_token),
        )

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for queue, state, n in self._db.execute(
            "SELECT queue, state, COUNT(*) FROM sb_messages GROUP BY queue, state"
        ):
            entry = out.setdefault(
                queue, {"active": 0, "locked": 0, "scheduled": 0, "deadletter": 0}
            )
            entry[state] = n
        now = time.time()
        for queue, n in self._db.execute(
            "SELECT queue, COUNT(*) FROM sb_messages WHERE state='active' AND visible_at>?"
            " GROUP BY queue",
            (now,),
        ):
            entry = out.setdefault(
                queue, {"active": 0, "locked": 0, "scheduled": 0, "deadletter": 0}
            )
            entry["scheduled"] = n
            entry["active"] -= n
        return out

    def peek_deadletter(self, queue: str, limit: int = 50) -> list[Message]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM sb_messages WHERE queue=? AND state='deadletter'"
            " ORDER BY seq LIMIT ?",
            (queue, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def resubmit_deadletter(
        self, queue: str, seqs: list[int] | None = None, now: float | None = None
    ) -> int:
        """Move dead-lettered messages back to the queue with a fresh delivery count."""
        now = time.time() if now is None else now
        sql = (
            "UPDATE sb_messages SET state='active', visible_at=?, delivery_count=0,"
            " dl_reason=NULL, dl_description=NULL WHERE queue=? AND state='deadletter'"
        )
        params: list[Any] = [now, queue]
        if seqs:
            sql += f" AND seq IN ({','.join('?' * len(seqs))})"
            params.extend(seqs)
        return self._db.execute(sql, params).rowcount
