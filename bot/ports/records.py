"""The records the engine reads and changes, in its own terms.

Storage hands these out and keeps track of them: a change the engine makes to a record inside
a unit of work is saved when that unit commits. The protocols name only what the engine uses;
the plain dataclasses are values that storage builds from its fast, set-based queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol

from bot.grading.result import GradeResult
from bot.ports.pair_records import PairCounts as PairCounts
from bot.ports.pair_records import PairRequest as PairRequest
from bot.ports.pair_records import PairSession as PairSession
from bot.ports.pair_records import PairSide as PairSide

MAX_STORED_ANSWER = 40_000  # characters of an answer's text that are kept


class Workspace(Protocol):
    id: int
    platform: str
    external_id: str


class Channel(Protocol):
    id: int
    workspace_id: int
    external_id: str
    name: str


class User(Protocol):
    id: int
    external_id: str
    display_name: str


class Round(Protocol):
    id: int
    channel_id: int
    user_id: int
    status: str
    mode: str
    topic: str | None
    planned_count: int
    current_position: int
    thread_ref: str | None
    intro_message_ref: str | None
    started_at: datetime
    last_activity_at: datetime
    finished_at: datetime | None


class RoundQuestion(Protocol):
    id: int
    position: int
    question_id: str
    status: str
    awaiting: str
    follow_up_index: int | None
    hints_used: int
    score: int | None
    follow_up_score: int | None
    asked_at: datetime | None


class Schedule(Protocol):
    id: int
    channel_id: int
    post_time: str
    timezone: str
    days: str
    topics: list[str]
    packs: list[str]
    stages: list[str] | None  # None or empty: theory, system design and coding
    difficulty: str | None
    reveal_time: str | None
    enabled: bool
    updated_at: datetime


class ScheduleTiming(NamedTuple):
    """When a schedule posts, and whether it does: all that its cron job and the catch-up read.

    A plain tuple, so storage hands out ten thousand of them at start for little more than the
    cost of reading the rows, where whole schedule records cost a tracked object each.
    """

    id: int
    post_time: str
    timezone: str
    days: str
    enabled: bool


class DailyPost(Protocol):
    id: int
    schedule_id: int
    channel_id: int
    local_date: date
    question_id: str
    status: str
    thread_ref: str | None
    revealed_at: datetime | None


class StudyGroup(Protocol):
    id: int
    name: str
    timezone: str


class Streak(Protocol):
    user_id: int
    current: int
    longest: int
    freezes: int
    last_day: date | None
    schedule_days: str


class Answer(Protocol):
    question_id: str
    daily_post_id: int | None
    is_follow_up: bool
    text: str
    score: int
    points: int
    counted: bool
    covered: list[str]
    missed: list[str]
    advice: str
    submitted_at: datetime


def exported_answer(answer: Answer) -> dict[str, Any]:
    """An answer as both exports write it (a person's own data, a workspace's history); each
    adds the keys only it has, and the person's export renames is_follow_up to follow_up."""
    return {
        "question_id": answer.question_id,
        "kind": "daily" if answer.daily_post_id is not None else "mock",
        "is_follow_up": answer.is_follow_up,
        "text": answer.text,
        "score": answer.score,
        "points": answer.points,
        "counted": answer.counted,
        "covered": list(answer.covered),
        "missed": list(answer.missed),
        "advice": answer.advice,
        # Rows still in a session may carry another offset than the stored UTC value.
        "created_at": answer.submitted_at.astimezone(UTC).isoformat(),
    }


class QuestionPack(Protocol):
    name: str
    files: list[dict[str, str]]


@dataclass(frozen=True)
class Identity:
    """Internal ids of the workspace, channel and user an event came from."""

    workspace_id: int
    channel_id: int
    user_id: int


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
    """A streak as a daily batch reads it, locked until the batch commits."""

    group_id: int
    user_id: int
    current: int
    longest: int
    freezes: int
    last_day: date | None


@dataclass(frozen=True)
class StreakUpdate:
    """New values for one (group, user) streak."""

    group_id: int
    user_id: int
    current: int
    longest: int
    freezes: int
    last_day: date | None
    schedule_days: str
    updated_at: datetime


@dataclass(frozen=True)
class EarlierAnswer:
    id: int
    answer_rank: int | None


@dataclass(frozen=True)
class NewClaim:
    schedule_id: int
    channel_id: int
    local_date: date
    question_id: str


@dataclass(frozen=True)
class PostedRecord:
    """A sent daily post, to be marked posted."""

    post_id: int
    message_ref: str
    thread_ref: str | None
    posted_at: datetime
    reveal_at: datetime


@dataclass(frozen=True)
class LeaderRow:
    user_id: int
    name: str
    points: int
    answers: int
    reached_at: datetime


@dataclass(frozen=True)
class AnswerSummary:
    answers: int
    mean_score: float | None
    points: int


@dataclass(frozen=True)
class RecentAnswer:
    question_id: str
    score: int
    points: int
    kind: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One graded answer as it is kept, from a mock round or a daily post alike."""

    user_id: int
    channel_id: int
    question_id: str
    source: str  # mock | daily
    text: str
    score: int
    points: int
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    advice: str
    event_ref: str | None
    submitted_at: datetime
    round_question_id: int | None = None
    daily_post_id: int | None = None
    is_follow_up: bool = False
    answer_rank: int | None = None
    counted: bool = False

    @classmethod
    def graded(
        cls,
        ids: Identity,
        question_id: str,
        source: str,
        text: str,
        result: GradeResult,
        *,
        score: int,
        points: int,
        event_ref: str | None,
        now: datetime,
        round_question_id: int | None = None,
        daily_post_id: int | None = None,
        is_follow_up: bool = False,
        answer_rank: int | None = None,
        counted: bool = False,
    ) -> AnswerRecord:
        """The one way an answer is recorded: its text cut to what is kept."""
        return cls(
            user_id=ids.user_id,
            channel_id=ids.channel_id,
            question_id=question_id,
            source=source,
            text=text[:MAX_STORED_ANSWER],
            score=score,
            points=points,
            covered=result.covered,
            missed=result.missed,
            advice=result.advice,
            event_ref=event_ref,
            submitted_at=now,
            round_question_id=round_question_id,
            daily_post_id=daily_post_id,
            is_follow_up=is_follow_up,
            answer_rank=answer_rank,
            counted=counted,
        )


@dataclass(frozen=True)
class UserData:
    """Everything kept about one user, for a copy on request."""

    answers: Sequence[Answer]
    streaks: Sequence[tuple[Streak, str]]  # with the group's name
    groups: Sequence[str]
    rounds: Sequence[Round]
    reviews: Sequence[ReviewCard] = ()


@dataclass(frozen=True)
class Deleted:
    """How much of a user's data a deletion removed."""

    answers: int
    streaks: int
    groups: int


@dataclass(frozen=True)
class DueQuestions:
    """A user's due review cards as a round starts them: how many, and the first few."""

    total: int
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReviewCard:
    """One (user, question) card of spaced review, as FSRS left it after the last answer."""

    user_id: int
    question_id: str
    due: datetime
    stability: float
    difficulty: float
    reps: int  # graded answers so far, the first included
    lapses: int  # later answers that scored under the retention mark
    last_score: int
    last_missed: tuple[str, ...] = ()
    last_review: datetime | None = None


@dataclass(frozen=True)
class ReviewSummary:
    """A user's review cards at a glance: what is due, and how much was kept."""

    cards: int
    due_now: int
    due_soon: int  # due before the end of the window asked for (a week, for stats)
    reviews: int  # answers to a card after its first
    kept: int  # of those, the ones that scored at or above the retention mark


@dataclass(frozen=True)
class ReviewReminder:
    """A user's daily nudge: local time and zone, and the next moment it fires."""

    user_id: int
    remind_at: str
    timezone: str
    next_at: datetime


@dataclass(frozen=True)
class NudgeTarget:
    """A reminder that fell due, with where its direct message goes."""

    reminder: ReviewReminder
    platform: str
    workspace: str  # the platform's workspace id
    user: str  # the platform's user id


@dataclass(frozen=True)
class InboxItem:
    """An acknowledged inbound event, kept until it has been handled.

    `key` is the platform's own id for the event (unique per platform), `kind` tells the
    adapter how to read `payload` (its own JSON text), `attempts` counts the leases taken.
    `replies` (JSON text) is set once the event's changes are committed: what is still owed
    to the user, so the item is only sent, never handled again.
    """

    platform: str
    key: str
    kind: str
    payload: str
    received_at: datetime
    attempts: int = 0
    replies: str | None = None
