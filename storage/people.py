"""A user's own data as a whole: read for a copy, or deleted on request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import Deleted, UserData
from storage.models import (
    Answer,
    GroupMember,
    ReviewCard,
    ReviewNudge,
    ReviewReminder,
    Round,
    Streak,
    StudyGroup,
    User,
)
from storage.reviews import card_of


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def data_of(self, user_id: int) -> UserData:
        session = self._session
        answers = (
            await session.execute(
                select(Answer).where(Answer.user_id == user_id).order_by(Answer.submitted_at)
            )
        ).scalars()
        streaks = (
            await session.execute(
                select(Streak, StudyGroup.name)
                .join(StudyGroup, StudyGroup.id == Streak.group_id)
                .where(Streak.user_id == user_id)
            )
        ).all()
        groups = (
            await session.execute(
                select(StudyGroup.name)
                .join(GroupMember, GroupMember.group_id == StudyGroup.id)
                .where(GroupMember.user_id == user_id)
            )
        ).scalars()
        rounds = (
            await session.execute(select(Round).where(Round.user_id == user_id).order_by(Round.id))
        ).scalars()
        cards = await session.execute(
            select(ReviewCard.__table__)
            .where(ReviewCard.user_id == user_id)
            .order_by(ReviewCard.question_id)
        )
        return UserData(
            answers=list(answers),
            streaks=[(streak, name) for streak, name in streaks],
            groups=list(groups),
            rounds=list(rounds),
            reviews=[card_of(row) for row in cards],
        )

    async def delete(self, user_id: int) -> Deleted:
        """Everything of the user goes, the user row last; returns what was counted first."""
        deleted = Deleted(
            answers=await self._count(select(func.count()).where(Answer.user_id == user_id)),
            streaks=await self._count(select(func.count()).where(Streak.user_id == user_id)),
            groups=await self._count(select(func.count()).where(GroupMember.user_id == user_id)),
        )
        tables = (Answer, Streak, GroupMember, Round, ReviewCard, ReviewReminder, ReviewNudge)
        for table in tables:
            await self._session.execute(delete(table).where(table.user_id == user_id))
        await self._session.execute(delete(User).where(User.id == user_id))
        return deleted

    async def _count(self, stmt: Any) -> int:
        return int((await self._session.execute(stmt)).scalar_one())
