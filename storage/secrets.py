"""Secrets at rest: Slack tokens are stored sealed with Fernet, never as plain text.

The key comes from INTERVIEW_BOT_ENCRYPTION_KEY: one Fernet key, or several separated by
commas while rotating. The first key seals; every key opens. A sealed value carries a prefix,
so a value written before encryption was turned on is recognised and sealed on the next pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Connection, text

KEY_VARIABLE: Final = "INTERVIEW_BOT_ENCRYPTION_KEY"
SEALED_PREFIX: Final = "fernet:"
KEY_HINT: Final = (
    f"{KEY_VARIABLE} must be a Fernet key (44 characters of URL-safe base64), or several "
    "separated by commas while rotating; `interview-bot secrets new-key` prints a fresh one"
)

# The installation store's columns that hold credentials, per table.
SECRET_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": (
        "bot_token",
        "bot_refresh_token",
        "user_token",
        "user_refresh_token",
    ),
}


class SecretKeyError(ValueError):
    """The key is missing, malformed, or does not open a stored value."""


class SecretSettings(BaseSettings):
    """The key, from the environment or `.env` like every other setting."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    encryption_key: SecretStr | None = Field(default=None, alias=KEY_VARIABLE)

    def box(self) -> SecretBox | None:
        """The configured box, or None where no key is set."""
        value = self.encryption_key.get_secret_value() if self.encryption_key else ""
        return SecretBox.from_setting(value) if value.strip() else None


def new_key() -> str:
    return Fernet.generate_key().decode()


class SecretBox:
    """Seals and opens short secrets with the configured keys."""

    def __init__(self, keys: Iterable[str]) -> None:
        fernets: list[Fernet] = []
        for key in keys:
            try:
                fernets.append(Fernet(key.strip().encode()))
            except (ValueError, TypeError):
                raise SecretKeyError(KEY_HINT) from None
        if not fernets:
            raise SecretKeyError(f"{KEY_VARIABLE} is not set: {KEY_HINT}")
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_setting(cls, value: str | None) -> SecretBox:
        return cls(part for part in (value or "").split(",") if part.strip())

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(SEALED_PREFIX)

    def seal(self, value: str) -> str:
        if self.is_sealed(value):
            return value
        return SEALED_PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str) -> str:
        """The plain secret; a value stored before sealing began is returned as it is."""
        if not self.is_sealed(value):
            return value
        try:
            return self._fernet.decrypt(value[len(SEALED_PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"a stored Slack token does not open with {KEY_VARIABLE}: keep the key it was "
                "sealed with in the list until `interview-bot secrets rotate` has run"
            ) from None

    def reseal(self, value: str) -> str:
        """Sealed with the first key, whatever key (or none) sealed it before."""
        if not self.is_sealed(value):
            return self.seal(value)
        try:
            rotated = self._fernet.rotate(value[len(SEALED_PREFIX) :].encode())
        except InvalidToken:
            self.open(value)  # raises with the explanation
            raise
        return SEALED_PREFIX + rotated.decode()

    def __repr__(self) -> str:
        return "SecretBox(<keys redacted>)"


@dataclass(frozen=True)
class SealSummary:
    sealed: int
    resealed: int


def seal_stored_tokens(connection: Connection, box: SecretBox, rotate: bool = False) -> SealSummary:
    """Seal every plain token in the installation tables; with rotate, also move every sealed
    one to the first key. Runs in the caller's transaction (a migration's, or the CLI's)."""
    sealed = resealed = 0
    for table, columns in SECRET_COLUMNS.items():
        selected = ", ".join(columns)
        rows = connection.execute(text(f"SELECT id, {selected} FROM {table}")).all()
        for row in rows:
            changes: dict[str, str] = {}
            for column, value in zip(columns, row[1:], strict=True):
                if value is None:
                    continue
                if not box.is_sealed(value):
                    changes[column] = box.seal(value)
                    sealed += 1
                elif rotate:
                    changes[column] = box.reseal(value)
                    resealed += 1
            if changes:
                assignments = ", ".join(f"{column} = :{column}" for column in changes)
                connection.execute(
                    text(f"UPDATE {table} SET {assignments} WHERE id = :id"),
                    {**changes, "id": row[0]},
                )
    return SealSummary(sealed, resealed)


def count_plain_tokens(connection: Connection) -> int:
    found = 0
    for table, columns in SECRET_COLUMNS.items():
        for column in columns:
            found += int(
                connection.execute(
                    text(
                        f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
                        f"AND {column} NOT LIKE :prefix"
                    ),
                    {"prefix": SEALED_PREFIX + "%"},
                ).scalar_one()
            )
    return found
