"""Set-based statements for recording daily answers: one statement serves a whole batch.

A burst of answers to one daily question is the bot's heaviest write load. Each statement here
takes every answer of a batch at once, so a batch of fifty costs about what one answer does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    DailyPost,
    GroupMember,
    ProcessedEvent,
    Schedule,
    Streak,
    StudyGroup,
    User,
)
from storage.repositories import _insert


@dataclass(frozen=True)
class PostFacts:
    """What recording an answer needs to know about its daily post."""

    id: int
    channel_id: int
    question_id: str
    status: str
    local_date: date
    schedule_days: str | None  # None once the schedule is gone: streaks then stay as they are


@dataclass(frozen=True)
class StreakRow:
    group_id: int
    user_id: int
    current: int
    longest: int
    freezes: int
    last_day: date | None


@dataclass(frozen=True)
class EarlierAnswer:
    id: int
    answer_rank: int | None


class DailyAnswerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    async def claim_events(
        self, platform: str, event_ids: Collection[str], now: datetime
    ) -> set[str]:
        """The ids seen here for the first time; the rest are retries or duplicates."""
        if not event_ids:
            return set()
        rows = [
            {"platform": platform, "event_id": event_id, "processed_at": now}
            for event_id in sorted(set(event_ids))
        ]
        stmt = (
            _insert(self._session, ProcessedEvent)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(ProcessedEvent.event_id)
        )
        return set((await self._session.execute(stmt)).scalars())

    async def release_events(self, platform: str, event_ids: Collection[str]) -> None:
        """Give claimed ids back, for events that will be handled another way."""
        if event_ids:
            await self._session.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.platform == platform,
                    ProcessedEvent.event_id.in_(sorted(set(event_ids))),
                )
            )

    async def users(
        self, workspace_id: int, people: dict[str, str], now: datetime
    ) -> dict[str, int]:
        """Internal ids of users by external id (display names by external id), created or
        renamed as needed. Sorted, so concurrent batches lock rows in the same order."""
        if not people:
            return {}
        rows = [
            {
                "workspace_id": workspace_id,
                "external_id": external_id,
                "display_name": people[external_id],
                "created_at": now,
            }
            for external_id in sorted(people)
        ]
        stmt = _insert(self._session, User).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "external_id"],
            set_={
                "display_name": func.coalesce(
                    func.nullif(stmt.excluded.display_name, ""), User.display_name
                )
            },
        ).returning(User.external_id, User.id)
        return {str(ext): int(uid) for ext, uid in (await self._session.execute(stmt)).all()}

    async def posts(self, post_ids: Collection[int]) -> dict[int, PostFacts]:
        if not post_ids:
            return {}
        stmt = (
            select(
                DailyPost.id,
                DailyPost.channel_id,
                DailyPost.question_id,
                DailyPost.status,
                DailyPost.local_date,
                Schedule.days,
            )
            .outerjoin(Schedule, Schedule.id == DailyPost.schedule_id)
            .where(DailyPost.id.in_(sorted(post_ids)))
        )
        return {
            row.id: PostFacts(
                row.id, row.channel_id, row.question_id, row.status, row.local_date, row.days
            )
            for row in (await self._session.execute(stmt)).all()
        }

    async def schedule_days(self, schedule_id: int) -> str | None:
        return (
            await self._session.execute(select(Schedule.days).where(Schedule.id == schedule_id))
        ).scalar_one_or_none()

    async def earlier_answers(
        self, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], EarlierAnswer]:
        """The counted answer already given, by (post id, user id)."""
        if not keys:
            return {}
        stmt = select(Answer.id, Answer.daily_post_id, Answer.user_id, Answer.answer_rank).where(
            Answer.daily_post_id.in_(sorted({post for post, _ in keys})),
            Answer.user_id.in_(sorted({user for _, user in keys})),
            Answer.counted == True,  # noqa: E712  (the form the partial unique index matches)
        )
        found: dict[tuple[int, int], EarlierAnswer] = {}
        for row in (await self._session.execute(stmt)).all():
            key = (int(row.daily_post_id), int(row.user_id))
            if key in keys:
                found[key] = EarlierAnswer(int(row.id), row.answer_rank)
        return found

    async def take_ranks(self, post_id: int, count: int) -> int:
        """Reserve count answering places (0 = first) at once; returns the first one. The
        update holds the post's row until commit, so no two answers share a place."""
        result = await self._session.execute(
            update(DailyPost)
            .where(DailyPost.id == post_id)
            .values(answerers=DailyPost.answerers + count)
            .returning(DailyPost.answerers)
            .execution_options(synchronize_session=False)
        )
        return int(result.scalar_one()) - count

    async def uncount(self, answer_ids: Collection[int]) -> None:
        """Replaced answers stop counting (and earning) before their replacements go in."""
        if not answer_ids:
            return
        await self._session.execute(
            update(Answer)
            .where(Answer.id.in_(sorted(answer_ids)))
            .values(counted=False, points=0)
            .execution_options(synchronize_session=False)
        )

    async def channel_groups(self, channel_ids: Collection[int]) -> dict[int, int]:
        """The study group of each channel that has one, by channel id."""
        if not channel_ids:
            return {}
        stmt = select(StudyGroup.channel_id, StudyGroup.id).where(
            StudyGroup.channel_id.in_(sorted(channel_ids))
        )
        rows = (await self._session.execute(stmt)).all()
        return {int(c): int(g) for c, g in rows if c is not None}

    async def join(self, members: Collection[tuple[int, int]], now: datetime) -> None:
        """Add (group id, user id) memberships that are not there yet."""
        if not members:
            return
        rows = [{"group_id": g, "user_id": u, "joined_at": now} for g, u in sorted(set(members))]
        await self._session.execute(
            _insert(self._session, GroupMember)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["group_id", "user_id"])
        )

    async def lock_streaks(self, user_ids: Collection[int], now: datetime) -> list[StreakRow]:
        """Every streak the users have in groups they belong to, created empty where missing,
        locked for this transaction (in key order, so batches never deadlock each other)."""
        if not user_ids:
            return []
        users = sorted(set(user_ids))
        members = select(
            GroupMember.group_id,
            GroupMember.user_id,
            literal(0),
            literal(0),
            literal(0),
            literal(""),
            literal(now, Streak.updated_at.type),
        ).where(GroupMember.user_id.in_(users))
        await self._session.execute(
            _insert(self._session, Streak)
            .from_select(
                [
                    "group_id",
                    "user_id",
                    "current",
                    "longest",
                    "freezes",
                    "schedule_days",
                    "updated_at",
                ],
                members,
            )
            .on_conflict_do_nothing(index_elements=["group_id", "user_id"])
        )
        stmt = (
            select(
                Streak.group_id,
                Streak.user_id,
                Streak.current,
                Streak.longest,
                Streak.freezes,
                Streak.last_day,
            )
            .join(
                GroupMember,
                and_(
                    GroupMember.group_id == Streak.group_id, GroupMember.user_id == Streak.user_id
                ),
            )
            .where(GroupMember.user_id.in_(users))  # by the members' user index
            .order_by(Streak.group_id, Streak.user_id)
        )
        if self._postgres:
            stmt = stmt.with_for_update(of=Streak)
        return [
            StreakRow(r.group_id, r.user_id, r.current, r.longest, r.freezes, r.last_day)
            for r in (await self._session.execute(stmt)).all()
        ]

    async def save_streaks(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write new streak values; each row holds group_id and user_id plus the new fields."""
        if rows:
            await self._session.execute(update(Streak), list(rows))

    async def add_answers(self, rows: Iterable[dict[str, Any]]) -> None:
        batch = list(rows)
        if batch:
            await self._session.execute(insert(Answer), batch)
