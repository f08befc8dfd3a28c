"""Engine work queued after the ack: bursts, retries, a full backlog and shutdown, over HTTP.

Each answer's private feedback is slowed down at the stand-in, so an answer holds its worker
long enough for the queue to be seen from outside (GET /healthz) while the replies are acked.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

import adapters.slack.runtime as slack_runtime
from adapters.slack.mrkdwn import escape
from adapters.slack.runtime import SlackRuntime
from bot.app.root import App
from bot.grading import RubricGrader
from questions.bank import QuestionBank
from tests.adapters.slack.conftest import Bot, serving, token_env
from tests.adapters.slack.driver import SlackDriver
from tests.adapters.slack.standin import Call, FakeSlack
from tests.support.harness import Harness, answer_covering

FEEDBACK = "chat.postEphemeral"


def question_id(bank: QuestionBank, post: Call) -> str:
    matches = [q for q in bank.questions if escape(q.prompt) in post.raw]
    return max(matches, key=lambda q: len(q.prompt)).id


async def daily_post(h: Harness, slack: FakeSlack, driver: SlackDriver) -> tuple[str, str]:
    """Post today's daily question in C1; its thread and an answer that scores full marks."""
    assert (await driver.command("daily set time=09:30 tz=UTC days=daily", "UADMIN")).status == 200
    await slack.wait_for(lambda: slack.ephemerals("UADMIN"), what="the schedule's ack")
    await h.advance(timedelta(hours=1))
    posts = await slack.wait_for(
        lambda: [c for c in slack.posts() if c.header.startswith("Daily question")],
        what="the daily post",
    )
    return posts[0].ts, answer_covering(h.bank, question_id(h.bank, posts[0]))


async def health(runtime: SlackRuntime) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{runtime.port}/healthz") as resp,
    ):
        body: dict[str, Any] = await resp.json()
        return body


async def graded(h: Harness) -> tuple[int, int]:
    """Answer rows, and distinct events among them."""
    async with h.database.connect() as conn:
        rows = await conn.execute(text("select count(*), count(distinct event_ref) from answers"))
        total, distinct = rows.one()
        return int(total), int(distinct)


def add_people(slack: FakeSlack, n: int) -> list[str]:
    users = [f"UQ{i:03d}" for i in range(n)]
    for user in users:
        slack.add_user(user, f"Queue {user}")
    return users


async def test_a_burst_is_acked_at_once_queued_and_each_reply_graded_once(bot: Bot) -> None:
    thread, answer = await daily_post(bot.h, bot.slack, bot.driver)
    await bot.settle()
    users = add_people(bot.slack, 16)
    bot.slack.delays[FEEDBACK] = 0.2

    sent = await asyncio.gather(*(bot.driver.reply(thread, answer, user=u) for u in users))

    assert [s.status for s in sent] == [200] * len(users)
    assert max(s.elapsed_s for s in sent) < 0.5
    during = await health(bot.runtime)
    workers = bot.runtime.work.workers
    assert during["in_flight"] == len(users)
    assert during["queued"] >= len(users) - workers  # only `workers` run at once
    await bot.settle()
    assert await graded(bot.h) == (len(users), len(users))
    assert len(bot.slack.of(FEEDBACK)) == len(users) + 1  # and the schedule's own reply
    assert (await health(bot.runtime))["in_flight"] == 0


async def test_a_retry_of_a_reply_still_queued_is_not_graded_twice(bot: Bot) -> None:
    thread, answer = await daily_post(bot.h, bot.slack, bot.driver)
    await bot.settle()
    users = add_people(bot.slack, 8)
    bot.slack.delays[FEEDBACK] = 0.2
    ahead = [bot.driver.reply(thread, answer, user=u) for u in users[1:]]
    await asyncio.gather(*ahead)  # the queue is now deeper than the workers
    event = bot.driver.reply_event(thread, answer, user=users[0])

    first = await bot.driver.event(event, event_id="EvRetried")
    again = await bot.driver.event(event, event_id="EvRetried", retry=1)

    assert (first.status, again.status) == (200, 200)
    await bot.settle()
    assert await graded(bot.h) == (len(users), len(users))
    assert len(bot.slack.ephemerals(users[0])) == 1


@pytest.fixture
async def one_worker_two_queued(
    h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    """A runtime with one worker and room for two queued jobs, so its backlog fills quickly."""
    token_env(clean_env, slack)
    clean_env.setattr(slack_runtime, "BACKLOG_LIMIT", 2)
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader(), max_concurrent_events=1)
    async with serving(h, slack, app) as running:
        yield running


async def test_a_full_backlog_refuses_new_events_and_slacks_retry_is_graded(
    one_worker_two_queued: Bot,
) -> None:
    bot = one_worker_two_queued
    thread, answer = await daily_post(bot.h, bot.slack, bot.driver)
    await bot.settle()
    users = add_people(bot.slack, 4)
    bot.slack.delays[FEEDBACK] = 0.5
    assert (await bot.driver.reply(thread, answer, user=users[0])).status == 200
    await bot.slack.wait_for(lambda: bot.runtime.work.backlog == 0, what="the worker")
    for user in users[1:3]:
        assert (await bot.driver.reply(thread, answer, user=user)).status == 200
    late = bot.driver.reply_event(thread, answer, user=users[3])

    refused = await bot.driver.event(late, event_id="EvLate")

    assert refused.status == 503
    assert (await health(bot.runtime))["queued"] == 2
    await bot.settle()
    assert await graded(bot.h) == (3, 3)
    assert (await bot.driver.event(late, event_id="EvLate", retry=1)).status == 200
    await bot.settle()
    assert await graded(bot.h) == (4, 4)


async def test_stopping_finishes_the_queued_replies_and_thaws_the_heap(bot: Bot) -> None:
    thread, answer = await daily_post(bot.h, bot.slack, bot.driver)
    await bot.settle()
    users = add_people(bot.slack, 10)
    bot.slack.delays[FEEDBACK] = 0.1
    await asyncio.gather(*(bot.driver.reply(thread, answer, user=u) for u in users))
    assert bot.runtime.work.busy == len(users)
    assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way

    await bot.runtime.stop()

    assert await graded(bot.h) == (len(users), len(users))
    assert bot.runtime.work.busy == 0
    assert gc.get_freeze_count() == 0
