"""Spaced review on Discord: the review commands and the daily nudge as a direct message."""

from __future__ import annotations

from datetime import timedelta

from bot.app.root import App
from bot.app.simulation import advance_to
from bot.ports.clock import ManualClock
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.flows import (
    start_round,
    thread_messages,
    titles,
    wait_new_ask_or_card,
)
from tests.adapters.discord.standin import CHANNEL_ID, FakeDiscord
from tests.adapters.discord.test_rounds import answer_by_modal
from tests.support.harness import START


async def weak_round(fake: FakeDiscord) -> int:
    """Alice's one-question mock round, answered weakly (and whatever follow-up comes)."""
    thread_id, ask = await start_round(fake, "alice", 1)
    while ask.title != "Scorecard":
        seen = len(thread_messages(fake, thread_id))
        await fake.say("alice", thread_id, "I am not sure about this one.")
        ask = await wait_new_ask_or_card(fake, thread_id, seen)
    return thread_id


async def test_a_due_card_brings_one_direct_message_a_day_until_reminders_are_off(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    clock = bot.clock
    assert isinstance(clock, ManualClock)
    await weak_round(fake)

    await fake.slash("alice", ["review", "remind"], {"time": "09:30", "tz": "UTC"})
    confirmed = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if "Review reminders on" in m.text()]
    )
    assert "09:30 (UTC)" in confirmed[0].text()

    alice = fake.user("alice")["id"]
    await advance_to(bot.engine, clock, START + timedelta(hours=2))
    assert fake.direct_messages(alice) == [], "the card is not due on the day it was answered"
    await advance_to(bot.engine, clock, START + timedelta(days=1, hours=2))
    nudges = await fake.wait_for(lambda: fake.direct_messages(alice))
    assert [m.title for m in nudges] == ["Time to review"]
    assert "1 card due for review" in nudges[0].text()
    opened = fake.calls_to("POST", r"/users/@me/channels")
    assert opened[0].body == {"recipient_id": int(alice)}
    assert nudges[0].payload["mentions"] == []

    await fake.slash("alice", ["review", "remind-off"])
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "reminders off" in m.text()])
    await advance_to(bot.engine, clock, START + timedelta(days=3, hours=2))
    assert len(fake.direct_messages(alice)) == 1


async def test_the_review_command_says_when_the_next_card_is_due(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    await fake.slash("alice", ["review", "start"], {"count": 3})
    reply = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if "review cards" in m.text()]
    )
    assert "You have no review cards yet" in reply[0].text()
    await fake.slash("alice", ["review", "remind"], {"time": "25:00"})
    refused = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if "not a time of day" in m.text()]
    )
    assert "`25:00` is not a time of day" in refused[0].text()


async def test_a_review_round_runs_in_a_thread_with_the_answer_button_and_modal(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    clock = bot.clock
    assert isinstance(clock, ManualClock)
    thread_id = await weak_round(fake)
    await advance_to(bot.engine, clock, START + timedelta(days=1, hours=1))

    await fake.slash("alice", ["review", "start"])
    review_thread: int = await fake.wait_for(
        lambda: next((t for t in fake.threads if t != thread_id), None)
    )
    intro = [m for m in fake.in_channel(CHANNEL_ID) if m.title == "Review for Alice"]
    assert "1 card due for review" in intro[0].text()
    ask = await wait_new_ask_or_card(fake, review_thread, 0)
    assert ask.title == "Question 1 of 1"
    labels = [c["label"] for row in ask.payload["components"] for c in row["components"]]
    assert labels == ["Answer", "Hint", "Skip", "End"]
    ask = await answer_by_modal(fake, bot, review_thread, ask)
    assert "Compared with last time" in titles(fake, review_thread)
