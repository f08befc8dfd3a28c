"""Set-based SQL for the daily fan-out: claim, take over and record many posts per statement.

A minute with thousands of schedules due would otherwise cost a few transactions per post on
the one SQLite writer. The guarantees are the row-at-a-time ones: the UNIQUE
(schedule_id, local_date) row decides who posts, and a claim is taken over only after its lease.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import NewClaim, PostedRecord
from storage.models import Channel, DailyPost, Schedule, Workspace

Key = tuple[int, date]  # (schedule id, local date)


_POSTS = cast(Table, DailyPost.__table__)


def _claim_insert(session: AsyncSession) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING of claim rows, in the session's dialect.

    It is run as an executemany, which SQLAlchemy sends as a few multi-row statements whose
    compiled form is cached, instead of compiling a new statement for each batch.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return (
        insert(_POSTS)
        .on_conflict_do_nothing(index_elements=["schedule_id", "local_date"])
        .returning(_POSTS.c.id, _POSTS.c.schedule_id, _POSTS.c.local_date)
    )


class Claims:
    """Claims of many days' posts at once, for the daily fan-out."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def places(
        self, schedule_ids: Collection[int]
    ) -> dict[int, tuple[Schedule, Channel, Workspace]]:
        """Each schedule with its channel and workspace, in one query."""
        if not schedule_ids:
            return {}
        stmt = (
            select(Schedule, Channel, Workspace)
            .join(Channel, Channel.id == Schedule.channel_id)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Schedule.id.in_(schedule_ids))
        )
        rows = (await self._session.execute(stmt)).all()
        return {s.id: (s, c, w) for s, c, w in rows}

    async def existing(self, keys: Collection[Key]) -> dict[Key, DailyPost]:
        """The existing claim rows of the given (schedule, local date) pairs."""
        if not keys:
            return {}
        stmt = select(DailyPost).where(
            DailyPost.schedule_id.in_({s for s, _ in keys}),
            DailyPost.local_date.in_({d for _, d in keys}),
        )
        wanted = set(keys)
        found = (await self._session.execute(stmt)).scalars().all()
        return {k: p for p in found if (k := (p.schedule_id, p.local_date)) in wanted}

    async def question_counts(self, channel_ids: Collection[int]) -> dict[int, dict[str, int]]:
        """How often each question was posted in each channel, for no-repeat cycles."""
        counts: dict[int, dict[str, int]] = {c: {} for c in channel_ids}
        if not channel_ids:
            return counts
        stmt = (
            select(DailyPost.channel_id, DailyPost.question_id, func.count())
            .where(DailyPost.channel_id.in_(channel_ids))
            .group_by(DailyPost.channel_id, DailyPost.question_id)
        )
        for channel_id, question_id, n in (await self._session.execute(stmt)).all():
            counts[channel_id][question_id] = int(n)
        return counts

    async def claim_many(
        self, claims: Sequence[NewClaim], claimer: str, now: datetime
    ) -> dict[Key, int]:
        """Insert claim rows; the ids of those inserted (a conflict means another has it)."""
        if not claims:
            return {}
        rows = [
            {
                "schedule_id": c.schedule_id,
                "channel_id": c.channel_id,
                "local_date": c.local_date,
                "question_id": c.question_id,
                "status": "claimed",
                "claimed_by": claimer,
                "claimed_at": now,
            }
            for c in claims
        ]
        result = (await self._session.execute(_claim_insert(self._session), rows)).all()
        return {(s, d): int(i) for i, s, d in result}

    async def take_over_many(
        self,
        post_ids: Collection[int],
        stale_before: datetime,
        claimer: str,
        now: datetime,
    ) -> set[int]:
        """Re-claim claims whose holder never posted (past the lease); only one taker wins each."""
        if not post_ids:
            return set()
        stmt = (
            update(DailyPost)
            .where(
                DailyPost.id.in_(post_ids),
                DailyPost.status == "claimed",
                DailyPost.claimed_at < stale_before,
            )
            .values(claimed_by=claimer, claimed_at=now)
            .returning(DailyPost.id)
            .execution_options(synchronize_session=False)
        )
        return {int(i) for i in (await self._session.execute(stmt)).scalars()}

    async def renew(self, post_id: int, claimer: str, now: datetime) -> bool:
        """Extend a claim this process still holds, so a slow send never outlives its lease."""
        stmt = (
            update(DailyPost)
            .where(
                DailyPost.id == post_id,
                DailyPost.status == "claimed",
                DailyPost.claimed_by == claimer,
            )
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record_posted_many(self, posts: Sequence[PostedRecord]) -> None:
        """Mark many sent posts as posted in one statement (executemany)."""
        if posts:
            rows = [
                {
                    "b_id": p.post_id,
                    "b_message_ref": p.message_ref,
                    "b_thread_ref": p.thread_ref,
                    "b_posted_at": p.posted_at,
                    "b_reveal_at": p.reveal_at,
                }
                for p in posts
            ]
            await self._session.execute(_RECORD, rows)


_RECORD = (
    update(_POSTS)
    .where(_POSTS.c.id == bindparam("b_id"))
    .values(
        status="posted",
        message_ref=bindparam("b_message_ref"),
        thread_ref=bindparam("b_thread_ref"),
        posted_at=bindparam("b_posted_at"),
        reveal_at=bindparam("b_reveal_at"),
    )
)
