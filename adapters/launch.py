"""Start the platform adapters whose settings are present, side by side on one engine."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.runtime import PlatformRuntime, SettingsError
from bot.app.root import App


class _Configured(BaseSettings):
    """Which platforms have tokens, from the environment or .env like every other setting."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    slack_bot_token: str = ""
    slack_client_id: str = ""
    discord_token: str = ""


Mount = Callable[[web.Application], None]


async def start_platforms(
    bot: App, platform: str, mode: str, host: str, port: int, mount: Mount | None = None
) -> list[PlatformRuntime]:
    """Start each configured platform; `mount` adds routes (the dashboard) to Slack's HTTP app."""
    configured = _Configured()
    wanted: list[str] = []
    if platform in ("slack", "all") and (
        platform == "slack" or configured.slack_bot_token or configured.slack_client_id
    ):
        wanted.append("slack")
    if platform in ("discord", "all") and (platform == "discord" or configured.discord_token):
        wanted.append("discord")
    if not wanted:
        raise SettingsError(
            "no platform configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or DISCORD_TOKEN"
        )
    runtimes: list[PlatformRuntime] = []
    try:
        for name in wanted:
            runtime = await _start(name, bot, mode, host, port, mount)
            bot.engine.chats.register(runtime.platform, runtime.chat)
            runtimes.append(runtime)
    except BaseException:
        for runtime in runtimes:
            await runtime.stop()
        raise
    return runtimes


async def _start(
    name: str, bot: App, mode: str, host: str, port: int, mount: Mount | None
) -> PlatformRuntime:
    try:
        if name == "slack":
            from adapters.slack.runtime import start_slack

            return await start_slack(bot, mode=mode, host=host, port=port, mount=mount)
        from adapters.discord.runtime import start_discord

        return await start_discord(bot)
    except ImportError as exc:
        raise SettingsError(
            f"the {name} adapter needs its extra: pip install 'interview-bot[{name}]' ({exc.name})"
        ) from None
