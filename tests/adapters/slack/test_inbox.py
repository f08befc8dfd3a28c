"""Slack requests are kept in the inbox before their ack, handled from there, then forgotten."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from sqlalchemy import text

from adapters.slack.inbox import to_item
from bot.inbox import DEFAULT_LEASE, Inbox
from tests.adapters.slack.conftest import Bot
from tests.adapters.slack.standin import TEAM
from tests.adapters.slack.test_in_process import answer_for, count, last_in, start_round


def the_inbox(bot: Bot) -> Inbox:
    assert bot.inbox is not None
    return bot.inbox


def command_body(text_: str, user: str, trigger: str) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/interview",
        "text": text_,
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": trigger,
    }


async def test_every_acked_request_was_kept_and_is_forgotten_once_handled(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    sent = await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    assert sent.status == 200
    await bot.settle()
    assert bot.kept == 2  # the command and the reply
    assert await count(bot, "select count(*) from inbox") == 0
    assert await count(bot, "select count(*) from answers") == 1


async def test_a_request_left_behind_by_a_dead_process_is_handled_once(bot: Bot) -> None:
    inbox = the_inbox(bot)
    # As a killed process leaves it: kept (and acked) with its lease running, never handled.
    left = to_item(
        command_body("mock 1", "UBOB", "trig.left.1"), AsyncBoltContext(), TEAM, bot.h.clock.now()
    )
    assert left is not None
    async with bot.h.uow() as uow:
        await uow.inbox.add([left], bot.h.clock.now() + DEFAULT_LEASE)
        await uow.commit()
    assert await inbox.sweep() == 0
    bot.h.clock.advance(DEFAULT_LEASE)
    assert await inbox.sweep() == 1
    await bot.settle()
    intros = [c for c in bot.slack.posts() if c.header == "Mock interview for Bob"]
    assert len(intros) == 1
    bot.h.clock.advance(DEFAULT_LEASE)
    assert await inbox.sweep() == 0
    assert await count(bot, "select count(*) from inbox") == 0


async def test_a_request_that_cannot_be_kept_is_refused_so_slack_sends_it_again(
    bot: Bot,
) -> None:
    await refused_while_the_inbox_is_away_then_taken_once(bot, "Ev0KEPT")


async def refused_while_the_inbox_is_away_then_taken_once(bot: Bot, event_id: str) -> None:
    """Slack hears 503 while nothing can be kept, and its retry is graded once."""
    thread = await start_round(bot, "mock 1")
    event = bot.driver.reply_event(thread, answer_for(bot, last_in(bot, thread)))
    async with bot.h.database.begin() as conn:
        await conn.execute(text("alter table inbox rename to inbox_away"))
    refused = await bot.driver.event(event, event_id=event_id)
    assert refused.status == 503
    async with bot.h.database.begin() as conn:
        await conn.execute(text("alter table inbox_away rename to inbox"))
    started = time.monotonic()
    retried = await bot.driver.event(event, event_id=event_id, retry=1)
    assert retried.status == 200
    assert time.monotonic() - started < 1.0
    await bot.settle()
    assert await count(bot, "select count(*) from answers") == 1
    scores = [c for c in bot.slack.in_thread(thread) if c.header.startswith("Score:")]
    assert len(scores) == 1
