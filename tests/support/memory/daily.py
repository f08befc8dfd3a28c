"""In-memory daily schedules, posts and their set-based claims and answers.

The rules are the SQL statements' own: one claim per (schedule, local date), a claim taken over
only past its lease, answering places reserved on the post, one counted answer per person.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime

from bot.ports.records import (
    AnswerRecord,
    EarlierAnswer,
    NewClaim,
    PostedRecord,
    PostFacts,
    ScheduleTiming,
    StreakRow,
    StreakUpdate,
)
from bot.ports.storage import ClaimKey
from tests.support.memory.records import (
    Channel,
    DailyPost,
    Repo,
    Schedule,
    Streak,
    Workspace,
    first,
)


def timing(s: Schedule) -> ScheduleTiming:
    return ScheduleTiming(s.id, s.post_time, s.timezone, s.days, s.enabled)


class Schedules(Repo):
    async def for_channel(self, channel_id: int) -> Schedule | None:
        return first(s for s in self.d.schedules if s.channel_id == channel_id)  # type: ignore[no-any-return]

    async def get(self, schedule_id: int) -> Schedule | None:
        return first(s for s in self.d.schedules if s.id == schedule_id)  # type: ignore[no-any-return]

    def new(self, channel_id: int, now: datetime) -> Schedule:
        schedule = Schedule(self.next_id("schedules"), channel_id, now, now)
        self.d.schedules.append(schedule)
        return schedule

    async def disable_workspace(self, platform: str, external_id: str, now: datetime) -> int:
        spaces = {
            w.id
            for w in self.d.workspaces
            if (w.platform, w.external_id) == (platform, external_id)
        }
        channels = {c.id for c in self.d.channels if c.workspace_id in spaces}
        stopped = [s for s in self.d.schedules if s.channel_id in channels and s.enabled]
        for s in stopped:
            s.enabled, s.updated_at = False, now
        return len(stopped)

    async def enabled(self) -> list[ScheduleTiming]:
        return [timing(s) for s in sorted(self.d.schedules, key=lambda s: s.id) if s.enabled]

    async def changed_since(self, moment: datetime | None) -> list[ScheduleTiming]:
        changed = (s for s in self.d.schedules if moment is None or s.updated_at >= moment)
        return [timing(s) for s in sorted(changed, key=lambda s: (s.updated_at, s.id))]

    async def census(self) -> tuple[int, int, datetime | None]:
        ids = [s.id for s in self.d.schedules if s.enabled]
        newest = max((s.updated_at for s in self.d.schedules), default=None)
        return len(ids), sum(ids), newest


class DailyPosts(Repo):
    async def get(self, post_id: int) -> DailyPost | None:
        return first(p for p in self.d.posts if p.id == post_id)  # type: ignore[no-any-return]

    async def for_day(self, schedule_id: int, local_date: date) -> DailyPost | None:
        return first(  # type: ignore[no-any-return]
            p for p in self.d.posts if (p.schedule_id, p.local_date) == (schedule_id, local_date)
        )

    async def by_thread(self, channel_id: int, thread_ref: str) -> DailyPost | None:
        return first(  # type: ignore[no-any-return]
            p for p in self.d.posts if (p.channel_id, p.thread_ref) == (channel_id, thread_ref)
        )

    async def claims_on(self, days: set[date]) -> dict[ClaimKey, tuple[str, datetime]]:
        return {
            (p.schedule_id, p.local_date): (p.status, p.claimed_at)
            for p in self.d.posts
            if p.local_date in days
        }

    async def being_posted(self, channel_id: int, since: datetime) -> bool:
        return any(
            p.channel_id == channel_id and p.status == "claimed" and p.claimed_at >= since
            for p in self.d.posts
        )

    def _posted(self) -> list[DailyPost]:
        return [p for p in self.d.posts if p.status == "posted" and p.reveal_at is not None]

    async def due_reveals(self, now: datetime, limit: int = 200) -> list[DailyPost]:
        due = [p for p in self._posted() if p.reveal_at and p.reveal_at <= now]
        return sorted(due, key=lambda p: p.reveal_at or now)[:limit]

    async def next_reveal_after(self, moment: datetime) -> datetime | None:
        return min((p.reveal_at for p in self._posted() if p.reveal_at > moment), default=None)  # type: ignore[operator]


class Claims(Repo):
    async def places(
        self, schedule_ids: Collection[int]
    ) -> dict[int, tuple[Schedule, Channel, Workspace]]:
        channels = {c.id: c for c in self.d.channels}
        workspaces = {w.id: w for w in self.d.workspaces}
        found = {}
        for s in self.d.schedules:
            if s.id in schedule_ids:
                channel = channels[s.channel_id]
                found[s.id] = (s, channel, workspaces[channel.workspace_id])
        return found

    async def existing(self, keys: Collection[ClaimKey]) -> dict[ClaimKey, DailyPost]:
        return {k: p for p in self.d.posts if (k := (p.schedule_id, p.local_date)) in keys}

    async def question_counts(self, channel_ids: Collection[int]) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {c: {} for c in channel_ids}
        for p in self.d.posts:
            if p.channel_id in counts:
                counts[p.channel_id][p.question_id] = counts[p.channel_id].get(p.question_id, 0) + 1
        return counts

    async def claim_many(
        self, claims: Sequence[NewClaim], claimer: str, now: datetime
    ) -> dict[ClaimKey, int]:
        taken = {(p.schedule_id, p.local_date) for p in self.d.posts}
        inserted: dict[ClaimKey, int] = {}
        for c in claims:
            key = (c.schedule_id, c.local_date)
            if key not in taken:
                post_id = self.next_id("daily_posts")
                post = DailyPost(
                    post_id, c.schedule_id, c.channel_id, c.local_date, c.question_id, "claimed",
                    claimer, now,
                )  # fmt: skip
                self.d.posts.append(post)
                taken.add(key)
                inserted[key] = post.id
        return inserted

    async def take_over_many(
        self, post_ids: Collection[int], stale_before: datetime, claimer: str, now: datetime
    ) -> set[int]:
        taken = set()
        for p in self.d.posts:
            if p.id in post_ids and p.status == "claimed" and p.claimed_at < stale_before:
                p.claimed_by, p.claimed_at = claimer, now
                taken.add(p.id)
        return taken

    async def renew(self, post_id: int, claimer: str, now: datetime) -> bool:
        post = first(p for p in self.d.posts if p.id == post_id)
        if post is None or post.status != "claimed" or post.claimed_by != claimer:
            return False
        post.claimed_at = now
        return True

    async def record_posted_many(self, posts: Sequence[PostedRecord]) -> None:
        by_id = {p.id: p for p in self.d.posts}
        for sent in posts:
            post = by_id[sent.post_id]
            post.status, post.message_ref, post.thread_ref = (
                "posted",
                sent.message_ref,
                sent.thread_ref,
            )
            post.posted_at, post.reveal_at = sent.posted_at, sent.reveal_at


class DailyAnswers(Repo):
    async def claim_events(
        self, platform: str, event_ids: Collection[str], now: datetime
    ) -> set[str]:
        return {e for e in sorted(set(event_ids)) if self.claim_event(platform, e)}

    async def release_events(self, platform: str, event_ids: Collection[str]) -> None:
        self.d.events -= {(platform, e) for e in event_ids}

    async def users(
        self, workspace_id: int, people: dict[str, str], now: datetime
    ) -> dict[str, int]:
        return {ext: self.user(workspace_id, ext, name).id for ext, name in people.items()}

    async def posts(self, post_ids: Collection[int]) -> dict[int, PostFacts]:
        days = {s.id: s.days for s in self.d.schedules}
        return {
            p.id: PostFacts(
                p.id, p.channel_id, p.question_id, p.status, p.local_date, days.get(p.schedule_id)
            )
            for p in self.d.posts
            if p.id in post_ids
        }

    async def schedule_days(self, schedule_id: int) -> str | None:
        return first(s.days for s in self.d.schedules if s.id == schedule_id)  # type: ignore[no-any-return]

    async def earlier_answers(
        self, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], EarlierAnswer]:
        return {
            k: EarlierAnswer(a.id, a.answer_rank)
            for a in self.d.answers
            if a.counted and a.daily_post_id is not None
            and (k := (a.daily_post_id, a.user_id)) in keys
        }  # fmt: skip

    async def take_ranks(self, post_id: int, count: int) -> int:
        post = first(p for p in self.d.posts if p.id == post_id)
        post.answerers += count
        return int(post.answerers) - count

    async def uncount(self, answer_ids: Collection[int]) -> None:
        for a in self.d.answers:
            if a.id in answer_ids:
                a.uncount()

    async def channel_groups(self, channel_ids: Collection[int]) -> dict[int, int]:
        return {
            g.channel_id: g.id
            for g in self.d.groups
            if g.channel_id is not None and g.channel_id in channel_ids
        }

    async def join(self, members: Collection[tuple[int, int]], now: datetime) -> None:
        self.d.members |= set(members)

    async def lock_streaks(self, user_ids: Collection[int], now: datetime) -> list[StreakRow]:
        have = {(s.group_id, s.user_id): s for s in self.d.streaks}
        rows = []
        for group_id, user_id in sorted(self.d.members):
            if user_id in user_ids:
                streak = have.get((group_id, user_id))
                if streak is None:
                    streak = Streak(group_id, user_id)
                    self.d.streaks.append(streak)
                rows.append(
                    StreakRow(
                        group_id,
                        user_id,
                        streak.current,
                        streak.longest,
                        streak.freezes,
                        streak.last_day,
                    )
                )
        return rows

    async def save_streaks(self, updates: Sequence[StreakUpdate]) -> None:
        have = {(s.group_id, s.user_id): s for s in self.d.streaks}
        for u in updates:
            streak = have[(u.group_id, u.user_id)]
            streak.current, streak.longest, streak.freezes = u.current, u.longest, u.freezes
            streak.last_day, streak.schedule_days = u.last_day, u.schedule_days

    async def add_answers(self, answers: Iterable[AnswerRecord]) -> None:
        for answer in answers:
            self.add_answer(answer)
