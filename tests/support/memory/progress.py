"""In-memory groups, streaks, packs, read-side stats and a person's own data."""

from __future__ import annotations

from datetime import datetime

from bot.ports.records import AnswerSummary, Deleted, LeaderRow, RecentAnswer, UserData
from bot.ports.storage import Conflict
from tests.support.memory.records import Answer, Pack, Repo, Streak, StudyGroup, first


class Groups(Repo):
    async def create(
        self, workspace_id: int, name: str, channel_id: int | None, timezone: str, now: datetime
    ) -> StudyGroup:
        if await self.by_name(workspace_id, name) is not None:
            raise Conflict(f"group {name!r} exists")
        group = StudyGroup(self.next_id("groups"), workspace_id, name, channel_id, timezone)
        self.d.groups.append(group)
        return group

    async def by_name(self, workspace_id: int, name: str) -> StudyGroup | None:
        return first(  # type: ignore[no-any-return]
            g for g in self.d.groups if (g.workspace_id, g.name) == (workspace_id, name)
        )

    async def for_channel(self, channel_id: int) -> StudyGroup | None:
        return first(g for g in self.d.groups if g.channel_id == channel_id)  # type: ignore[no-any-return]

    async def in_workspace(self, workspace_id: int) -> list[tuple[StudyGroup, int]]:
        mine = [g for g in self.d.groups if g.workspace_id == workspace_id]
        mine.sort(key=lambda g: (g.channel_id is None, g.name))
        return [(g, sum(1 for gid, _ in self.d.members if gid == g.id)) for g in mine]

    async def of_user(self, user_id: int) -> list[StudyGroup]:
        ids = {g for g, u in self.d.members if u == user_id}
        return sorted((g for g in self.d.groups if g.id in ids), key=lambda g: g.id)

    async def join(self, group_id: int, user_id: int, now: datetime) -> bool:
        if (group_id, user_id) in self.d.members:
            return False
        self.d.members.add((group_id, user_id))
        return True

    async def leave(self, group_id: int, user_id: int) -> bool:
        if (group_id, user_id) not in self.d.members:
            return False
        self.d.members.discard((group_id, user_id))
        return True


class Streaks(Repo):
    async def of_group(self, group_id: int) -> list[Streak]:
        return [s for s in self.d.streaks if s.group_id == group_id]

    async def of_user(self, user_id: int) -> list[tuple[Streak, StudyGroup]]:
        groups = {g.id: g for g in self.d.groups}
        mine = sorted((s for s in self.d.streaks if s.user_id == user_id), key=lambda s: s.group_id)
        return [(s, groups[s.group_id]) for s in mine]


class Packs(Repo):
    async def version(self, workspace_id: int) -> tuple[int, datetime | None]:
        mine = [p for p in self.d.packs if p.workspace_id == workspace_id]
        return len(mine), max((p.imported_at for p in mine), default=None)

    async def of_workspace(self, workspace_id: int) -> list[Pack]:
        return sorted(
            (p for p in self.d.packs if p.workspace_id == workspace_id), key=lambda p: p.name
        )

    async def save(
        self, workspace_id: int, name: str, files: list[dict[str, str]], count: int, now: datetime
    ) -> bool:
        old = first(p for p in self.d.packs if (p.workspace_id, p.name) == (workspace_id, name))
        if old is not None:
            self.d.packs.remove(old)
        self.d.packs.append(Pack(workspace_id, name, files, count, now))
        return old is not None


class Stats(Repo):
    def _mine(self, user_id: int) -> list[Answer]:
        return [a for a in self.d.answers if a.user_id == user_id and not a.is_follow_up]

    async def leaderboard(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> list[LeaderRow]:
        members = {u for g, u in self.d.members if g == group_id}
        names = {u.id: u.display_name for u in self.d.users}
        rows = []
        for user_id in members:
            scored = [
                a
                for a in self.d.answers
                if a.user_id == user_id
                and a.points > 0
                and a.submitted_at <= until
                and (since is None or a.submitted_at >= since)
            ]
            if scored:
                reached = max(a.submitted_at for a in scored)
                points = sum(a.points for a in scored)
                rows.append(LeaderRow(user_id, names[user_id], points, len(scored), reached))
        return sorted(rows, key=lambda r: (-r.points, r.reached_at, r.user_id))

    async def answer_summary(self, user_id: int) -> AnswerSummary:
        mine = self._mine(user_id)
        mean = sum(a.score for a in mine) / len(mine) if mine else None
        return AnswerSummary(len(mine), mean, sum(a.points for a in mine))

    async def mean_score_by_question(self, user_id: int) -> list[tuple[str, float, int]]:
        by: dict[str, list[int]] = {}
        for a in self._mine(user_id):
            by.setdefault(a.question_id, []).append(a.score)
        return [(q, sum(s) / len(s), len(s)) for q, s in by.items()]

    async def recent_answers(self, user_id: int, limit: int = 5) -> list[RecentAnswer]:
        mine = sorted(self._mine(user_id), key=lambda a: (a.submitted_at, a.id), reverse=True)
        return [
            RecentAnswer(
                a.question_id,
                a.score,
                a.points,
                "daily" if a.daily_post_id is not None else "mock",
                a.submitted_at,
            )
            for a in mine[:limit]
        ]

    async def answer_times(self, user_id: int, since: datetime) -> list[datetime]:
        return [a.submitted_at for a in self._mine(user_id) if a.submitted_at >= since]


class People(Repo):
    async def data_of(self, user_id: int) -> UserData:
        names = {g.id: g.name for g in self.d.groups}
        return UserData(
            answers=sorted(
                (a for a in self.d.answers if a.user_id == user_id), key=lambda a: a.submitted_at
            ),
            streaks=[(s, names[s.group_id]) for s in self.d.streaks if s.user_id == user_id],
            groups=[names[g] for g, u in sorted(self.d.members) if u == user_id],
            rounds=[r for r in self.d.rounds if r.user_id == user_id],
            reviews=sorted(
                (c for (u, _), c in self.d.cards.items() if u == user_id),
                key=lambda c: c.question_id,
            ),
        )

    async def delete(self, user_id: int) -> Deleted:
        d = self.d
        deleted = Deleted(
            answers=sum(1 for a in d.answers if a.user_id == user_id),
            streaks=sum(1 for s in d.streaks if s.user_id == user_id),
            groups=sum(1 for _, u in d.members if u == user_id),
        )
        d.answers = [a for a in d.answers if a.user_id != user_id]
        d.streaks = [s for s in d.streaks if s.user_id != user_id]
        d.members = {(g, u) for g, u in d.members if u != user_id}
        d.rounds = [r for r in d.rounds if r.user_id != user_id]
        d.users = [u for u in d.users if u.id != user_id]
        d.cards = {k: c for k, c in d.cards.items() if k[0] != user_id}
        d.reminders.pop(user_id, None)
        d.nudges = {n for n in d.nudges if n[0] != user_id}
        return deleted
