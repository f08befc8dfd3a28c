"""The rows an in-memory database keeps: plain dataclasses shaped like the engine's records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.ports.records import AnswerRecord, InboxItem, ReviewCard, ReviewReminder
from tests.support.memory.pairs import PairData


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


@dataclass
class Answer:
    """A kept answer: its record and an id; reads fall through to the record's fields."""

    id: int
    record: AnswerRecord

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "record":  # copying looks these up on a bare object
            raise AttributeError(name)
        return getattr(self.record, name)

    def uncount(self) -> None:
        """Replaced by a later answer: it no longer counts or earns."""
        self.record = replace(self.record, counted=False, points=0)


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
class DailyPost:
    id: int
    schedule_id: int
    channel_id: int
    local_date: date
    question_id: str
    status: str
    claimed_by: str
    claimed_at: datetime
    message_ref: str | None = None
    thread_ref: str | None = None
    posted_at: datetime | None = None
    reveal_at: datetime | None = None
    revealed_at: datetime | None = None
    answerers: int = 0


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
    posts: list[DailyPost] = field(default_factory=list)
    groups: list[StudyGroup] = field(default_factory=list)
    members: set[tuple[int, int]] = field(default_factory=set)
    streaks: list[Streak] = field(default_factory=list)
    packs: list[Pack] = field(default_factory=list)
    counters: dict[tuple[str, str, datetime], int] = field(default_factory=dict)
    cards: dict[tuple[int, str], ReviewCard] = field(default_factory=dict)
    reminders: dict[int, ReviewReminder] = field(default_factory=dict)
    nudges: set[tuple[int, date]] = field(default_factory=set)
    pairs: PairData = field(default_factory=PairData)
    inbox: dict[tuple[str, str], tuple[InboxItem, datetime]] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)  # by table, as autoincrement


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


class Repo:
    def __init__(self, data: Data) -> None:
        self.d = data

    def next_id(self, table: str) -> int:
        self.d.last_ids[table] = self.d.last_ids.get(table, 0) + 1
        return self.d.last_ids[table]

    def add_answer(self, record: AnswerRecord) -> None:
        self.d.answers.append(Answer(self.next_id("answers"), record))

    def user(self, workspace_id: int, external_id: str, display_name: str) -> User:
        """The workspace's user, created on first sight and renamed when a name is given."""
        found: User | None = first(
            u
            for u in self.d.users
            if (u.workspace_id, u.external_id) == (workspace_id, external_id)
        )
        if found is None:
            found = User(self.next_id("users"), workspace_id, external_id, display_name)
            self.d.users.append(found)
        found.display_name = display_name or found.display_name
        return found

    def claim_event(self, platform: str, event_id: str) -> bool:
        if (platform, event_id) in self.d.events:
            return False
        self.d.events.add((platform, event_id))
        return True
