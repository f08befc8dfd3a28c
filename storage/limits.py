"""Counters behind the engine's rate limits: one atomic upsert per attempt, so replicas that
share the database share the count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RateCounter


class Limits:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hit(self, scope_key: str, action: str, window_start: datetime) -> int:
        """Count one attempt in this window; the count so far, this one included."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = insert(RateCounter).values(
            scope_key=scope_key, action=action, window_start=window_start, count=1
        )
        bump = values.on_conflict_do_update(
            index_elements=["scope_key", "action", "window_start"],
            set_={"count": RateCounter.count + 1},
        ).returning(RateCounter.count)
        used = int((await self._session.execute(bump)).scalar_one())
        if used == 1:  # a new window: the old ones of this key and action are spent
            await self._session.execute(
                delete(RateCounter).where(
                    RateCounter.scope_key == scope_key,
                    RateCounter.action == action,
                    RateCounter.window_start < window_start,
                )
            )
        return used

    async def give_back(self, scope_key: str, action: str, window_start: datetime) -> None:
        await self._session.execute(
            update(RateCounter)
            .where(
                RateCounter.scope_key == scope_key,
                RateCounter.action == action,
                RateCounter.window_start == window_start,
            )
            .values(count=RateCounter.count - 1)
        )
