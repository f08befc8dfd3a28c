"""Pair sides keep the bot's grade of the follow-up answer beside that of the main answer

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair_sides") as batch:
        batch.add_column(sa.Column("follow_up_score", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pair_sides") as batch:
        batch.drop_column("follow_up_score")
