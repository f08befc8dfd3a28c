"""An in-memory unit of work: the engine's storage port without a database.

Each unit works on a copy of the data and hands it back on commit, so an event that fails
changes nothing, as with a transaction. It keeps what mock rounds, groups, boards, stats,
privacy and schedules need; the daily fan-out and its set-based writes stay with the SQL
tests (a daily post can only come from there, so here there is never one).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from bot.ports.records import (
    AnswerRecord,
    AnswerSummary,
    Deleted,
    EarlierAnswer,
    Identity,
    InboxItem,
    LeaderRow,
    NewClaim,
    PostedRecord,
    PostFacts,
    RecentAnswer,
    StreakRow,
    StreakUpdate,
    UserData,
)
from bot.ports.storage import ClaimKey, Conflict

OPEN = ("active", "paused")


@dataclass
class Workspace:
    id: int
    platform: str
    external_id: str


@dataclass
class Channel:
    id: int
    workspace_id: int
    external_id: str
    name: str


@dataclass
class User:
    id: int
    workspace_id: int
    external_id: str
    display_name: str


@dataclass
class Round:
    id: int
    channel_id: int
    user_id: int
    status: str
    mode: str
    topic: str | None
    difficulty: str | None
    planned_count: int
    started_at: datetime
    last_activity_at: datetime
    current_position: int = 0
    thread_ref: str | None = None
    intro_message_ref: str | None = None
    finished_at: datetime | None = None
    version: int = 1


@dataclass
class RoundQuestion:
    id: int
    round_id: int
    position: int
    question_id: str
    topic: str
    status: str = "pending"
    awaiting: str = "answer"
    follow_up_index: int | None = None
    hints_used: int = 0
    score: int | None = None
    follow_up_score: int | None = None
    asked_at: datetime | None = None


Answer = AnswerRecord  # a kept answer is its record


@dataclass
class Schedule:
    id: int
    channel_id: int
    created_at: datetime
    updated_at: datetime
    post_time: str = ""
    timezone: str = ""
    days: str = ""
    topics: list[str] = field(default_factory=list)
    packs: list[str] = field(default_factory=list)
    stages: list[str] | None = None
    difficulty: str | None = None
    reveal_time: str | None = None
    enabled: bool = True


@dataclass
class StudyGroup:
    id: int
    workspace_id: int
    name: str
    channel_id: int | None
    timezone: str


@dataclass
class Streak:
    group_id: int
    user_id: int
    current: int = 0
    longest: int = 0
    freezes: int = 0
    last_day: date | None = None
    schedule_days: str = ""


@dataclass
class Pack:
    workspace_id: int
    name: str
    files: list[dict[str, str]]
    question_count: int
    imported_at: datetime


@dataclass
class Data:
    workspaces: list[Workspace] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    questions: list[RoundQuestion] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    events: set[tuple[str, str]] = field(default_factory=set)
    schedules: list[Schedule] = field(default_factory=list)
    groups: list[StudyGroup] = field(default_factory=list)
    members: set[tuple[int, int]] = field(default_factory=set)
    streaks: list[Streak] = field(default_factory=list)
    packs: list[Pack] = field(default_factory=list)
    counters: dict[tuple[str, str, datetime], int] = field(default_factory=dict)
    inbox: dict[tuple[str, str], tuple[InboxItem, datetime]] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1))


def _first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


class _Repo:
    def __init__(self, data: Data) -> None:
        self.d = data

    def next_id(self) -> int:
        return int(next(self.d.ids))


class Directory(_Repo):
    async def workspace(self, platform: str, external_id: str, now: datetime) -> int:
        found = _first(
            w for w in self.d.workspaces if (w.platform, w.external_id) == (platform, external_id)
        )
        if found is None:
            found = Workspace(self.next_id(), platform, external_id)
            self.d.workspaces.append(found)
        return int(found.id)

    async def channel(self, workspace_id: int, external_id: str, name: str, now: datetime) -> int:
        found = _first(
            c
            for c in self.d.channels
            if (c.workspace_id, c.external_id) == (workspace_id, external_id)
        )
        if found is None:
            found = Channel(self.next_id(), workspace_id, external_id, name)
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
        found = _first(
            u for u in self.d.users if (u.workspace_id, u.external_id) == (workspace_id, user)
        )
        if found is None:
            found = User(self.next_id(), workspace_id, user, display_name)
            self.d.users.append(found)
        found.display_name = display_name or found.display_name
        return Identity(workspace_id, channel_id, found.id)

    async def get_user(self, user_id: int) -> User | None:
        return _first(u for u in self.d.users if u.id == user_id)  # type: ignore[no-any-return]

    async def get_channel(self, channel_id: int) -> Channel | None:
        return _first(c for c in self.d.channels if c.id == channel_id)  # type: ignore[no-any-return]

    async def get_workspace(self, workspace_id: int) -> Workspace | None:
        return _first(w for w in self.d.workspaces if w.id == workspace_id)  # type: ignore[no-any-return]

    async def find_user(self, workspace_id: int, who: str) -> User | None:
        mine = [u for u in self.d.users if u.workspace_id == workspace_id]
        return _first(u for u in mine if u.external_id == who) or _first(  # type: ignore[no-any-return]
            u for u in mine if u.display_name.lower() == who.lower()
        )


class Rounds(_Repo):
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
            self.next_id(), channel_id, user_id, "active", mode, topic, difficulty,
            planned_count, now, now,
        )  # fmt: skip
        self.d.rounds.append(round_)
        return round_

    def add_question(self, round_id: int, position: int, question_id: str, topic: str) -> None:
        self.d.questions.append(
            RoundQuestion(self.next_id(), round_id, position, question_id, topic)
        )

    async def take(self, round_: Any, now: datetime) -> None:
        round_.status = "active"
        round_.last_activity_at = now
        round_.version += 1

    async def flush(self) -> None:
        return None

    async def get(self, round_id: int) -> Round | None:
        return _first(r for r in self.d.rounds if r.id == round_id)  # type: ignore[no-any-return]

    async def open_for(self, channel_id: int, user_id: int) -> Round | None:
        return _first(  # type: ignore[no-any-return]
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


class Answers(_Repo):
    def add(self, answer: AnswerRecord) -> None:
        self.d.answers.append(answer)

    async def best_scores(self, user_id: int) -> dict[str, int]:
        best: dict[str, int] = {}
        for a in self.d.answers:
            if a.user_id == user_id and not a.is_follow_up:
                best[a.question_id] = max(best.get(a.question_id, 0), a.score)
        return best

    async def counted_for_post(self, daily_post_id: int) -> list[tuple[Any, Any]]:
        return []


class Events(_Repo):
    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        if (platform, event_id) in self.d.events:
            return False
        self.d.events.add((platform, event_id))
        return True


class Schedules(_Repo):
    async def for_channel(self, channel_id: int) -> Schedule | None:
        return _first(s for s in self.d.schedules if s.channel_id == channel_id)  # type: ignore[no-any-return]

    async def get(self, schedule_id: int) -> Schedule | None:
        return _first(s for s in self.d.schedules if s.id == schedule_id)  # type: ignore[no-any-return]

    def new(self, channel_id: int, now: datetime) -> Schedule:
        schedule = Schedule(self.next_id(), channel_id, now, now)
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

    async def enabled(self) -> list[Schedule]:
        return sorted((s for s in self.d.schedules if s.enabled), key=lambda s: s.id)


class NoDailyPosts(_Repo):
    """Daily posts come from the SQL fan-out only; here there are none."""

    async def get(self, post_id: int) -> None:
        return None

    async def for_day(self, schedule_id: int, local_date: date) -> None:
        return None

    async def by_thread(self, channel_id: int, thread_ref: str) -> None:
        return None

    async def claims_on(self, days: set[date]) -> dict[ClaimKey, tuple[str, datetime]]:
        return {}

    async def being_posted(self, channel_id: int, since: datetime) -> bool:
        return False

    async def due_reveals(self, now: datetime, limit: int = 200) -> list[Any]:
        return []

    async def next_reveal_after(self, moment: datetime) -> datetime | None:
        return None


class NoClaims(_Repo):
    async def places(self, schedule_ids: Collection[int]) -> Mapping[int, Any]:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def existing(self, keys: Collection[ClaimKey]) -> Mapping[ClaimKey, Any]:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def question_counts(self, channel_ids: Collection[int]) -> dict[int, dict[str, int]]:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def claim_many(
        self, claims: Sequence[NewClaim], claimer: str, now: datetime
    ) -> dict[ClaimKey, int]:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def take_over_many(
        self, post_ids: Collection[int], stale_before: datetime, claimer: str, now: datetime
    ) -> set[int]:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def renew(self, post_id: int, claimer: str, now: datetime) -> bool:
        raise NotImplementedError("the daily fan-out is tested on SQL")

    async def record_posted_many(self, posts: Sequence[PostedRecord]) -> None:
        raise NotImplementedError("the daily fan-out is tested on SQL")


class NoDailyAnswers(_Repo):
    """Batched daily answers need a daily post, which only SQL has."""

    async def claim_events(
        self, platform: str, event_ids: Collection[str], now: datetime
    ) -> set[str]:
        raise NotImplementedError("daily answers are tested on SQL")

    async def release_events(self, platform: str, event_ids: Collection[str]) -> None:
        raise NotImplementedError("daily answers are tested on SQL")

    async def users(
        self, workspace_id: int, people: dict[str, str], now: datetime
    ) -> dict[str, int]:
        raise NotImplementedError("daily answers are tested on SQL")

    async def posts(self, post_ids: Collection[int]) -> dict[int, PostFacts]:
        return {}

    async def schedule_days(self, schedule_id: int) -> str | None:
        raise NotImplementedError("daily answers are tested on SQL")

    async def earlier_answers(
        self, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], EarlierAnswer]:
        raise NotImplementedError("daily answers are tested on SQL")

    async def take_ranks(self, post_id: int, count: int) -> int:
        raise NotImplementedError("daily answers are tested on SQL")

    async def uncount(self, answer_ids: Collection[int]) -> None:
        raise NotImplementedError("daily answers are tested on SQL")

    async def channel_groups(self, channel_ids: Collection[int]) -> dict[int, int]:
        raise NotImplementedError("daily answers are tested on SQL")

    async def join(self, members: Collection[tuple[int, int]], now: datetime) -> None:
        raise NotImplementedError("daily answers are tested on SQL")

    async def lock_streaks(self, user_ids: Collection[int], now: datetime) -> list[StreakRow]:
        raise NotImplementedError("daily answers are tested on SQL")

    async def save_streaks(self, updates: Sequence[StreakUpdate]) -> None:
        raise NotImplementedError("daily answers are tested on SQL")

    async def add_answers(self, answers: Iterable[AnswerRecord]) -> None:
        raise NotImplementedError("daily answers are tested on SQL")


class Groups(_Repo):
    async def create(
        self, workspace_id: int, name: str, channel_id: int | None, timezone: str, now: datetime
    ) -> StudyGroup:
        if await self.by_name(workspace_id, name) is not None:
            raise Conflict(f"group {name!r} exists")
        group = StudyGroup(self.next_id(), workspace_id, name, channel_id, timezone)
        self.d.groups.append(group)
        return group

    async def by_name(self, workspace_id: int, name: str) -> StudyGroup | None:
        return _first(  # type: ignore[no-any-return]
            g for g in self.d.groups if (g.workspace_id, g.name) == (workspace_id, name)
        )

    async def for_channel(self, channel_id: int) -> StudyGroup | None:
        return _first(g for g in self.d.groups if g.channel_id == channel_id)  # type: ignore[no-any-return]

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


class Streaks(_Repo):
    async def of_group(self, group_id: int) -> list[Streak]:
        return [s for s in self.d.streaks if s.group_id == group_id]

    async def of_user(self, user_id: int) -> list[tuple[Streak, StudyGroup]]:
        groups = {g.id: g for g in self.d.groups}
        mine = sorted((s for s in self.d.streaks if s.user_id == user_id), key=lambda s: s.group_id)
        return [(s, groups[s.group_id]) for s in mine]


class Packs(_Repo):
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
        old = _first(p for p in self.d.packs if (p.workspace_id, p.name) == (workspace_id, name))
        if old is not None:
            self.d.packs.remove(old)
        self.d.packs.append(Pack(workspace_id, name, files, count, now))
        return old is not None


class Stats(_Repo):
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
        mine = sorted(self._mine(user_id), key=lambda a: a.submitted_at, reverse=True)[:limit]
        return [
            RecentAnswer(
                a.question_id,
                a.score,
                a.points,
                "daily" if a.daily_post_id else "mock",
                a.submitted_at,
            )
            for a in mine
        ]

    async def answer_times(self, user_id: int, since: datetime) -> list[datetime]:
        return [a.submitted_at for a in self._mine(user_id) if a.submitted_at >= since]


class People(_Repo):
    async def data_of(self, user_id: int) -> UserData:
        names = {g.id: g.name for g in self.d.groups}
        return UserData(
            answers=sorted(
                (a for a in self.d.answers if a.user_id == user_id), key=lambda a: a.submitted_at
            ),
            streaks=[(s, names[s.group_id]) for s in self.d.streaks if s.user_id == user_id],
            groups=[names[g] for g, u in sorted(self.d.members) if u == user_id],
            rounds=[r for r in self.d.rounds if r.user_id == user_id],
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
        return deleted


class Limits(_Repo):
    async def hit(self, scope_key: str, action: str, window_start: datetime) -> int:
        key = (scope_key, action, window_start)
        self.d.counters[key] = self.d.counters.get(key, 0) + 1
        return self.d.counters[key]

    async def give_back(self, scope_key: str, action: str, window_start: datetime) -> None:
        self.d.counters[(scope_key, action, window_start)] -= 1


class Inbox(_Repo):
    """Items by (platform, key), each with the end of its lease."""

    async def add(self, items: Sequence[InboxItem], lease_until: datetime) -> None:
        for item in items:
            self.d.inbox.setdefault((item.platform, item.key), (item, lease_until))

    async def remove(self, keys: Collection[tuple[str, str]]) -> None:
        for key in keys:
            self.d.inbox.pop(key, None)

    async def renew(self, keys: Collection[tuple[str, str]], until: datetime) -> None:
        for key in keys:
            if key in self.d.inbox:
                self.d.inbox[key] = (self.d.inbox[key][0], until)

    async def hold_replies(self, platform: str, replies: Mapping[str, str]) -> None:
        for key, text in replies.items():
            if (platform, key) in self.d.inbox:
                held, lease = self.d.inbox[(platform, key)]
                self.d.inbox[(platform, key)] = (replace(held, replies=text), lease)

    async def lease(
        self, platforms: Collection[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        due = sorted(
            (item for item, lease in self.d.inbox.values() if lease <= now),
            key=lambda item: item.received_at,
        )
        taken = [item for item in due if item.platform in platforms][: max(limit, 0)]
        leased = [replace(item, attempts=item.attempts + 1) for item in taken]
        for item in leased:
            self.d.inbox[(item.platform, item.key)] = (item, until)
        return leased

    async def pending(self) -> int:
        return len(self.d.inbox)


class MemoryUnitOfWork:
    """One event's view of a MemoryDatabase: a copy of it, handed back on commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._bind(copy.deepcopy(self._database.data))
        return self

    def _bind(self, data: Data) -> None:
        self._data = data
        self.directory = Directory(data)
        self.rounds = Rounds(data)
        self.answers = Answers(data)
        self.events = Events(data)
        self.schedules = Schedules(data)
        self.daily_posts = NoDailyPosts(data)
        self.claims = NoClaims(data)
        self.daily_answers = NoDailyAnswers(data)
        self.groups = Groups(data)
        self.streaks = Streaks(data)
        self.packs = Packs(data)
        self.stats = Stats(data)
        self.people = People(data)
        self.limits = Limits(data)
        self.inbox = Inbox(data)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._database.data = self._data
        self._bind(copy.deepcopy(self._data))

    async def rollback(self) -> None:
        self._bind(copy.deepcopy(self._database.data))


class MemoryDatabase:
    """What the units of work share; call it for a fresh unit, as the engine does."""

    def __init__(self) -> None:
        self.data = Data()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
