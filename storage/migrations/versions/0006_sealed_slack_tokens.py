"""Sealed Slack tokens: room for Fernet-sealed values, and every stored token sealed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Tokens already stored in plain text are sealed with INTERVIEW_BOT_ENCRYPTION_KEY. Where some
are stored and no key is set, the upgrade stops and says so, rather than leave them readable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.secrets import (
    KEY_VARIABLE,
    SECRET_COLUMNS,
    SecretKeyError,
    SecretSettings,
    count_plain_tokens,
    seal_stored_tokens,
)

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEALED_LENGTH = 1000
PLAIN_LENGTH = 200


def _resize(length: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return  # SQLite does not enforce VARCHAR lengths
    for table, columns in SECRET_COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.String(length=length))


def upgrade() -> None:
    _resize(SEALED_LENGTH)
    connection = op.get_bind()
    plain = count_plain_tokens(connection)
    if not plain:
        return
    box = SecretSettings().box()
    if box is None:
        raise SecretKeyError(
            f"{plain} Slack tokens are stored in plain text: set {KEY_VARIABLE} to a Fernet key "
            "(`interview-bot secrets new-key` prints one) and run the upgrade again"
        )
    seal_stored_tokens(connection, box)


def downgrade() -> None:
    connection = op.get_bind()
    box = SecretSettings().box()
    if count_plain_tokens(connection) != _count_all(connection) and box is None:
        raise SecretKeyError(f"sealed Slack tokens can only be opened with {KEY_VARIABLE} set")
    if box is not None:
        for table, columns in SECRET_COLUMNS.items():
            for column in columns:
                rows = connection.execute(
                    sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
                ).all()
                for row_id, value in rows:
                    connection.execute(
                        sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                        {"value": box.open(value), "id": row_id},
                    )
    _resize(PLAIN_LENGTH)


def _count_all(connection: sa.Connection) -> int:
    return sum(
        int(
            connection.execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL")
            ).scalar_one()
        )
        for table, columns in SECRET_COLUMNS.items()
        for column in columns
    )
