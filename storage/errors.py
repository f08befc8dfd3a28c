"""SQLAlchemy's errors turned into the ones the engine declares, so it never sees a driver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

from bot.ports.storage import Busy, Conflict, StaleRecord, StorageError, Unavailable


def translate(exc: BaseException) -> StorageError | None:
    """The engine's error for a database error; None for anything else."""
    if isinstance(exc, StaleDataError):
        return StaleRecord(str(exc))
    if isinstance(exc, IntegrityError):
        return Conflict(str(exc))
    if isinstance(exc, OperationalError):
        if _is_busy(exc):
            return Busy(str(exc))
        return Unavailable(str(exc))
    if isinstance(exc, InterfaceError):
        return Unavailable(str(exc))
    if isinstance(exc, PoolTimeout):
        # Every pooled connection stayed taken (SQLite has one): others are writing.
        return Busy(str(exc))
    return None


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    try:
        yield
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc


@asynccontextmanager
async def described() -> AsyncIterator[None]:
    """Any database error as StorageError, in the driver's own words (its first line)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(first_line(exc)) from exc


def first_line(exc: BaseException) -> str:
    """The driver's own words: SQLAlchemy's wrapper adds the driver class and the SQL."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database is busy" in str(exc)
