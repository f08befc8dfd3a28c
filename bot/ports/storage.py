"""What the engine needs from storage: a unit of work with repositories, and its errors.

The engine declares this; `storage` implements it over SQL, and tests fake it in memory. One
unit of work per handled event: everything it changes commits or rolls back together.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.ports.dashboard import DashboardReads
from bot.ports.pair_storage import Pairs as Pairs
from bot.ports.records import (
    Answer,
    AnswerRecord,
    AnswerSummary,
    Channel,
    DailyPost,
    Deleted,
    DueQuestions,
    EarlierAnswer,
    Identity,
    InboxItem,
    LeaderRow,
    NewClaim,
    NudgeTarget,
    PostedRecord,
    PostFacts,
    QuestionPack,
    RecentAnswer,
    ReviewCard,
    ReviewReminder,
    ReviewSummary,
    Round,
    RoundQuestion,
    Schedule,
    ScheduleTiming,
    Streak,
    StreakRow,
    StreakUpdate,
    StudyGroup,
    User,
    UserData,
    Workspace,
)

ClaimKey = tuple[int, date]  # (schedule id, local date)


class StorageError(Exception):
    """A database error, in storage's own terms."""


class Conflict(StorageError):
    """A write broke a uniqueness or reference rule: someone else got there first."""


class StaleRecord(StorageError):
    """Another event changed the same record since it was read; retry from a fresh read."""


class Unavailable(StorageError):
    """The database cannot be reached or refused to work; nothing was saved."""


class Busy(Unavailable):
    """The database's one writer stayed busy past its timeout; worth another try soon."""


# What a lost database looks like from the engine: storage's word for it, or the connection's
# own error where one escaped unwrapped.
DATABASE_DOWN = (Unavailable, OSError, TimeoutError)


class Directory(Protocol):
    async def workspace(self, platform: str, external_id: str, now: datetime) -> int: ...
    async def channel(
        self, workspace_id: int, external_id: str, name: str, now: datetime
    ) -> int: ...
    async def identify(
        self,
        platform: str,
        workspace: str,
        channel: str,
        channel_name: str,
        user: str,
        display_name: str,
        now: datetime,
    ) -> Identity: ...
    async def get_user(self, user_id: int) -> User | None: ...
    async def get_channel(self, channel_id: int) -> Channel | None: ...
    async def get_workspace(self, workspace_id: int) -> Workspace | None: ...
    async def find_user(self, workspace_id: int, who: str) -> User | None:
        """A user of the workspace by platform id or, failing that, by display name."""
        ...


class Rounds(Protocol):
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
        """A new active round; Conflict when the user already has an open one there."""
        ...

    def add_question(self, round_id: int, position: int, question_id: str, topic: str) -> None: ...
    async def take(self, round_: Round, now: datetime) -> None:
        """Mark the round active now and save it at once with a new version, so two events
        racing on it conflict here (StaleRecord) even when nothing else changes."""
        ...

    async def flush(self) -> None: ...
    async def get(self, round_id: int) -> Round | None: ...
    async def open_for(self, channel_id: int, user_id: int) -> Round | None: ...
    async def by_thread(self, channel_id: int, thread_ref: str) -> Round | None: ...
    async def questions(self, round_id: int) -> Sequence[RoundQuestion]: ...
    async def idle_since(self, cutoff: datetime, limit: int = 500) -> Sequence[Round]: ...
    async def oldest_active_activity(self) -> datetime | None: ...
    async def pause_if_idle(self, round_id: int, cutoff: datetime) -> bool: ...
    async def seen_question_ids(self, user_id: int) -> set[str]: ...


class Answers(Protocol):
    def add(self, answer: AnswerRecord) -> None: ...
    async def best_scores(self, user_id: int) -> dict[str, int]: ...
    async def counted_for_post(self, daily_post_id: int) -> Sequence[tuple[Answer, User]]: ...


class Events(Protocol):
    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen; a retry or duplicate delivery gets False."""
        ...


class Inbox(Protocol):
    """Acknowledged events waiting to be handled: kept before the ack, removed once handled."""

    async def add(self, items: Sequence[InboxItem], lease_until: datetime) -> None:
        """Keep items, leased to their receiver until lease_until; a key already kept stays."""
        ...

    async def remove(self, keys: Collection[tuple[str, str]]) -> None:
        """Forget handled items by (platform, key)."""
        ...

    async def hold_replies(self, platform: str, replies: Mapping[str, str]) -> None:
        """Note, with the changes of the events (by key) being committed, the replies they
        still owe; an event that did not come through the inbox has no item and is skipped."""
        ...

    async def held(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The replies held for these items, by (platform, key); items with none are left out."""
        ...

    async def renew(self, keys: Collection[tuple[str, str]], until: datetime) -> None:
        """Extend the leases of items their taker is still working on."""
        ...

    async def lease(
        self, platforms: Collection[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        """Take up to limit items whose lease ran out, oldest first, leased until `until`.
        Atomic: two takers never get the same item while its new lease runs."""
        ...

    async def pending(self) -> int: ...


class Schedules(Protocol):
    async def for_channel(self, channel_id: int) -> Schedule | None: ...
    async def get(self, schedule_id: int) -> Schedule | None: ...
    def new(self, channel_id: int, now: datetime) -> Schedule:
        """A schedule for the channel, saved with the unit once its fields are set."""
        ...

    async def disable_workspace(self, platform: str, external_id: str, now: datetime) -> int: ...
    async def enabled(self) -> Sequence[ScheduleTiming]:
        """The enabled schedules' timings, by id."""
        ...

    async def changed_since(self, moment: datetime | None) -> Sequence[ScheduleTiming]:
        """Every schedule (on or off) whose updated_at is at or after moment; all when None."""
        ...

    async def census(self) -> tuple[int, int, datetime | None]:
        """Enabled schedules' count and id sum, and the newest updated_at of any schedule."""
        ...


class DailyPosts(Protocol):
    async def get(self, post_id: int) -> DailyPost | None: ...
    async def for_day(self, schedule_id: int, local_date: date) -> DailyPost | None: ...
    async def by_thread(self, channel_id: int, thread_ref: str) -> DailyPost | None: ...
    async def claims_on(self, days: set[date]) -> dict[ClaimKey, tuple[str, datetime]]: ...
    async def being_posted(self, channel_id: int, since: datetime) -> bool: ...
    async def due_reveals(self, now: datetime, limit: int = 200) -> Sequence[DailyPost]: ...
    async def next_reveal_after(self, moment: datetime) -> datetime | None: ...


class Claims(Protocol):
    """Set-based claiming for the daily fan-out: many posts per statement."""

    async def places(
        self, schedule_ids: Collection[int]
    ) -> Mapping[int, tuple[Schedule, Channel, Workspace]]: ...
    async def existing(self, keys: Collection[ClaimKey]) -> Mapping[ClaimKey, DailyPost]: ...
    async def question_counts(self, channel_ids: Collection[int]) -> dict[int, dict[str, int]]: ...
    async def claim_many(
        self, claims: Sequence[NewClaim], claimer: str, now: datetime
    ) -> dict[ClaimKey, int]:
        """Insert claims; the ids of those inserted (a conflict means another holds it)."""
        ...

    async def take_over_many(
        self, post_ids: Collection[int], stale_before: datetime, claimer: str, now: datetime
    ) -> set[int]: ...
    async def renew(self, post_id: int, claimer: str, now: datetime) -> bool: ...
    async def record_posted_many(self, posts: Sequence[PostedRecord]) -> None: ...


class DailyAnswers(Protocol):
    """Set-based writes for a batch of daily answers: one statement serves the whole batch."""

    async def claim_events(
        self, platform: str, event_ids: Collection[str], now: datetime
    ) -> set[str]: ...
    async def release_events(self, platform: str, event_ids: Collection[str]) -> None: ...
    async def users(
        self, workspace_id: int, people: dict[str, str], now: datetime
    ) -> dict[str, int]: ...
    async def posts(self, post_ids: Collection[int]) -> dict[int, PostFacts]: ...
    async def schedule_days(self, schedule_id: int) -> str | None: ...
    async def earlier_answers(
        self, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], EarlierAnswer]: ...
    async def take_ranks(self, post_id: int, count: int) -> int: ...
    async def uncount(self, answer_ids: Collection[int]) -> None: ...
    async def channel_groups(self, channel_ids: Collection[int]) -> dict[int, int]: ...
    async def join(self, members: Collection[tuple[int, int]], now: datetime) -> None: ...
    async def lock_streaks(self, user_ids: Collection[int], now: datetime) -> list[StreakRow]: ...
    async def save_streaks(self, updates: Sequence[StreakUpdate]) -> None: ...
    async def add_answers(self, answers: Iterable[AnswerRecord]) -> None: ...


class Groups(Protocol):
    async def create(
        self, workspace_id: int, name: str, channel_id: int | None, timezone: str, now: datetime
    ) -> StudyGroup: ...
    async def by_name(self, workspace_id: int, name: str) -> StudyGroup | None: ...
    async def for_channel(self, channel_id: int) -> StudyGroup | None: ...
    async def in_workspace(self, workspace_id: int) -> Sequence[tuple[StudyGroup, int]]: ...
    async def of_user(self, user_id: int) -> Sequence[StudyGroup]: ...
    async def join(self, group_id: int, user_id: int, now: datetime) -> bool: ...
    async def leave(self, group_id: int, user_id: int) -> bool: ...


class Streaks(Protocol):
    async def of_group(self, group_id: int) -> Sequence[Streak]: ...
    async def of_user(self, user_id: int) -> Sequence[tuple[Streak, StudyGroup]]: ...


class Packs(Protocol):
    async def version(self, workspace_id: int) -> tuple[int, datetime | None]: ...
    async def of_workspace(self, workspace_id: int) -> Sequence[QuestionPack]: ...
    async def save(
        self, workspace_id: int, name: str, files: list[dict[str, str]], count: int, now: datetime
    ) -> bool: ...


class Stats(Protocol):
    """Read-side queries for leaderboards and personal stats."""

    async def leaderboard(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> list[LeaderRow]: ...
    async def answer_summary(self, user_id: int) -> AnswerSummary: ...
    async def mean_score_by_question(self, user_id: int) -> list[tuple[str, float, int]]: ...
    async def recent_answers(self, user_id: int, limit: int = 5) -> list[RecentAnswer]: ...
    async def answer_times(self, user_id: int, since: datetime) -> list[datetime]: ...


class People(Protocol):
    """A user's own data as a whole: a copy, or its deletion."""

    async def data_of(self, user_id: int) -> UserData: ...
    async def delete(self, user_id: int) -> Deleted: ...


class Limits(Protocol):
    async def hit(self, scope_key: str, action: str, window_start: datetime) -> int:
        """Count one attempt in the window; the count so far, this one included."""
        ...

    async def give_back(self, scope_key: str, action: str, window_start: datetime) -> None:
        """Uncount one attempt that another limit refused."""
        ...


class Reviews(Protocol):
    """Spaced-review cards and their daily nudges (bot/review)."""

    async def cards(self, keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], ReviewCard]:
        """The cards of these (user id, question id) pairs that exist, in one read."""
        ...

    async def save(self, cards: Sequence[ReviewCard]) -> None:
        """Insert or replace each card (one statement for the lot)."""
        ...

    async def due(self, user_id: int, now: datetime, limit: int) -> list[ReviewCard]:
        """The user's cards due by now, most overdue first."""
        ...

    async def due_questions(self, user_id: int, now: datetime, limit: int) -> DueQuestions:
        """How many of the user's cards are due, and the question ids of the `limit` most
        overdue: what a review round needs, in one statement off the covering index."""
        ...

    async def next_due(self, user_id: int) -> datetime | None: ...
    async def summary(self, user_id: int, now: datetime, until: datetime) -> ReviewSummary: ...
    async def due_per_day(
        self, user_id: int, start: datetime, days: int, zone: str
    ) -> list[tuple[date, int]]:
        """Cards falling due on each of the next `days` local days (overdue ones count on the
        first): the forecast the dashboard draws."""
        ...

    async def set_reminder(self, reminder: ReviewReminder) -> None: ...
    async def reminder_of(self, user_id: int) -> ReviewReminder | None: ...
    async def remove_reminder(self, user_id: int) -> bool: ...
    async def due_reminders(self, now: datetime, limit: int = 500) -> list[NudgeTarget]: ...
    async def move_reminder(self, user_id: int, after: datetime, next_at: datetime) -> None:
        """Set the next moment, unless another replica already moved it past `after`."""
        ...

    async def next_reminder_after(self, moment: datetime) -> datetime | None: ...
    async def claim_nudge(self, user_id: int, local_date: date, now: datetime) -> bool:
        """True for the one caller that claims this user's nudge of this day."""
        ...

    async def release_nudge(
        self, user_id: int, local_date: date, moved_to: datetime, retry_at: datetime | None
    ) -> None:
        """Give back a claim whose send failed; with retry_at, bring the reminder (if still
        at moved_to, where the failed sweep put it) forward so a later sweep tries again."""


class InboxUnit(Protocol):
    """A unit of work over the inbox alone: all the inbox needs, wherever its items are kept
    (the engine's database, or a file of their own)."""

    @property
    def inbox(self) -> Inbox: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...


class UnitOfWork(InboxUnit, Protocol):
    @property
    def directory(self) -> Directory: ...
    @property
    def rounds(self) -> Rounds: ...
    @property
    def answers(self) -> Answers: ...
    @property
    def events(self) -> Events: ...
    @property
    def schedules(self) -> Schedules: ...
    @property
    def daily_posts(self) -> DailyPosts: ...
    @property
    def claims(self) -> Claims: ...
    @property
    def daily_answers(self) -> DailyAnswers: ...
    @property
    def groups(self) -> Groups: ...
    @property
    def streaks(self) -> Streaks: ...
    @property
    def packs(self) -> Packs: ...
    @property
    def stats(self) -> Stats: ...
    @property
    def people(self) -> People: ...
    @property
    def limits(self) -> Limits: ...
    @property
    def reviews(self) -> Reviews: ...
    @property
    def pairs(self) -> Pairs: ...
    @property
    def dashboard(self) -> DashboardReads: ...

    async def rollback(self) -> None: ...
