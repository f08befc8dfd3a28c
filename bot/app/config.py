"""Settings from the environment (and a .env file), validated once at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.account.limits import LimitRules
from bot.dashboard.links import MIN_SECRET_CHARS, LinkSigner
from bot.grading.llm import ENV_API_KEY, ENV_MODEL, ENV_TIMEOUT, ENV_URL
from bot.grading.rubric import RubricGrader
from bot.grading.semantic import load_semantic

DEFAULT_DATABASE_URL = "sqlite:///interview-bot.db"
# Enough events in flight that answers arriving together are written together (group commit),
# few enough that a burst cannot crowd acks and timers off the event loop.
DEFAULT_MAX_CONCURRENT_EVENTS = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEW_BOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("DATABASE_URL", "INTERVIEW_BOT_DATABASE_URL", "database_url"),
    )
    question_packs: list[Path] = Field(default_factory=list)
    round_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    hint_penalty: int = Field(default=5, ge=0, le=50)
    max_graded_chars: int = Field(default=8000, ge=500, le=100_000)
    daily_catch_up_hours: float = Field(default=6, ge=0, le=24)
    log_level: str = "WARNING"
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Inbound events the engine works on at once; the rest wait their turn in arrival order.
    max_concurrent_events: int = Field(default=DEFAULT_MAX_CONCURRENT_EVENTS, ge=1, le=256)
    # How long an acknowledged event stays with the process that took it before another
    # process (or this one after a restart) handles it; longer than any event takes.
    inbox_lease_seconds: float = Field(default=60, ge=0.5, le=3600)
    # On SIGTERM: how long events in flight get to finish before the process exits.
    drain_seconds: float = Field(default=20, ge=0, le=600)
    # Limits on what posts publicly or costs work (0 turns one off); admins get
    # limit_admin_factor times each. Counted in the database, so shared by every replica.
    limit_rounds_per_user: int = Field(default=5, ge=0)  # per 10 minutes
    limit_rounds_per_channel: int = Field(default=20, ge=0)  # per 10 minutes
    limit_daily_now_per_channel: int = Field(default=3, ge=0)  # per hour
    limit_stats_per_user: int = Field(default=10, ge=0)  # per 10 minutes
    limit_exports_per_user: int = Field(default=3, ge=0)  # per hour
    limit_admin_factor: int = Field(default=4, ge=1, le=100)
    # The web dashboard: links are signed with web_secret and point under public_url; `run`
    # serves the pages on web_port, or beside Slack's HTTP endpoint when that is unset.
    web_secret: SecretStr | None = None
    public_url: str | None = None
    web_port: int | None = Field(default=None, ge=1, le=65535)
    # The sentence-embedding matcher of the `semantic` extra, used when it is installed;
    # false grades by rules alone even then.
    semantic_grading: bool = True
    # `run` compiles the bank's rubrics in the background once ready, so no answer waits on
    # its question's first compile; tests turn it off.
    warm_grader: bool = True
    # `run` hands memory freed by the C allocator back to the system this often (bot/app/heap.py);
    # 0 turns it off.
    heap_trim_seconds: float = Field(default=60, ge=0, le=3600)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("use an http:// or https:// URL, such as https://bot.example.com")
        return value

    def link_signer(self) -> LinkSigner | None:
        """The dashboard's signer once both its settings are there; None leaves it off."""
        secret = self.web_secret.get_secret_value().strip() if self.web_secret else ""
        if not secret or not self.public_url:
            return None
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(
                f"INTERVIEW_BOT_WEB_SECRET needs at least {MIN_SECRET_CHARS} characters"
            )
        return LinkSigner(secret, self.public_url)

    def rubric_grader(self) -> RubricGrader:
        """The rule-based grader, with the semantic matcher when installed and wanted."""
        semantic = load_semantic() if self.semantic_grading else None
        return RubricGrader(max_chars=self.max_graded_chars, semantic=semantic)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    def limit_rules(self) -> LimitRules:
        return LimitRules.defaults(
            rounds_per_user=self.limit_rounds_per_user,
            rounds_per_channel=self.limit_rounds_per_channel,
            daily_now_per_channel=self.limit_daily_now_per_channel,
            stats_per_user=self.limit_stats_per_user,
            exports_per_user=self.limit_exports_per_user,
            admin_factor=self.limit_admin_factor,
        )

    @property
    def daily_catch_up(self) -> timedelta:
        return timedelta(hours=self.daily_catch_up_hours)

    @property
    def round_idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.round_idle_minutes)


class GraderLlmSettings(BaseSettings):
    """GRADER_LLM_* from the environment or .env, in the form the LLM grader reads them."""

    model_config = SettingsConfigDict(env_prefix="GRADER_LLM_", env_file=".env", extra="ignore")

    url: str = ""
    model: str = ""
    api_key: str = ""
    timeout_s: str = ""

    def as_environ(self) -> dict[str, str]:
        return {
            ENV_URL: self.url,
            ENV_MODEL: self.model,
            ENV_API_KEY: self.api_key,
            ENV_TIMEOUT: self.timeout_s,
        }
