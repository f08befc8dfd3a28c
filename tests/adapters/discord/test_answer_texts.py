"""Without the message content intent, thread replies never reach the bot: the texts say so."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.discord.settings import load_settings
from bot.app.root import App
from bot.app.simulation import advance_to
from bot.ports.clock import ManualClock
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.flows import start_round
from tests.adapters.discord.standin import CHANNEL_ID, FakeDiscord, StoredMessage
from tests.support.harness import START


async def round_intro(fake: FakeDiscord) -> StoredMessage:
    await start_round(fake, "alice", 2)
    intros = [m for m in fake.in_channel(CHANNEL_ID) if m.title.startswith("Mock interview for")]
    assert len(intros) == 1
    return intros[0]


async def daily_post(fake: FakeDiscord, bot: App) -> StoredMessage:
    await fake.slash("carol", ["daily", "set"], {"time": "09:30", "tz": "UTC"}, admin=True)
    await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if m.title.startswith("Daily question schedule")]
    )
    assert isinstance(bot.clock, ManualClock)
    await advance_to(bot.engine, bot.clock, START + timedelta(minutes=30))
    posts = await fake.wait_for(
        lambda: [m for m in fake.in_channel(CHANNEL_ID) if m.title.startswith("Daily question ·")]
    )
    return posts[0]


async def test_with_the_intent_the_intros_ask_for_replies_in_the_thread(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    assert "Answer each one by replying in this thread." in (await round_intro(fake)).text()
    daily = (await daily_post(fake, bot)).text()
    assert "Reply in this thread (or press Answer)." in daily


async def test_refused_the_intent_the_intros_say_press_answer(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    fake.refuse_message_content = True
    runtime = await start_runtime()
    assert runtime.read_messages is False
    intro = (await round_intro(fake)).text()
    assert "Press Answer under each question to answer it." in intro
    assert "replying in this thread" not in intro
    daily = await daily_post(fake, bot)
    assert "Press Answer to answer." in daily.text()
    assert "Reply in this thread" not in daily.text()
    assert any(c.startswith("ibf|daily:answer|") for c in daily.custom_ids())


async def test_turned_off_in_the_settings_the_intros_say_press_answer_too(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_MESSAGE_CONTENT", "false")
    await start_runtime(settings=load_settings())
    assert not any(i["intents"] & (1 << 15) for i in fake.identifies)
    assert "Press Answer under each question" in (await round_intro(fake)).text()
    assert "Press Answer to answer." in (await daily_post(fake, bot)).text()
