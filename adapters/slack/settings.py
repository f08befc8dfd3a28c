"""Slack settings from the environment, checked once at start with one-line errors.

Values never appear in an error or a repr: tokens are `SecretStr`, and a validation failure is
reported by the variable's name only, since pydantic's own messages echo the input.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.runtime import SettingsError
from adapters.slack.pacing import (
    CHANNEL_BURST,
    CHANNEL_RATE_PER_S,
    WORKSPACE_BURST,
    WORKSPACE_RATE_PER_S,
    Pacer,
    PostPacing,
)
from storage.secrets import KEY_VARIABLE, SecretBox, SecretKeyError

DEFAULT_API_URL = "https://slack.com/api/"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

Mode = Literal["http", "socket"]

_HINTS = {
    "SLACK_BOT_TOKEN": "the app's Bot User OAuth Token (xoxb-…)",
    "SLACK_SIGNING_SECRET": "the Signing Secret from the app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token with connections:write (xapp-…)",
    "SLACK_API_URL": "an http(s) URL of the Web API, such as https://slack.com/api/",
    "SLACK_CLIENT_ID": "the Client ID from the app's Basic Information page",
    "SLACK_CLIENT_SECRET": "the Client Secret from the app's Basic Information page",
    "SLACK_ADMIN_USER_IDS": "a comma-separated list of Slack user ids such as U012AB3CD",
    "INTERVIEW_BOT_PUBLIC_URL": "the bot's public base URL, such as https://bot.example.com",
    "SLACK_POSTS_PER_SECOND_PER_CHANNEL": "a positive number of posts per second, such as 1",
    "SLACK_POST_BURST_PER_CHANNEL": "a whole number of posts of at least 1, such as 4",
    "SLACK_POSTS_PER_SECOND_PER_WORKSPACE": "a positive number of posts per second, such as 5",
    "SLACK_POST_BURST_PER_WORKSPACE": "a whole number of posts of at least 1, such as 20",
}


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default=DEFAULT_API_URL, alias="SLACK_API_URL")
    client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    admin_user_ids: str = Field(default="", alias="SLACK_ADMIN_USER_IDS")
    # Where people reach this bot from the internet, e.g. https://bot.example.com; the
    # install page is named from it.
    public_url: str | None = Field(default=None, alias="INTERVIEW_BOT_PUBLIC_URL")
    # Seals the installation store's tokens (multi-workspace mode); see storage/secrets.py.
    encryption_key: SecretStr | None = Field(default=None, alias=KEY_VARIABLE)
    # Post pacing: Slack's per-channel limit, and the workspace budget this app may spend.
    channel_posts_per_s: float = Field(
        default=CHANNEL_RATE_PER_S, gt=0, alias="SLACK_POSTS_PER_SECOND_PER_CHANNEL"
    )
    channel_post_burst: int = Field(
        default=CHANNEL_BURST, ge=1, alias="SLACK_POST_BURST_PER_CHANNEL"
    )
    workspace_posts_per_s: float = Field(
        default=WORKSPACE_RATE_PER_S, gt=0, alias="SLACK_POSTS_PER_SECOND_PER_WORKSPACE"
    )
    workspace_post_burst: int = Field(
        default=WORKSPACE_BURST, ge=1, alias="SLACK_POST_BURST_PER_WORKSPACE"
    )

    @field_validator("api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        value = (value or "").strip().rstrip("/")
        if not value:
            return None
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("admin_user_ids")
    @classmethod
    def _admins(cls, value: str) -> str:
        ids = [part.strip() for part in value.split(",") if part.strip()]
        if any(not _USER_ID.match(i) for i in ids):
            raise ValueError("not a list of user ids")
        return ",".join(ids)

    def secret_box(self) -> SecretBox:
        """The key that seals installed workspaces' tokens; multi-workspace mode needs one."""
        try:
            return SecretBox.from_setting(_secret(self.encryption_key))
        except SecretKeyError as exc:
            raise SettingsError(str(exc)) from None

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(i for i in self.admin_user_ids.split(",") if i)

    def pacing(self) -> PostPacing:
        """The chat's pacers, so a big workspace's fan-out can use the rate Slack grants it."""
        return PostPacing(
            channel=Pacer(self.channel_posts_per_s, self.channel_post_burst),
            workspace=Pacer(self.workspace_posts_per_s, self.workspace_post_burst),
        )

    @property
    def multi_workspace(self) -> bool:
        """OAuth install for many workspaces, instead of one workspace's bot token."""
        return bool(self.client_id or self.client_secret)


def _missing(name: str) -> SettingsError:
    return SettingsError(f"{name} is not set: set it to {_HINTS[name]}")


def _malformed(name: str) -> SettingsError:
    return SettingsError(f"{name} is malformed: set it to {_HINTS[name]}")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""


def load_settings(mode: str) -> SlackSettings:
    """Read and check everything `mode` needs; raise SettingsError naming the first problem."""
    try:
        settings = SlackSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        alias = str(first["loc"][0]) if first["loc"] else "SLACK_API_URL"
        raise _malformed(alias if alias in _HINTS else "SLACK_API_URL") from None
    if settings.multi_workspace:
        if mode != "http":
            raise SettingsError(
                "SLACK_CLIENT_ID is set: installing into many workspaces needs --mode http"
            )
        if not (settings.client_id or "").strip():
            raise _missing("SLACK_CLIENT_ID")
        if not _secret(settings.client_secret):
            raise _missing("SLACK_CLIENT_SECRET")
        settings.secret_box()  # refuses a missing or malformed key now, not at the first install
    else:
        token = _secret(settings.bot_token)
        if not token:
            raise _missing("SLACK_BOT_TOKEN")
        if not token.startswith("xoxb-"):
            raise _malformed("SLACK_BOT_TOKEN")
    if mode == "http" and not _secret(settings.signing_secret):
        raise _missing("SLACK_SIGNING_SECRET")
    if mode == "socket":
        app_token = _secret(settings.app_token)
        if not app_token:
            raise _missing("SLACK_APP_TOKEN")
        if not app_token.startswith("xapp-"):
            raise _malformed("SLACK_APP_TOKEN")
    return settings
