"""The inbox's own SQLite file, beside the main one, written on the event loop itself.

An ack waits for its item's commit. Sharing the main file, that commit queued behind whatever
transaction the engine had open (SQLite lets one connection write at a time), and each of its
statements was a round trip to the driver's thread, each waiting for the loop's next turn.
Here one connection that does nothing else writes a file of its own, synchronously: in WAL mode
with synchronous=NORMAL a commit appends to the log without an fsync (durable against a killed
process, which is what an ack promises), so an INSERT and its commit take a fraction of a
millisecond, less than a single hop to a thread would. The log is checkpointed (the one step
that syncs) in a worker thread, off the loop, instead of inside some unlucky ack's commit.

Exactly-once still rests on the engine's event claim in the main database, and the replies an
event owes are held there with its changes (storage/inbox.py, `holds_apart`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, cast

from sqlalchemy import Connection, Table, create_engine, delete, event, select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import StaticPool

from bot.ports.records import InboxItem
from storage.errors import translate, translated
from storage.inbox import HELD, Inbox
from storage.models import InboxEntry

_TABLE: Final[Table] = InboxEntry.__table__  # type: ignore[assignment]
SUFFIX: Final = ".inbox"
# Another process holding the file (a second bot on the same files, a CLI) blocks the loop
# for at most this long; one bot per SQLite file is the supported setup.
BUSY_TIMEOUT_MS: Final = 2_000


def beside(database_file: str) -> str:
    """interview-bot.db -> interview-bot.inbox.db (a name SQLite's own files never take)."""
    path = Path(database_file)
    return str(path.with_name(f"{path.stem}{SUFFIX}{path.suffix or '.db'}"))


class _OnTheLoop:
    """A connection with an async session's face, for storage/inbox.py's statements: execute
    runs at once and never yields, so no other task can come between a unit's statements."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def execute(self, statement: Any, params: Any = None) -> Result[Any]:
        return self._connection.execute(statement, params)

    def get_bind(self) -> Connection:
        return self._connection


_ADD: Final = (
    "INSERT OR IGNORE INTO inbox"
    " (platform, event_key, kind, payload, received_at, lease_until, attempts)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
Stamp = Callable[[datetime], Any]


class _FileInbox(Inbox):
    """The inbox's statements on the file; an ack's INSERT goes straight to the driver, as
    building and caching it through SQLAlchemy took longer than SQLite takes to run it."""

    def __init__(self, connection: Connection, stamp: Stamp) -> None:
        super().__init__(cast(AsyncSession, _OnTheLoop(connection)))
        self._connection = connection
        self._stamp = stamp

    async def add(self, items: Sequence[InboxItem], lease_until: datetime) -> None:
        if not items:
            return
        until = self._stamp(lease_until)
        rows = [
            (i.platform, i.key, i.kind, i.payload, self._stamp(i.received_at), until, i.attempts)
            for i in items
        ]
        self._connection.exec_driver_sql(_ADD, rows)


class InboxFileUnit:
    """One transaction on the inbox file (storage/unit_of_work.py's shape, inbox only)."""

    def __init__(self, connection: Connection, stamp: Stamp) -> None:
        self._connection = connection
        self.inbox: Inbox = _FileInbox(connection, stamp)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._connection.in_transaction():
            self._connection.rollback()
        error = translate(exc) if exc is not None else None
        if error is not None:
            raise error from exc

    async def commit(self) -> None:
        async with translated():
            self._connection.commit()


class InboxFile:
    def __init__(self, path: str) -> None:
        self.path = path
        self._engine = create_engine(
            f"sqlite:///{path}",
            poolclass=StaticPool,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        event.listen(self._engine, "connect", _tune)
        self._connection: Connection | None = None
        # Datetimes as the table's own column type writes them, for the driver-level INSERT.
        processor = _TABLE.c.received_at.type.bind_processor(self._engine.dialect)
        self._stamp: Stamp = processor if processor is not None else (lambda value: value)

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
        return self._connection

    def units(self) -> InboxFileUnit:
        """A unit of work over the inbox file (call it as a factory: `units()`)."""
        return InboxFileUnit(self.connection, self._stamp)

    async def prepare(self, main: AsyncEngine) -> int:
        """Create the table, and move in the items an earlier version kept in the main file
        (replies held there stay, read by key); how many were moved."""
        connection = self.connection
        _TABLE.create(connection, checkfirst=True)
        connection.commit()
        async with main.begin() as source:
            rows = (await source.execute(select(_TABLE).where(_TABLE.c.kind != HELD))).all()
            if not rows:
                return 0
            connection.execute(
                _TABLE.insert().prefix_with("OR IGNORE"), [dict(row._mapping) for row in rows]
            )
            connection.commit()
            await source.execute(delete(_TABLE).where(_TABLE.c.kind != HELD))
        return len(rows)

    async def checkpoint(self) -> None:
        """Copy the log into the file and sync it, in a worker thread; never blocks a writer."""
        await asyncio.to_thread(_checkpoint, self.path)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


def _tune(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # see checkpoint()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _checkpoint(path: str) -> None:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()
