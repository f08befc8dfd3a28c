"""Spaced review: cards per (user, question), daily nudges and their once-a-day claims

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _user() -> sa.Column[int]:
    return sa.Column("user_id", _ID, nullable=False)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "review_cards",
        _user(),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stability", sa.Float(), nullable=False),
        sa.Column("difficulty", sa.Float(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("last_score", sa.Integer(), nullable=False),
        sa.Column("last_missed", sa.JSON(), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        _user_fk("review_cards"),
        sa.PrimaryKeyConstraint("user_id", "question_id", name="pk_review_cards"),
    )
    # A user's due cards, most overdue first, are one range scan of this index.
    op.create_index("ix_review_cards_user_due", "review_cards", ["user_id", "due"])
    op.create_table(
        "review_reminders",
        _user(),
        sa.Column("remind_at", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("review_reminders"),
        sa.PrimaryKeyConstraint("user_id", name="pk_review_reminders"),
    )
    op.create_index("ix_review_reminders_next_at", "review_reminders", ["next_at"])
    op.create_table(
        "review_nudges",
        _user(),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("review_nudges"),
        sa.PrimaryKeyConstraint("user_id", "local_date", name="pk_review_nudges"),
    )


def downgrade() -> None:
    op.drop_table("review_nudges")
    op.drop_index("ix_review_reminders_next_at", table_name="review_reminders")
    op.drop_table("review_reminders")
    op.drop_index("ix_review_cards_user_due", table_name="review_cards")
    op.drop_table("review_cards")
