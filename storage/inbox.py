"""The inbox table: acknowledged events kept until handled, taken with leases.

Keeping many events is one multi-row INSERT .. ON CONFLICT DO NOTHING (a platform's retry of an
event already kept changes nothing). Taking expired items is one UPDATE that sets a new lease
only where the old one has run out, so two processes racing for an item cannot both win: on
SQLite the writer lock orders them, on PostgreSQL the second UPDATE re-checks the row after the
first commits (and SKIP LOCKED lets it move on to other rows instead of waiting).

When the kept items live in a database of their own (a SQLite file beside the main one, see
storage/database.py), the main database's table holds only the replies events still owe
(`holds_apart`): written with the event's changes, read by whoever takes the item left behind.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import InboxItem
from storage.models import InboxEntry
from storage.repositories import _insert
from storage.sets import one_of

_TABLE: Table = InboxEntry.__table__  # type: ignore[assignment]
# Keys per statement: well under SQLite's limit on bound variables.
KEY_CHUNK = 500
# A row that only holds replies (kept items live apart) is never leased: it is read by key.
HELD = "held"
_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def _chunks(keys: Collection[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """Keys by platform, sorted, in chunks of at most KEY_CHUNK."""
    by_platform: dict[str, list[str]] = {}
    for platform, key in keys:
        by_platform.setdefault(platform, []).append(key)
    for platform in sorted(by_platform):
        ordered = sorted(by_platform[platform])
        for start in range(0, len(ordered), KEY_CHUNK):
            yield platform, ordered[start : start + KEY_CHUNK]


class Inbox:
    def __init__(self, session: AsyncSession, holds_apart: bool = False) -> None:
        self._session = session
        self._holds_apart = holds_apart

    async def add(self, items: Sequence[InboxItem], lease_until: datetime) -> None:
        if not items:
            return
        rows = [
            {
                "platform": item.platform,
                "event_key": item.key,
                "kind": item.kind,
                "payload": item.payload,
                "received_at": item.received_at,
                "lease_until": lease_until,
                "attempts": item.attempts,
            }
            for item in items
        ]
        stmt = _insert(self._session, _TABLE).on_conflict_do_nothing(
            index_elements=["platform", "event_key"]
        )
        await self._session.execute(stmt, rows)

    async def remove(self, keys: Collection[tuple[str, str]]) -> None:
        """One DELETE per platform and chunk of keys (not one per item): removals come in
        hundreds under load, and the index walk takes the rows in key order."""
        for platform, chunk in _chunks(keys):
            await self._session.execute(
                delete(_TABLE).where(
                    _TABLE.c.platform == platform, one_of(self._session, _TABLE.c.event_key, chunk)
                )
            )

    async def renew(self, keys: Collection[tuple[str, str]], until: datetime) -> None:
        for platform, chunk in _chunks(keys):
            await self._session.execute(
                update(_TABLE)
                .where(
                    _TABLE.c.platform == platform, one_of(self._session, _TABLE.c.event_key, chunk)
                )
                .values(lease_until=until)
            )

    async def hold_replies(self, platform: str, replies: Mapping[str, str]) -> None:
        if not replies:
            return
        if self._holds_apart:
            await self._hold_apart(platform, replies)
            return
        stmt = (
            update(_TABLE)
            .where(_TABLE.c.platform == platform, _TABLE.c.event_key == bindparam("key"))
            .values(replies=bindparam("held"))
        )
        # In key order, as every statement that locks several inbox rows takes them (a sweep's
        # renewal, the removals): two such transactions then never wait on each other in turn.
        rows = [{"key": key, "held": replies[key]} for key in sorted(replies)]
        await self._session.execute(stmt, rows)

    async def _hold_apart(self, platform: str, replies: Mapping[str, str]) -> None:
        """A row per event holding only its replies; the item itself is kept elsewhere."""
        rows = [
            {
                "platform": platform,
                "event_key": key,
                "kind": HELD,
                "payload": "",
                "received_at": _NEVER,
                "lease_until": _NEVER,
                "attempts": 0,
                "replies": replies[key],
            }
            for key in sorted(replies)
        ]
        stmt = _insert(self._session, _TABLE)
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "event_key"], set_={"replies": stmt.excluded.replies}
        )
        await self._session.execute(stmt, rows)

    async def held(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for platform, chunk in _chunks(keys):
            rows = await self._session.execute(
                select(_TABLE.c.event_key, _TABLE.c.replies).where(
                    _TABLE.c.platform == platform,
                    one_of(self._session, _TABLE.c.event_key, chunk),
                    _TABLE.c.replies.is_not(None),
                )
            )
            found.update(((platform, key), text) for key, text in rows.all())
        return found

    async def lease(
        self, platforms: Collection[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        if not platforms or limit < 1:
            return []
        due = (
            select(_TABLE.c.platform, _TABLE.c.event_key)
            .where(
                _TABLE.c.platform.in_(sorted(platforms)),
                _TABLE.c.lease_until <= now,
                _TABLE.c.kind != HELD,
            )
            .order_by(_TABLE.c.received_at)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        stmt = (
            update(_TABLE)
            .where(
                tuple_(_TABLE.c.platform, _TABLE.c.event_key).in_(due),
                _TABLE.c.lease_until <= now,
            )
            .values(lease_until=until, attempts=_TABLE.c.attempts + 1)
            .returning(
                _TABLE.c.platform,
                _TABLE.c.event_key,
                _TABLE.c.kind,
                _TABLE.c.payload,
                _TABLE.c.received_at,
                _TABLE.c.attempts,
                _TABLE.c.replies,
            )
        )
        rows = (await self._session.execute(stmt)).all()
        items = [InboxItem(*row) for row in rows]
        return sorted(items, key=lambda item: item.received_at)

    async def pending(self) -> int:
        kept = select(func.count()).select_from(_TABLE).where(_TABLE.c.kind != HELD)
        count = (await self._session.execute(kept)).scalar()
        return int(count or 0)
