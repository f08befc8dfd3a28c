"""In-memory directory, rounds, answers, events and limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.ports.records import AnswerRecord, Identity
from bot.ports.storage import Conflict
from tests.support.memory.records import (
    Answer,
    Channel,
    Repo,
    Round,
    RoundQuestion,
    User,
    Workspace,
    first,
)

OPEN = ("active", "paused")


class Directory(Repo):
    async def workspace(self, platform: str, external_id: str, now: datetime) -> int:
        found = first(
            w for w in self.d.workspaces if (w.platform, w.external_id) == (platform, external_id)
        )
        if found is None:
            found = Workspace(self.next_id("workspaces"), platform, external_id)
            self.d.workspaces.append(found)
        return int(found.id)

    async def channel(self, workspace_id: int, external_id: str, name: str, now: datetime) -> int:
        found = first(
            c
            for c in self.d.channels
            if (c.workspace_id, c.external_id) == (workspace_id, external_id)
        )
        if found is None:
            found = Channel(self.next_id("channels"), workspace_id, external_id, name)
            self.d.channels.append(found)
        found.name = name or found.name
        return int(found.id)

    async def identify(
        self,
        platform: str,
        workspace: str,
        channel: str,
        channel_name: str,
        user: str,
        display_name: str,
        now: datetime,
    ) -> Identity:
        workspace_id = await self.workspace(platform, workspace, now)
        channel_id = await self.channel(workspace_id, channel, channel_name, now)
        return Identity(workspace_id, channel_id, self.user(workspace_id, user, display_name).id)

    async def get_user(self, user_id: int) -> User | None:
        return first(u for u in self.d.users if u.id == user_id)  # type: ignore[no-any-return]

    async def get_channel(self, channel_id: int) -> Channel | None:
        return first(c for c in self.d.channels if c.id == channel_id)  # type: ignore[no-any-return]

    async def get_workspace(self, workspace_id: int) -> Workspace | None:
        return first(w for w in self.d.workspaces if w.id == workspace_id)  # type: ignore[no-any-return]

    async def find_user(self, workspace_id: int, who: str) -> User | None:
        mine = [u for u in self.d.users if u.workspace_id == workspace_id]
        return first(u for u in mine if u.external_id == who) or first(  # type: ignore[no-any-return]
            u for u in mine if u.display_name.lower() == who.lower()
        )


class Rounds(Repo):
    async def open(
        self,
        channel_id: int,
        user_id: int,
        mode: str,
        topic: str | None,
        difficulty: str | None,
        planned_count: int,
        now: datetime,
    ) -> Round:
        if await self.open_for(channel_id, user_id) is not None:
            raise Conflict("one open round per user and channel")
        round_ = Round(
            self.next_id("rounds"), channel_id, user_id, "active", mode, topic, difficulty,
            planned_count, now, now,
        )  # fmt: skip
        self.d.rounds.append(round_)
        return round_

    def add_question(self, round_id: int, position: int, question_id: str, topic: str) -> None:
        self.d.questions.append(
            RoundQuestion(self.next_id("round_questions"), round_id, position, question_id, topic)
        )

    async def take(self, round_: Any, now: datetime) -> None:
        round_.status = "active"
        round_.last_activity_at = now
        round_.version += 1

    async def flush(self) -> None:
        return None

    async def get(self, round_id: int) -> Round | None:
        return first(r for r in self.d.rounds if r.id == round_id)  # type: ignore[no-any-return]

    async def open_for(self, channel_id: int, user_id: int) -> Round | None:
        return first(  # type: ignore[no-any-return]
            r
            for r in self.d.rounds
            if (r.channel_id, r.user_id) == (channel_id, user_id) and r.status in OPEN
        )

    async def by_thread(self, channel_id: int, thread_ref: str) -> Round | None:
        found = [
            r for r in self.d.rounds if (r.channel_id, r.thread_ref) == (channel_id, thread_ref)
        ]
        return max(found, key=lambda r: r.id) if found else None

    async def questions(self, round_id: int) -> list[RoundQuestion]:
        return sorted(
            (q for q in self.d.questions if q.round_id == round_id), key=lambda q: q.position
        )

    async def idle_since(self, cutoff: datetime, limit: int = 500) -> list[Round]:
        idle = [r for r in self.d.rounds if r.status == "active" and r.last_activity_at < cutoff]
        return sorted(idle, key=lambda r: r.last_activity_at)[:limit]

    async def oldest_active_activity(self) -> datetime | None:
        active = [r.last_activity_at for r in self.d.rounds if r.status == "active"]
        return min(active) if active else None

    async def pause_if_idle(self, round_id: int, cutoff: datetime) -> bool:
        round_ = await self.get(round_id)
        if round_ is None or round_.status != "active" or round_.last_activity_at >= cutoff:
            return False
        round_.status = "paused"
        round_.version += 1
        return True

    async def seen_question_ids(self, user_id: int) -> set[str]:
        mine = {r.id for r in self.d.rounds if r.user_id == user_id}
        return {q.question_id for q in self.d.questions if q.round_id in mine and q.asked_at}


class Answers(Repo):
    def add(self, answer: AnswerRecord) -> None:
        self.add_answer(answer)

    async def best_scores(self, user_id: int) -> dict[str, int]:
        best: dict[str, int] = {}
        for a in self.d.answers:
            if a.user_id == user_id and not a.is_follow_up:
                best[a.question_id] = max(best.get(a.question_id, 0), a.score)
        return best

    async def counted_for_post(self, daily_post_id: int) -> list[tuple[Answer, User]]:
        users = {u.id: u for u in self.d.users}
        counted = [a for a in self.d.answers if a.daily_post_id == daily_post_id and a.counted]
        counted.sort(key=lambda a: (-a.score, a.submitted_at, a.id))
        return [(a, users[a.user_id]) for a in counted]


class Events(Repo):
    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        return self.claim_event(platform, event_id)


class Limits(Repo):
    async def hit(self, scope_key: str, action: str, window_start: datetime) -> int:
        key = (scope_key, action, window_start)
        self.d.counters[key] = self.d.counters.get(key, 0) + 1
        return self.d.counters[key]

    async def give_back(self, scope_key: str, action: str, window_start: datetime) -> None:
        self.d.counters[(scope_key, action, window_start)] -= 1
