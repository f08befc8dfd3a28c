"""Spaced review on Slack: the daily nudge arrives as a direct message through the Web API."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.conftest import Bot
from tests.adapters.slack.standin import Call
from tests.adapters.slack.test_in_process import answer_for, last_in, start_round
from tests.support.harness import START


async def answer_weakly(bot: Bot, thread: str) -> None:
    """Answer the question, and any follow-up, with next to nothing."""
    for _ in range(2):
        await bot.driver.reply(thread, "I am not sure about this one.")
        await bot.settle()
        if last_in(bot, thread).header == "Scorecard":
            return
    assert last_in(bot, thread).header == "Scorecard"


def nudges(bot: Bot) -> list[Call]:
    return [c for c in bot.slack.posts() if c.header == "Time to review"]


async def test_the_review_nudge_is_a_direct_message_once_a_day(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    await answer_weakly(bot, thread)
    await bot.driver.command("review remind 09:30 tz=UTC")
    await bot.settle()
    assert "Review reminders on" in bot.slack.ephemerals("UALICE")[-1].shown

    await bot.h.advance_to(START + timedelta(hours=2))
    assert nudges(bot) == [], "nothing is due on the day of the answer"
    await bot.h.advance_to(START + timedelta(days=1, hours=2))
    [nudge] = nudges(bot)
    assert nudge.channel == "DUALICE"
    assert "1 card due for review" in nudge.shown
    assert bot.slack.of("conversations.open")[-1].args["users"] == "UALICE"
    await bot.h.advance_to(START + timedelta(days=2, hours=2))
    assert len(nudges(bot)) == 2

    await bot.driver.command("review remind off")
    await bot.settle()
    await bot.h.advance_to(START + timedelta(days=4))
    assert len(nudges(bot)) == 2


async def test_a_review_round_takes_its_answer_from_the_modal(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    await answer_weakly(bot, thread)
    await bot.h.advance_to(START + timedelta(days=1, hours=1))

    assert (await bot.driver.command("review")).status == 200
    intro = await bot.slack.wait_for(
        lambda: [c for c in bot.slack.posts() if c.header == "Review for Alice"],
        what="the review's intro",
    )
    await bot.settle()
    assert "1 card due for review" in intro[0].shown
    review_thread = intro[0].ts
    asked = last_in(bot, review_thread)
    assert asked.header == "Question 1 of 1"
    assert [b["text"]["text"] for b in asked.buttons()] == ["Answer", "Hint", "Skip", "End"]
    await bot.driver.click(asked, "Answer")
    opened = await bot.slack.wait_for(lambda: bot.slack.of("views.open"), what="the modal")
    await bot.driver.submit(opened[-1], answer_for(bot, asked))
    await bot.settle()
    headers = [c.header for c in bot.slack.in_thread(review_thread)]
    assert "Compared with last time" in headers
