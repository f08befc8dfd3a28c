"""Pair sessions: the pairing queue, peer interview sessions, their sides, and blocks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user(
    table: str, name: str, ondelete: str = "SET NULL", nullable: bool = True
) -> sa.Column[int]:
    return sa.Column(
        name,
        _ID,
        sa.ForeignKey("users.id", name=f"fk_{table}_{name}_users", ondelete=ondelete),
        nullable=nullable,
    )


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "pair_sessions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        _user("pair_sessions", "user_a_id"),
        _user("pair_sessions", "user_b_id"),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("difficulty", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("thread_ref", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("pair_sessions", "workspace_id", "workspaces"),
        _fk("pair_sessions", "channel_id", "channels"),
        sa.PrimaryKeyConstraint("id", name="pk_pair_sessions"),
    )
    op.create_index("ix_pair_sessions_thread", "pair_sessions", ["channel_id", "thread_ref"])
    op.create_index(
        "ix_pair_sessions_status_activity", "pair_sessions", ["status", "last_activity_at"]
    )
    op.create_table(
        "pair_requests",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", _ID, nullable=False),
        sa.Column("channel_id", _ID, nullable=False),
        _user("pair_requests", "user_id", "CASCADE", nullable=False),
        sa.Column("group_id", _ID, nullable=True),
        sa.Column("topic", sa.String(length=80), nullable=True),
        sa.Column("difficulty", sa.String(length=16), nullable=True),
        _user("pair_requests", "invitee_id", "CASCADE"),
        _user("pair_requests", "partner_id"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("session_id", _ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _fk("pair_requests", "workspace_id", "workspaces"),
        _fk("pair_requests", "channel_id", "channels"),
        _fk("pair_requests", "group_id", "study_groups"),
        _fk("pair_requests", "session_id", "pair_sessions", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_pair_requests"),
    )
    op.create_index(
        "uq_pair_requests_waiting_per_user",
        "pair_requests",
        ["workspace_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'waiting'"),
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_index(
        "ix_pair_requests_queue", "pair_requests", ["workspace_id", "status", "created_at"]
    )
    op.create_table(
        "pair_sides",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("session_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _user("pair_sides", "interviewer_id"),
        _user("pair_sides", "candidate_id"),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("follow_up_index", sa.Integer(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("follow_up_text", sa.Text(), nullable=False),
        sa.Column("bot_score", sa.Integer(), nullable=True),
        sa.Column("bot_covered", sa.JSON(), nullable=False),
        sa.Column("bot_partly", sa.JSON(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("candidate_points", sa.Integer(), nullable=False),
        sa.Column("interviewer_points", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _fk("pair_sides", "session_id", "pair_sessions"),
        sa.PrimaryKeyConstraint("id", name="pk_pair_sides"),
        sa.UniqueConstraint("session_id", "position", name="uq_pair_sides_session_id_position"),
    )
    op.create_index("ix_pair_sides_interviewer", "pair_sides", ["interviewer_id"])
    op.create_index("ix_pair_sides_candidate", "pair_sides", ["candidate_id"])
    op.create_table(
        "pair_blocks",
        _user("pair_blocks", "user_id", "CASCADE", nullable=False),
        _user("pair_blocks", "blocked_id", "CASCADE", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "blocked_id", name="pk_pair_blocks"),
    )


def downgrade() -> None:
    op.drop_table("pair_blocks")
    op.drop_table("pair_sides")
    op.drop_table("pair_requests")
    op.drop_table("pair_sessions")
