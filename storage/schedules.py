"""Daily schedules and the posts they make: one row per (schedule, local date)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import ScheduleTiming
from storage.models import Channel, DailyPost, Schedule, Workspace

# A schedule's timing columns only, read as plain rows: no tracked objects for the scheduler's
# ten thousand schedules at start and the catch-up's every minute.
_TIMING = select(
    Schedule.id, Schedule.post_time, Schedule.timezone, Schedule.days, Schedule.enabled
)


class Schedules:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_channel(self, channel_id: int) -> Schedule | None:
        stmt = select(Schedule).where(Schedule.channel_id == channel_id)
        return (await self._session.execute(stmt)).scalars().first()

    async def get(self, schedule_id: int) -> Schedule | None:
        return await self._session.get(Schedule, schedule_id)

    def new(self, channel_id: int, now: datetime) -> Schedule:
        schedule = Schedule(channel_id=channel_id, created_at=now)
        self._session.add(schedule)
        return schedule

    async def disable_workspace(self, platform: str, external_id: str, now: datetime) -> int:
        channels = (
            select(Channel.id)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Workspace.platform == platform, Workspace.external_id == external_id)
        )
        result = await self._session.execute(
            update(Schedule)
            .where(Schedule.channel_id.in_(channels), Schedule.enabled.is_(True))
            .values(enabled=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def enabled(self) -> list[ScheduleTiming]:
        stmt = _TIMING.where(Schedule.enabled.is_(True)).order_by(Schedule.id)
        return await self._timings(stmt)

    async def changed_since(self, moment: datetime | None) -> list[ScheduleTiming]:
        stmt = _TIMING.order_by(Schedule.updated_at, Schedule.id)
        if moment is not None:
            stmt = stmt.where(Schedule.updated_at >= moment)  # ix_schedules_updated_at
        return await self._timings(stmt)

    async def _timings(self, stmt: Select[int, str, str, str, bool]) -> list[ScheduleTiming]:
        return [ScheduleTiming(*row) for row in await self._session.execute(stmt)]

    async def census(self) -> tuple[int, int, datetime | None]:
        count, total = (
            await self._session.execute(
                select(func.count(Schedule.id), func.coalesce(func.sum(Schedule.id), 0)).where(
                    Schedule.enabled.is_(True)
                )
            )
        ).one()
        newest = (await self._session.execute(select(func.max(Schedule.updated_at)))).scalar()
        return int(count), int(total), newest


class DailyPosts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, post_id: int) -> DailyPost | None:
        return await self._session.get(DailyPost, post_id)

    async def for_day(self, schedule_id: int, local_date: date) -> DailyPost | None:
        stmt = select(DailyPost).where(
            DailyPost.schedule_id == schedule_id, DailyPost.local_date == local_date
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def by_thread(self, channel_id: int, thread_ref: str) -> DailyPost | None:
        stmt = select(DailyPost).where(
            DailyPost.channel_id == channel_id, DailyPost.thread_ref == thread_ref
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def claims_on(self, days: set[date]) -> dict[tuple[int, date], tuple[str, datetime]]:
        """(status, claimed_at) of every claim on the given local dates, by (schedule, date)."""
        stmt = select(
            DailyPost.schedule_id, DailyPost.local_date, DailyPost.status, DailyPost.claimed_at
        ).where(DailyPost.local_date.in_(days))
        rows = (await self._session.execute(stmt)).all()
        return {(s, d): (status, claimed) for s, d, status, claimed in rows}

    async def being_posted(self, channel_id: int, since: datetime) -> bool:
        stmt = select(DailyPost.id).where(
            DailyPost.channel_id == channel_id,
            DailyPost.status == "claimed",
            DailyPost.claimed_at >= since,
        )
        return (await self._session.execute(stmt.limit(1))).first() is not None

    async def due_reveals(self, now: datetime, limit: int = 200) -> list[DailyPost]:
        stmt = (
            select(DailyPost)
            .where(DailyPost.status == "posted", DailyPost.reveal_at <= now)
            .order_by(DailyPost.reveal_at)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def next_reveal_after(self, moment: datetime) -> datetime | None:
        stmt = select(func.min(DailyPost.reveal_at)).where(
            DailyPost.status == "posted", DailyPost.reveal_at > moment
        )
        value = (await self._session.execute(stmt)).scalar_one_or_none()
        return value
