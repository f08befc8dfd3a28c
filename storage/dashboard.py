"""The dashboard's read-side queries: each an indexed lookup by user, group, channel or post."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.dashboard import AnswerFeedback, ChannelDay, GroupInfo, Person, ScoredAnswer
from storage.models import Answer, Channel, DailyPost, GroupMember, Streak, StudyGroup, User

SHOWN_POSTS = ("posted", "revealed")


def _groups() -> Any:
    """Groups with their channel's name, for members only (joined by the caller's filter)."""
    return (
        select(StudyGroup, Channel.name)
        .join(GroupMember, GroupMember.group_id == StudyGroup.id)
        .outerjoin(Channel, Channel.id == StudyGroup.channel_id)
    )


def _group(row: StudyGroup, channel_name: str | None) -> GroupInfo:
    return GroupInfo(row.id, row.workspace_id, row.name, row.channel_id, row.timezone, channel_name)


class DashboardReads:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def person(self, user_id: int) -> Person | None:
        user = await self._session.get(User, user_id)
        if user is None:
            return None
        return Person(user.id, user.workspace_id, user.external_id, user.display_name)

    async def member_group(self, group_id: int, user_id: int) -> GroupInfo | None:
        stmt = _groups().where(StudyGroup.id == group_id, GroupMember.user_id == user_id)
        row = (await self._session.execute(stmt)).first()
        return _group(*row) if row is not None else None

    async def groups_of(self, user_id: int) -> list[GroupInfo]:
        stmt = _groups().where(GroupMember.user_id == user_id).order_by(StudyGroup.name)
        return [_group(g, name) for g, name in (await self._session.execute(stmt)).all()]

    async def streaks(self, user_id: int, group_ids: list[int]) -> dict[int, Streak]:
        if not group_ids:
            return {}
        stmt = select(Streak).where(Streak.group_id.in_(group_ids), Streak.user_id == user_id)
        return {s.group_id: s for s in (await self._session.execute(stmt)).scalars()}

    async def channel_days(self, channel_id: int, limit: int) -> list[ChannelDay]:
        posts = (
            await self._session.execute(
                select(DailyPost.id, DailyPost.local_date, DailyPost.question_id)
                .where(DailyPost.channel_id == channel_id, DailyPost.status.in_(SHOWN_POSTS))
                .order_by(DailyPost.local_date.desc())
                .limit(limit)
            )
        ).all()
        if not posts:
            return []
        totals = {
            int(post): (int(count), float(mean) if mean is not None else None)
            for post, count, mean in (
                await self._session.execute(
                    select(Answer.daily_post_id, func.count(Answer.id), func.avg(Answer.score))
                    .where(
                        Answer.daily_post_id.in_([p for p, _, _ in posts]),
                        Answer.counted.is_(True),
                    )
                    .group_by(Answer.daily_post_id)
                )
            ).all()
        }
        return [ChannelDay(int(p), day, q, *totals.get(int(p), (0, None))) for p, day, q in posts]

    async def scored_answers(self, user_id: int) -> list[ScoredAnswer]:
        stmt = (
            select(Answer.question_id, Answer.score, Answer.submitted_at, Answer.points)
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .order_by(Answer.submitted_at, Answer.id)
        )
        return [
            ScoredAnswer(q, int(s), t, int(p)) for q, s, t, p in (await self._session.execute(stmt))
        ]

    async def recent_feedback(self, user_id: int, limit: int) -> list[AnswerFeedback]:
        stmt = (
            select(Answer)
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .order_by(Answer.submitted_at.desc(), Answer.id.desc())
            .limit(limit)
        )
        return [
            AnswerFeedback(
                a.question_id,
                "daily" if a.daily_post_id is not None else "mock",
                a.score,
                a.submitted_at,
                a.text,
                tuple(a.covered or ()),
                tuple(a.missed or ()),
                a.advice,
            )
            for a in (await self._session.execute(stmt)).scalars()
        ]
