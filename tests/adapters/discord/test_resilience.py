"""Rate limits, restarts, slow work, sharding, a refused intent, bad settings, a secret token."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import discord
import pytest

from adapters.discord.runtime import DiscordRuntime
from adapters.discord.settings import load_settings
from adapters.runtime import SettingsError
from bot.app.root import App
from tests.adapters.discord.conftest import TOKEN, StartRuntime, new_app
from tests.adapters.discord.flows import (
    good_answer,
    start_round,
    thread_messages,
    titles,
    wait_new_ask_or_card,
)
from tests.adapters.discord.standin import CHANNEL_ID, EPHEMERAL, FakeDiscord

CALLBACK = r"/interactions/{}/[^/]+/callback"


async def test_a_429_with_retry_after_is_waited_out_and_nothing_is_lost(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    # the round's intro, and later the feedback in its thread, each meet a 429 first
    fake.rate_limit_next("POST", rf"/channels/{CHANNEL_ID}/messages", retry_after=0.3)
    fake.rate_limit_next("POST", r"/channels/\d+/messages", retry_after=0.2, is_global=True)
    began = time.monotonic()
    thread_id, ask = await start_round(fake, "alice", 1)
    while ask.title != "Scorecard":
        seen = len(thread_messages(fake, thread_id))
        await fake.say("alice", thread_id, good_answer(bot, ask))
        ask = await wait_new_ask_or_card(fake, thread_id, seen)
    elapsed = time.monotonic() - began

    assert len(fake.rate_limited) == 2
    assert elapsed >= 0.5, "discord.py waited retry_after each time"
    assert [m.title for m in fake.in_channel(CHANNEL_ID)] == ["Mock interview for Alice"]
    shown = titles(fake, thread_id)
    assert shown[0] == "Question 1 of 1"
    assert shown[-1] == "Scorecard"
    assert len(shown) == len(set(shown)), f"each message exactly once: {shown}"
    assert sum(t.startswith("Score: ") for t in shown) == 1
    # the interaction follow-ups also survive a 429 (Discord marks its own with a Via header)
    fake.rate_limit_next("POST", r"/interactions/\d+/[^/]+/callback", retry_after=0.2)
    topics = await fake.slash("alice", ["topics"])
    answered = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(topics)))
    assert "Regularisation" in answered[0].body["data"]["embeds"][0]["description"] + str(
        answered[0].body["data"]["embeds"][0].get("fields")
    )


async def test_a_restart_in_the_middle_of_a_round_resumes_it(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, tmp_path: Path
) -> None:
    first = await start_runtime()
    thread_id, ask = await start_round(fake, "alice", 2)
    seen = len(thread_messages(fake, thread_id))
    await fake.say("alice", thread_id, good_answer(bot, ask))
    ask = await wait_new_ask_or_card(fake, thread_id, seen)
    while not ask.title.startswith("Question 2"):
        seen = len(thread_messages(fake, thread_id))
        await fake.say("alice", thread_id, good_answer(bot, ask))
        ask = await wait_new_ask_or_card(fake, thread_id, seen)

    await first.stop()
    await first.stop()  # stopping twice is harmless
    assert not fake.connected()
    # a new process: a new engine on the same database, a new client on the gateway
    # (the thread is one the new client's cache lacks, so it looks it up once)
    fake.threads[thread_id]["thread_metadata"]["archived"] = True
    restarted = await new_app(tmp_path)
    try:
        await start_runtime(app=restarted)
        assert len(fake.identifies) == 2
        while ask.title != "Scorecard":
            seen = len(thread_messages(fake, thread_id))
            await fake.say("alice", thread_id, good_answer(restarted, ask))
            ask = await wait_new_ask_or_card(fake, thread_id, seen)
        assert [f["name"].split(" · ")[0] for f in ask.embeds[0]["fields"]] == ["Q1", "Q2"]
        assert len(fake.calls_to("GET", rf"/channels/{thread_id}")) == 1
    finally:
        await restarted.close()


async def test_slow_work_is_deferred_and_the_answer_replaces_the_placeholder(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime(defer_after=0.0)
    topics = await fake.slash("alice", ["topics"])
    edited = await fake.wait_for(
        lambda: fake.calls_to("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")
    )
    deferred = fake.calls_to("POST", CALLBACK.format(topics))[0].body
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert edited[0].body["allowed_mentions"] == {"parse": []}
    # a command that says nothing privately leaves no placeholder behind
    await fake.slash("alice", ["mock"], {"count": 1})
    await fake.wait_for(lambda: fake.calls_to("DELETE", r"/webhooks/\d+/[^/]+/messages/@original"))


async def test_a_shard_process_identifies_its_shard_on_the_configured_gateway(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one of two shard processes sharing a REST base (a proxy in production)
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1")
    runtime = await start_runtime(settings=load_settings())
    assert isinstance(runtime.client, discord.AutoShardedClient)
    assert [i["shard"] for i in fake.identifies] == [[1, 2]]
    assert fake.calls_to("GET", r"/gateway/bot"), "the gateway came from the stand-in"
    _thread_id, ask = await start_round(fake, "alice", 1)
    assert ask.title == "Question 1 of 1"


async def test_without_the_message_content_intent_it_falls_back_to_the_answer_button(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    fake.refuse_message_content = True
    runtime = await start_runtime()
    assert runtime.read_messages is False
    assert [bool(i["intents"] & (1 << 15)) for i in fake.identifies] == [True, False]
    assert "Message Content intent" in caplog.text
    _thread_id, ask = await start_round(fake, "alice", 1)
    assert any(c.startswith("ibf|round:answer|") for c in ask.custom_ids())


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "  "}, "DISCORD_TOKEN is empty"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_SHARD_COUNT": "two"}, "DISCORD_SHARD_COUNT is invalid"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_SHARD_IDS": "0,1"}, "needs DISCORD_SHARD_COUNT"),
        (
            {"DISCORD_TOKEN": TOKEN, "DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,x"},
            "DISCORD_SHARD_IDS must be",
        ),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_API_URL": "discord.com"}, "DISCORD_API_URL must be"),
    ],
)
def test_missing_or_malformed_settings_stop_start_up_with_one_line(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "DISCORD_TOKEN",
        "DISCORD_API_URL",
        "DISCORD_SHARD_COUNT",
        "DISCORD_SHARD_IDS",
        "DISCORD_APPLICATION_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    line = str(raised.value)
    assert expected in line
    assert "\n" not in line
    assert TOKEN not in line


async def test_a_refused_token_stops_start_up_with_one_line(
    fake: FakeDiscord, bot: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "not-the-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.api_url)
    runtime = DiscordRuntime(bot, load_settings(), ready_timeout=5)
    with pytest.raises(SettingsError, match="DISCORD_TOKEN was refused"):
        await runtime.start()
    await runtime.stop()


async def test_the_token_never_appears_in_logs(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime = await start_runtime()
    thread_id, ask = await start_round(fake, "alice", 1)
    await fake.say("alice", thread_id, good_answer(bot, ask))
    await fake.wait_for(lambda: "Scorecard" in titles(fake, thread_id))
    logging.getLogger("test").info("settings: %r", runtime._settings)
    assert len(caplog.records) > 20, "debug logging was on"
    assert TOKEN not in caplog.text
    assert TOKEN.split(".")[-1] not in caplog.text


async def test_interview_bot_run_starts_discord_through_the_launcher(
    fake: FakeDiscord, bot: App, discord_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.launch import start_platforms

    runtimes = await start_platforms(bot, "discord", "http", "127.0.0.1", 0)
    try:
        assert [r.platform for r in runtimes] == ["discord"]
        assert bot.engine.chats("discord") is runtimes[0].chat
    finally:
        for runtime in runtimes:
            await runtime.stop()
    monkeypatch.delenv("DISCORD_TOKEN")
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        await start_platforms(bot, "discord", "http", "127.0.0.1", 0)
