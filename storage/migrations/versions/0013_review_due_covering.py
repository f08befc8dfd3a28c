"""Review cards: the due index also carries question_id, so picking a user's due questions in
(due, question_id) order is one index-only range scan that stops at the LIMIT, with no sort
and no table reads.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_review_cards_user_due_question", "review_cards", ["user_id", "due", "question_id"]
    )
    op.drop_index("ix_review_cards_user_due", table_name="review_cards")


def downgrade() -> None:
    op.create_index("ix_review_cards_user_due", "review_cards", ["user_id", "due"])
    op.drop_index("ix_review_cards_user_due_question", table_name="review_cards")
