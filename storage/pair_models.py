"""Tables of peer mock interviews: the pairing queue, sessions, their sides, and blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Id, UTCDateTime


class PairRequest(Base):
    """A member waiting in a pairing queue, or inviting one member; one open per member."""

    __tablename__ = "pair_requests"
    __table_args__ = (
        Index(
            "uq_pair_requests_waiting_per_user",
            "workspace_id",
            "user_id",
            unique=True,
            sqlite_where=sql_text("status = 'waiting'"),
            postgresql_where=sql_text("status = 'waiting'"),
        ),
        Index("ix_pair_requests_queue", "workspace_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_groups.id", ondelete="CASCADE"), nullable=True
    )
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    invitee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("pair_sessions.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The invitation's direct message, so its buttons can be taken away when it ends.
    invite_ref: Mapped[str | None] = mapped_column(String(400), nullable=True)


class PairSession(Base):
    """Two members interviewing each other in one thread; user_a interviews first."""

    __tablename__ = "pair_sessions"
    __table_args__ = (
        Index("ix_pair_sessions_thread", "channel_id", "thread_ref"),
        Index("ix_pair_sessions_status_activity", "status", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    user_a_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    user_b_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    topic: Mapped[str | None] = mapped_column(String(80), nullable=True)
    difficulty: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    thread_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PairSide(Base):
    """One question set of a pair session: the interviewer's marks beside the bot's grade."""

    __tablename__ = "pair_sides"
    __table_args__ = (
        UniqueConstraint("session_id", "position"),
        Index("ix_pair_sides_interviewer", "interviewer_id"),
        Index("ix_pair_sides_candidate", "candidate_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("pair_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    question_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="asking")
    checklist: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    follow_up_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    follow_up_text: Mapped[str] = mapped_column(Text, default="")
    bot_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    follow_up_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bot_covered: Mapped[list[str]] = mapped_column(JSON, default=list)
    bot_partly: Mapped[list[str]] = mapped_column(JSON, default=list)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    candidate_points: Mapped[int] = mapped_column(Integer, default=0)
    interviewer_points: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PairBlock(Base):
    """user_id does not want to be paired with blocked_id (and so neither way)."""

    __tablename__ = "pair_blocks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
