"""One process, both platforms: one engine, one scheduler tick, one database."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.client import use_api
from adapters.discord.settings import DEFAULT_API_URL
from adapters.launch import start_platforms
from bot.events import Actor, Place, SlashCommand
from tests.adapters.discord.conftest import TOKEN, new_app
from tests.adapters.discord.standin import CHANNEL_ID, CHANNEL_NAME, GUILD_ID, FakeDiscord
from tests.adapters.slack.driver import SIGNING_SECRET
from tests.adapters.slack.standin import BOT_TOKEN, TEAM, FakeSlack


async def test_slack_and_discord_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = FakeSlack()
    slack.add_user("UADMIN", "Ada", is_admin=True)
    discord = FakeDiscord(TOKEN)
    await slack.start()
    await discord.start()
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_URL": discord.api_url,
        "DISCORD_MESSAGE_CONTENT": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in (
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "DISCORD_SHARD_COUNT",
    ):
        monkeypatch.delenv(name, raising=False)
    bot = await new_app(tmp_path)
    runtimes = []
    try:
        runtimes = await start_platforms(bot, "all", "http", "127.0.0.1", 0)
        chats = {runtime.platform: runtime.chat for runtime in runtimes}
        assert sorted(chats) == ["discord", "slack"]
        admins = {
            "slack": Actor("UADMIN", "Ada", is_admin=True),
            "discord": Actor("830000000000000099", "Dee", is_admin=True),
        }
        places = {
            "slack": Place("slack", TEAM, "C0SLACK", None, "general"),
            "discord": Place("discord", str(GUILD_ID), str(CHANNEL_ID), None, CHANNEL_NAME),
        }
        for platform, place in places.items():
            text = "daily set time=09:00 tz=UTC days=daily"
            command = SlashCommand(place, admins[platform], text, platform)
            await bot.engine.handle(command, chats[platform])
        assert len(await bot.engine.enabled_schedules()) == 2
        assert await bot.engine.tick() == 2, "one tick posts on both platforms"
        assert [c.header for c in slack.posts()][-1].startswith("Daily question ·")
        discord_posts = [
            m for m in discord.in_channel(CHANNEL_ID) if m.title.startswith("Daily question ·")
        ]
        assert len(discord_posts) == 1
    finally:
        for runtime in runtimes:
            await runtime.stop()
        await bot.close()
        await slack.stop()
        await discord.stop()
        use_api(DEFAULT_API_URL)
