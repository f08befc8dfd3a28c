"""Inbox: acknowledged inbound events, kept until handled

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "event_key", name=op.f("pk_inbox")),
    )
    op.create_index("ix_inbox_lease_until", "inbox", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_inbox_lease_until", table_name="inbox")
    op.drop_table("inbox")
