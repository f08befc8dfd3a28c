"""Read-side queries (leaderboards, stats) as plain SQL expressions over answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import AnswerSummary, LeaderRow, RecentAnswer
from storage.models import Answer, GroupMember, User


class Stats:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def leaderboard(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> list[LeaderRow]:
        """Every member with points in the period, best first; a tie goes to who got there first."""
        points = func.sum(Answer.points).label("points")
        reached = func.max(Answer.submitted_at).label("reached")
        stmt = (
            select(Answer.user_id, User.display_name, points, func.count(Answer.id), reached)
            .join(GroupMember, GroupMember.user_id == Answer.user_id)
            .join(User, User.id == Answer.user_id)
            .where(
                GroupMember.group_id == group_id, Answer.points > 0, Answer.submitted_at <= until
            )
            .group_by(Answer.user_id, User.display_name)
            .order_by(points.desc(), reached.asc(), Answer.user_id)
        )
        if since is not None:
            stmt = stmt.where(Answer.submitted_at >= since)
        rows = (await self._session.execute(stmt)).all()
        return [LeaderRow(int(u), str(n), int(p), int(c), r) for u, n, p, c, r in rows]

    async def answer_summary(self, user_id: int) -> AnswerSummary:
        stmt = select(
            func.count(Answer.id), func.avg(Answer.score), func.coalesce(func.sum(Answer.points), 0)
        ).where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
        count, mean, points = (await self._session.execute(stmt)).one()
        return AnswerSummary(int(count), float(mean) if mean is not None else None, int(points))

    async def mean_score_by_question(self, user_id: int) -> list[tuple[str, float, int]]:
        stmt = (
            select(Answer.question_id, func.avg(Answer.score), func.count(Answer.id))
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .group_by(Answer.question_id)
        )
        return [(q, float(m), int(n)) for q, m, n in (await self._session.execute(stmt)).all()]

    async def recent_answers(self, user_id: int, limit: int = 5) -> list[RecentAnswer]:
        stmt = (
            select(
                Answer.question_id,
                Answer.score,
                Answer.points,
                Answer.daily_post_id,
                Answer.submitted_at,
            )
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .order_by(Answer.submitted_at.desc(), Answer.id.desc())
            .limit(limit)
        )
        return [
            RecentAnswer(q, int(s), int(p), "daily" if d is not None else "mock", t)
            for q, s, p, d, t in (await self._session.execute(stmt)).all()
        ]

    async def answer_times(self, user_id: int, since: datetime) -> list[datetime]:
        stmt = select(Answer.submitted_at).where(
            Answer.user_id == user_id, Answer.is_follow_up.is_(False), Answer.submitted_at >= since
        )
        return list((await self._session.execute(stmt)).scalars())
