"""Database URLs and engines: async drivers, SQLite tuned for one writer at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

from bot.ports.storage import InboxUnit
from storage import inbox_file, migrate, transfer
from storage.errors import described
from storage.inbox_file import InboxFile
from storage.unit_of_work import UnitOfWorkFactory

SQLITE_BUSY_TIMEOUT_MS = 10_000
# The inbox's own connections (PostgreSQL): acks never queue behind the engine's transactions.
INBOX_POOL_SIZE = 2
# The engine's connections (PostgreSQL). It runs up to 32 events at once (the default of
# max_concurrent_events) plus the daily-answer batch. A connection beyond pool_size is closed as
# soon as it is returned, so a pool smaller than the usual concurrency connects and disconnects
# all the time under load (TCP, authentication, and an empty prepared-statement cache each).
POSTGRES_POOL_SIZE = 20
POSTGRES_MAX_OVERFLOW = 20
SQLITE_POOL_TIMEOUT_S = 5

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}


class DatabaseUrlError(ValueError):
    pass


def async_url(raw: str) -> URL:
    """Accept the URLs people write (postgres://, sqlite:///file.db) and pick the async driver."""
    try:
        url = make_url(raw)
    except Exception as exc:
        raise DatabaseUrlError(f"not a database URL: {raw!r}") from exc
    driver = _ASYNC_DRIVERS.get(url.drivername, url.drivername)
    if driver not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
        raise DatabaseUrlError(
            f"unsupported database {url.drivername!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return url.set(drivername=driver)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(raw_url: str, **kwargs: Any) -> AsyncEngine:
    url = async_url(raw_url)
    if is_sqlite(url):
        memory = url.database in (None, "", ":memory:")
        # One connection per process: SQLite has one writer, and transactions waiting their
        # turn in the pool's queue wake the moment it is free, where waiting on the file lock
        # sleeps in growing steps. Other processes still meet the busy timeout.
        options: dict[str, Any] = {
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": SQLITE_POOL_TIMEOUT_S,
        }
        engine = create_async_engine(url, hide_parameters=True, **options, **kwargs)
        _tune_sqlite(engine, wal=not memory)
        return engine
    pool = {"pool_size": POSTGRES_POOL_SIZE, "max_overflow": POSTGRES_MAX_OVERFLOW} | kwargs
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)


def _tune_sqlite(engine: AsyncEngine, *, wal: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class Database:
    """One database as the composition root sees it: schema upkeep, units of work, a
    workspace's export and import, and closing. Errors of the transfers come out as
    StorageError in the driver's own words."""

    def __init__(self, raw_url: str, **kwargs: Any) -> None:
        self.url = async_url(raw_url)
        self.engine = create_engine(raw_url, **kwargs)
        self._sessions = session_factory(self.engine)
        # An ack waits only for its own commit. PostgreSQL: connections of the inbox's own. A
        # SQLite file has one writer at a time, so the inbox gets a file of its own beside it
        # (a connection to the same file would wait on the file lock behind the engine's
        # transactions); SQLite in memory shares its one connection.
        file = self.sqlite_file(raw_url)
        self.inbox_file = InboxFile(inbox_file.beside(file)) if file is not None else None
        self.inbox_engine = (
            self.engine
            if is_sqlite(self.url)
            else create_engine(raw_url, pool_size=INBOX_POOL_SIZE, max_overflow=0, **kwargs)
        )

    @staticmethod
    def sqlite_file(raw_url: str) -> str | None:
        """The file a SQLite URL names; None for another database or one in memory."""
        url = async_url(raw_url)
        if not is_sqlite(url) or url.database in (None, "", ":memory:"):
            return None
        return url.database

    @property
    def embedded(self) -> bool:
        """SQLite in a file or in memory: migrated at start, no separate upgrade step."""
        return is_sqlite(self.url)

    def units(self) -> UnitOfWorkFactory:
        return UnitOfWorkFactory(self._sessions, holds_apart=self.inbox_file is not None)

    @property
    def inbox_address(self) -> str | None:
        """Where another process can keep inbox items (see `inbox_units_at`); None for SQLite
        in memory, which no other process can see."""
        if self.inbox_file is not None:
            return f"sqlite:///{self.inbox_file.path}"
        if is_sqlite(self.url):
            return None
        return self.url.render_as_string(hide_password=False)

    def inbox_units(self) -> Callable[[], InboxUnit]:
        """Units for the inbox's writes and sweeps: an ack waits only for its own commit."""
        if self.inbox_file is not None:
            return self.inbox_file.units
        return UnitOfWorkFactory(session_factory(self.inbox_engine))

    async def upgrade(self) -> None:
        await migrate.upgrade(self.engine)
        if self.inbox_file is not None:
            await self.inbox_file.prepare(self.engine)

    async def is_up_to_date(self) -> bool:
        return await migrate.is_up_to_date(self.engine)

    async def current_revision(self) -> str | None:
        return await migrate.current_revision(self.engine)

    async def export_workspace(self, platform: str, external_id: str) -> dict[str, Any] | None:
        """The workspace's history; None when the schema is not current (nothing to read)."""
        async with described():
            if not await migrate.is_up_to_date(self.engine):
                return None
            async with self._sessions() as session:
                return await transfer.export_workspace(session, platform, external_id)

    async def import_workspace(self, data: Any) -> transfer.ImportSummary:
        """Bring the schema up to date, then write the workspace in one transaction."""
        async with described():
            await migrate.upgrade(self.engine)
            async with self._sessions() as session, session.begin():
                return await transfer.import_workspace(session, data)

    async def dispose(self) -> None:
        if self.inbox_file is not None:
            self.inbox_file.close()
        if self.inbox_engine is not self.engine:
            await self.inbox_engine.dispose()
        await self.engine.dispose()


@asynccontextmanager
async def inbox_units_at(address: str) -> AsyncIterator[tuple[Callable[[], InboxUnit], bool]]:
    """Inbox units in a process of its own, and whether their writes never wait (`inline`).

    A SQLite file is written through a connection of this process's own, synchronously (the
    inbox file's way); PostgreSQL through a small pool of its own, its commits grouped.
    """
    url = async_url(address)
    if is_sqlite(url):
        if url.database in (None, "", ":memory:"):
            raise DatabaseUrlError("an inbox in memory can't be shared with another process")
        file = InboxFile(url.database)
        try:
            yield file.units, True
        finally:
            file.close()
        return
    engine = create_engine(address, pool_size=INBOX_POOL_SIZE, max_overflow=0)
    try:
        yield UnitOfWorkFactory(session_factory(engine)), False
    finally:
        await engine.dispose()
