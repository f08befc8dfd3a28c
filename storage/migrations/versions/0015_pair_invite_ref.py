"""Pair requests keep the reference of the invitation's direct message, so it can be edited
when the invitation ends

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair_requests") as batch:
        batch.add_column(sa.Column("invite_ref", sa.String(400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pair_requests") as batch:
        batch.drop_column("invite_ref")
