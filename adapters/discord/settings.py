"""Discord settings from the environment, checked once so a bad value stops start-up in one line."""

from __future__ import annotations

import base64
import binascii

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.runtime import SettingsError

DEFAULT_API_URL = "https://discord.com/api/v10"

# What each variable is called, for error lines that name it.
_VARIABLES = {
    "token": "DISCORD_TOKEN",
    "api_url": "DISCORD_API_URL",
    "shard_count": "DISCORD_SHARD_COUNT",
    "shard_ids": "DISCORD_SHARD_IDS",
    "application_id": "DISCORD_APPLICATION_ID",
    "message_content": "DISCORD_MESSAGE_CONTENT",
}


class DiscordSettings(BaseSettings):
    """The token is a SecretStr so no repr, log line or error message can show it."""

    model_config = SettingsConfigDict(
        env_prefix="DISCORD_", env_file=".env", extra="ignore", populate_by_name=True
    )

    token: SecretStr
    api_url: str = DEFAULT_API_URL
    shard_count: int | None = Field(default=None, ge=1, le=100_000)
    shard_ids: str | None = None
    application_id: int | None = Field(default=None, ge=1)
    message_content: bool = True

    @field_validator("token")
    @classmethod
    def _token_present(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is empty")
        if any(c.isspace() for c in token) or token.lower().startswith("bot "):
            raise ValueError("must be the bare bot token (no 'Bot ' prefix, no spaces)")
        return SecretStr(token)

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        url = value.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or "://" not in url or len(url) < 10:
            raise ValueError("must be an http(s) URL such as https://discord.com/api/v10")
        return url

    @field_validator("shard_ids")
    @classmethod
    def _ids_format(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = [p.strip() for p in value.split(",")]
        if not all(p.isdigit() for p in parts):
            raise ValueError("must be a comma-separated list of shard numbers such as 0,1,2")
        return ",".join(parts)

    @model_validator(mode="after")
    def _ids_fit_count(self) -> DiscordSettings:
        ids = self.shard_id_list
        if ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT as well")
        too_big = [i for i in ids if i >= self.shard_count]
        if too_big:
            raise ValueError(
                f"DISCORD_SHARD_IDS has shard {too_big[0]}, but DISCORD_SHARD_COUNT is "
                f"{self.shard_count} (shards are numbered from 0)"
            )
        return self

    @property
    def shard_id_list(self) -> list[int] | None:
        if self.shard_ids is None:
            return None
        return sorted({int(p) for p in self.shard_ids.split(",")})

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def api_url_overridden(self) -> bool:
        return self.api_url != DEFAULT_API_URL

    def client_id(self) -> int | None:
        """The application id: set explicitly, or read from the token's first part."""
        if self.application_id is not None:
            return self.application_id
        first = self.token.get_secret_value().split(".", 1)[0]
        try:
            decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return int(decoded) if decoded.isdigit() else None


class DiscordApplication(BaseSettings):
    """The application id alone, from the environment or .env: the invite link needs no token."""

    model_config = SettingsConfigDict(
        env_prefix="DISCORD_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    application_id: int | None = Field(default=None, ge=1)


def load_application_id() -> int | None:
    """DISCORD_APPLICATION_ID when set; a value that is not an id stops with one line."""
    try:
        return DiscordApplication().application_id
    except ValidationError:
        raise SettingsError(
            "DISCORD_APPLICATION_ID must be a number: the application id from the developer portal"
        ) from None


def load_settings() -> DiscordSettings:
    """Read and check the settings; raise SettingsError with one line naming the variable."""
    try:
        return DiscordSettings()
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    name = _VARIABLES.get(field, field.upper() or "DISCORD settings")
    if error["type"] == "missing":
        return f"{name} is not set: give the bot token from the Discord developer portal"
    message = str(error["msg"]).removeprefix("Value error, ")
    if not field:
        return message
    if error["type"] == "value_error":
        return f"{name} {message}"
    return f"{name} is invalid: {message[:1].lower()}{message[1:]}"
