"""Schedules by last change: each replica's sweep asks for the schedules changed since its last

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_schedules_updated_at", "schedules", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_schedules_updated_at", table_name="schedules")
