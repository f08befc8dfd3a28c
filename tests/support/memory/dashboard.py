"""The dashboard's read-side queries over the in-memory data (tests/support/memory.py).

The in-memory store never holds a daily post (those come from the SQL fan-out), so a channel's
history is empty here; the SQL version is tested on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ports.dashboard import AnswerFeedback, ChannelDay, GroupInfo, Person, ScoredAnswer

if TYPE_CHECKING:
    from tests.support.memory import Data, Streak, StudyGroup


class MemoryDashboardReads:
    def __init__(self, data: Data) -> None:
        self.d = data

    def _group(self, g: StudyGroup) -> GroupInfo:
        channel = next((c.name for c in self.d.channels if c.id == g.channel_id), None)
        return GroupInfo(g.id, g.workspace_id, g.name, g.channel_id, g.timezone, channel)

    async def person(self, user_id: int) -> Person | None:
        for u in self.d.users:
            if u.id == user_id:
                return Person(u.id, u.workspace_id, u.external_id, u.display_name)
        return None

    async def member_group(self, group_id: int, user_id: int) -> GroupInfo | None:
        if (group_id, user_id) not in self.d.members:
            return None
        return next((self._group(g) for g in self.d.groups if g.id == group_id), None)

    async def groups_of(self, user_id: int) -> list[GroupInfo]:
        ids = {g for g, u in self.d.members if u == user_id}
        mine = sorted((g for g in self.d.groups if g.id in ids), key=lambda g: (g.name, g.id))
        return [self._group(g) for g in mine]

    async def streaks(self, user_id: int, group_ids: list[int]) -> dict[int, Streak]:
        return {
            s.group_id: s
            for s in self.d.streaks
            if s.user_id == user_id and s.group_id in group_ids
        }

    async def channel_days(self, channel_id: int, limit: int) -> list[ChannelDay]:
        return []

    async def scored_answers(self, user_id: int) -> list[ScoredAnswer]:
        mine = [a for a in self.d.answers if a.user_id == user_id and not a.is_follow_up]
        mine.sort(key=lambda a: a.submitted_at)
        return [ScoredAnswer(a.question_id, a.score, a.submitted_at, a.points) for a in mine]

    async def recent_feedback(self, user_id: int, limit: int) -> list[AnswerFeedback]:
        mine = [a for a in self.d.answers if a.user_id == user_id and not a.is_follow_up]
        mine.sort(key=lambda a: a.submitted_at, reverse=True)
        return [
            AnswerFeedback(
                a.question_id,
                "daily" if a.daily_post_id else "mock",
                a.score,
                a.submitted_at,
                a.text,
                tuple(a.covered),
                tuple(a.missed),
                a.advice,
            )
            for a in mine[:limit]
        ]
