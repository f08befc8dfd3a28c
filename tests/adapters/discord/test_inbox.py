"""Discord events go through the inbox: kept while stopping, handled by the next run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.app.root import App
from bot.inbox import DEFAULT_LEASE
from tests.adapters.discord.conftest import StartRuntime, new_app
from tests.adapters.discord.flows import (
    good_answer,
    start_round,
    thread_messages,
    titles,
    wait_new_ask_or_card,
)
from tests.adapters.discord.standin import CHANNEL_ID, FakeDiscord


async def pending(app: App) -> int:
    assert app.inbox is not None
    await app.inbox.flush()
    return await app.inbox.pending()


async def test_an_answer_arriving_while_stopping_is_kept_and_graded_by_the_next_run(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime, tmp_path: Path
) -> None:
    first = await start_runtime()
    thread_id, ask = await start_round(fake, "alice", 1)
    assert await first.bridge.drain(5)  # SIGTERM: wait for what is in flight, take nothing new
    assert await pending(bot) == 0  # the command was kept, handled, then forgotten
    seen = len(thread_messages(fake, thread_id))
    await fake.say("alice", thread_id, good_answer(bot, ask))
    for _ in range(100):
        if await pending(bot):
            break
        await asyncio.sleep(0.05)
    assert await pending(bot) == 1
    refused = await fake.slash("bob", ["topics"])  # told to come back, not handled
    told = await fake.wait_for(
        lambda: fake.calls_to("POST", rf"/interactions/{refused}/[^/]+/callback")
    )
    assert "restarting" in json.dumps(told[0].body)
    await first.stop()
    assert len(thread_messages(fake, thread_id)) == seen  # nothing was graded by the first run

    restarted = await new_app(tmp_path)
    try:
        await start_runtime(app=restarted)
        assert restarted.inbox is not None
        restarted.clock.advance(DEFAULT_LEASE)  # type: ignore[attr-defined]
        assert await restarted.inbox.sweep() == 1
        card = await wait_new_ask_or_card(fake, thread_id, seen)
        shown = titles(fake, thread_id)
        assert sum(t.startswith("Score: ") for t in shown) == 1
        assert card.title in ("Scorecard", *shown)
        assert await restarted.inbox.sweep() == 0
        await restarted.inbox.flush()
        assert await pending(restarted) == 0
    finally:
        await restarted.close()
    assert [m.title for m in fake.in_channel(CHANNEL_ID)] == ["Mock interview for Alice"]
