"""Tables. Platform ids are kept as text exactly as the platform gives them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Round(Base):
    """A mock interview. At most one open (active or paused) round per user per channel."""

    __tablename__ = "rounds"
    __table_args__ = (
        Index(
            "uq_rounds_open_per_user_channel",
            "channel_id",
            "user_id",
            unique=True,
            sqlite_where=sql_text("status IN ('active', 'paused')"),
            postgresql_where=sql_text("status IN ('active', 'paused')"),
        ),
        Index("ix_rounds_thread", "channel_id", "thread_ref"),
        Index("ix_rounds_status_activity", "status", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16), default="mock")
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    planned_count: Mapped[int] = mapped_column(Integer)
    current_position: Mapped[int] = mapped_column(Integer, default=0)
    thread_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    intro_message_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Optimistic locking: two events racing on one round cannot both advance it.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoundQuestion(Base):
    __tablename__ = "round_questions"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    awaiting: Mapped[str] = mapped_column(String(16), default="answer")
    follow_up_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    follow_up_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Answer(Base):
    """Every graded answer. `counted` marks the one that earns points for a daily question."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_user_question", "user_id", "question_id"),
        Index("ix_answers_user_time", "user_id", "submitted_at"),
        Index("ix_answers_daily_post", "daily_post_id"),
        Index(
            "uq_answers_counted_per_daily_post",
            "daily_post_id",
            "user_id",
            unique=True,
            sqlite_where=sql_text("counted = 1"),
            postgresql_where=sql_text("counted"),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(16))
    round_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("round_questions.id", ondelete="CASCADE"), nullable=True
    )
    is_follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    covered: Mapped[list[str]] = mapped_column(JSON)
    missed: Mapped[list[str]] = mapped_column(JSON)
    advice: Mapped[str] = mapped_column(Text, default="")
    event_ref: Mapped[str | None] = mapped_column(String(128), nullable=True)
    daily_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("daily_posts.id", ondelete="CASCADE"), nullable=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))
    answer_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedEvent(Base):
    """Event ids already handled, so a platform's retry is answered once."""

    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboxEntry(Base):
    """An acknowledged inbound event waiting to be handled; deleted once it has been."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_lease_until", "lease_until"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[str | None] = mapped_column(Text, nullable=True)


class RateCounter(Base):
    """How often one user or channel did one limited action in one fixed window."""

    __tablename__ = "rate_counters"

    scope_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class Schedule(Base):
    """A channel's daily question: local time, zone and days; one per channel."""

    __tablename__ = "schedules"
    # Replicas ask for the schedules changed since their last sweep: this keeps that cheap.
    __table_args__ = (Index("ix_schedules_updated_at", "updated_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), unique=True
    )
    post_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    packs: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    # the stages the daily question draws from; NULL: theory, system design and coding
    stages: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reveal_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DailyPost(Base):
    """The claim on one day's post: inserted before sending, so each day posts once."""

    __tablename__ = "daily_posts"
    __table_args__ = (
        UniqueConstraint("schedule_id", "local_date"),
        Index("ix_daily_posts_thread", "channel_id", "thread_ref"),
        Index("ix_daily_posts_status_reveal", "status", "reveal_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    question_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    thread_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reveal_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answerers: Mapped[int] = mapped_column(Integer, default=0, server_default=sql_text("0"))


class StudyGroup(Base):
    """A channel with a schedule is a group (channel_id set); named groups span channels."""

    __tablename__ = "study_groups"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_user", "user_id"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("study_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Streak(Base):
    """Kept up to date answer by answer; `last_day` is the last scheduled day answered."""

    __tablename__ = "streaks"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("study_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    current: Mapped[int] = mapped_column(Integer, default=0)
    longest: Mapped[int] = mapped_column(Integer, default=0)
    freezes: Mapped[int] = mapped_column(Integer, default=0)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    schedule_days: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionPack(Base):
    """A workspace's own question pack, kept as the YAML it was imported from."""

    __tablename__ = "question_packs"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    files: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    question_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewCard(Base):
    """A (user, question) card of spaced review; FSRS sets `due` after every graded answer."""

    __tablename__ = "review_cards"
    # Covers the due-question pick: (user, due, question) in the order a review round asks.
    __table_args__ = (Index("ix_review_cards_user_due_question", "user_id", "due", "question_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    stability: Mapped[float] = mapped_column(Float)
    difficulty: Mapped[float] = mapped_column(Float)
    reps: Mapped[int] = mapped_column(Integer, default=1)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_score: Mapped[int] = mapped_column(Integer)
    last_missed: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReviewReminder(Base):
    """A user's opt-in daily nudge; `next_at` is the next moment it fires, in UTC."""

    __tablename__ = "review_reminders"
    __table_args__ = (Index("ix_review_reminders_next_at", "next_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    remind_at: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewNudge(Base):
    """The claim on one user's nudge of one local day: inserted before sending, so it goes
    out once across replicas."""

    __tablename__ = "review_nudges"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
