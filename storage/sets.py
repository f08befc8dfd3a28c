"""Conditions on a set of values that keep one statement text, whatever the set's size.

`column IN (...)` is rendered with one placeholder per value, so every batch size is another
statement to PostgreSQL: the driver prepares each anew (a round trip) and keeps up to a hundred
per connection, which under a steady stream of batches of varying size means constant
re-preparing and caches that keep filling for many minutes. On PostgreSQL the set is one array
parameter instead (`= ANY($1)`); SQLite has no arrays and keeps the IN list (its statements are
not kept prepared per connection the same way).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def one_of(session: AsyncSession, column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """column is one of values (sorted, so equal sets give equal parameters)."""
    ordered = sorted(values)
    if is_postgres(session):
        array: Any = bindparam(None, ordered, type_=ARRAY(column.type))
        return column == any_(array)  # type: ignore[no-any-return]
    return column.in_(ordered)  # type: ignore[no-any-return]
