"""Answer ranks: the early-answer order kept as a counter, not recomputed per answer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_rank", sa.Integer(), nullable=True))

    with op.batch_alter_table("daily_posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answerers", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    # Posts answered before this revision: count who answered, rank by first answer.
    op.execute(
        "UPDATE daily_posts SET answerers = (SELECT count(DISTINCT user_id) FROM answers "
        "WHERE answers.daily_post_id = daily_posts.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("daily_posts", schema=None) as batch_op:
        batch_op.drop_column("answerers")

    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("answer_rank")
