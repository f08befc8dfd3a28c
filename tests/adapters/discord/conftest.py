"""A running stand-in of Discord, an engine on a temporary database, and the real client."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from adapters.discord.client import use_api
from adapters.discord.runtime import DiscordRuntime
from adapters.discord.settings import DEFAULT_API_URL, DiscordSettings, load_settings
from bot.app.config import Settings
from bot.app.root import App, build_app
from bot.ports.clock import ManualClock
from tests.adapters.discord.standin import FakeDiscord
from tests.support.harness import FIXTURE_PACKS, START, fixture_bank

APP_ID_TEXT = "820000000000000001"
TOKEN = base64.b64encode(APP_ID_TEXT.encode()).decode().rstrip("=") + ".GsEcRt.s3cr3t-t0ken-value"

StartRuntime = Callable[..., Awaitable[DiscordRuntime]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        use_api(DEFAULT_API_URL)  # never leave the library pointed at a dead stand-in


@pytest.fixture
def discord_env(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> DiscordSettings:
    for name in ("DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS", "DISCORD_APPLICATION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_API_URL", fake.api_url)
    monkeypatch.setenv("DISCORD_MESSAGE_CONTENT", "true")
    return load_settings()


async def new_app(tmp_path: Path) -> App:
    """The bot's composition root on a file database: a second call is a restarted process."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    return await build_app(settings, clock=ManualClock(START), bank=fixture_bank())


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[App]:
    app = await new_app(tmp_path)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
async def start_runtime(bot: App, discord_env: DiscordSettings) -> AsyncIterator[StartRuntime]:
    """Start (and at the end stop) runtimes the way `interview-bot run` does."""
    started: list[DiscordRuntime] = []

    async def start(
        settings: DiscordSettings | None = None, app: App | None = None, **options: float
    ) -> DiscordRuntime:
        options.setdefault("guild_ready_timeout", 0.05)
        options.setdefault("ready_timeout", 10.0)
        target = app or bot
        runtime = DiscordRuntime(target, settings or discord_env, **options)
        await runtime.start()
        target.engine.chats.register(runtime.platform, runtime.chat)
        started.append(runtime)
        return runtime

    try:
        yield start
    finally:
        for runtime in started:
            await runtime.stop()


__all__ = ["FIXTURE_PACKS"]
