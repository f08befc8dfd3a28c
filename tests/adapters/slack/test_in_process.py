"""The real AsyncApp served over loopback HTTP in-process, on the engine with a ManualClock.

Every request is signed as Slack signs it; every Web API call lands on the stand-in.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

from sqlalchemy import text

from adapters.slack.mrkdwn import escape
from tests.adapters.slack.conftest import EVIL_NAME, Bot
from tests.adapters.slack.standin import Call, Fault
from tests.support.harness import answer_covering

ROUND_END = "Scorecard"


def question_id(bot: Bot, call: Call) -> str:
    matches = [q for q in bot.h.bank.questions if escape(q.prompt) in call.raw]
    return max(matches, key=lambda q: len(q.prompt)).id


def answer_for(bot: Bot, asked: Call) -> str:
    if asked.header.startswith("Question"):
        return answer_covering(bot.h.bank, question_id(bot, asked))
    return "I would check the assumptions, measure it on held-out data and compare baselines."


async def start_round(bot: Bot, text: str = "mock 2", user: str = "UALICE") -> str:
    """Run the slash command; return the thread (the intro's ts) the round lives in."""
    sent = await bot.driver.command(text, user=user)
    assert sent.status == 200
    intro: list[Call] = await bot.slack.wait_for(
        lambda: [c for c in bot.slack.posts() if c.header.startswith("Mock interview")],
        what="the round's intro",
    )
    await bot.settle()
    return intro[-1].ts


def last_in(bot: Bot, thread: str) -> Call:
    return bot.slack.in_thread(thread)[-1]


async def count(bot: Bot, sql: str) -> int:
    async with bot.h.database.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_a_mock_round_by_thread_replies_reaches_the_scorecard(bot: Bot) -> None:
    thread = await start_round(bot, "mock 2")
    first = last_in(bot, thread)
    assert first.header == "Question 1 of 2"
    assert [b["text"]["text"] for b in first.buttons()] == ["Answer", "Hint", "Skip", "End"]
    acks = []
    for _ in range(8):
        asked = last_in(bot, thread)
        if asked.header == ROUND_END:
            break
        sent = await bot.driver.reply(thread, answer_for(bot, asked))
        assert sent.status == 200
        acks.append(sent.elapsed_s)
        await bot.settle()
    card = last_in(bot, thread)
    assert card.header == ROUND_END
    assert "Total:" in card.shown
    headers = [c.header for c in bot.slack.in_thread(thread)]
    assert headers.count("Score: 100/100") >= 2, headers
    assert max(acks) < 1.0


async def test_a_mock_round_answered_through_the_modal(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    for _ in range(4):
        asked = last_in(bot, thread)
        if asked.header == ROUND_END:
            break
        seen = len(bot.slack.of("views.open"))
        clicked = await bot.driver.click(asked, "Answer")
        assert clicked.status == 200
        assert clicked.body == ""

        def new_modals(seen: int = seen) -> list[Call]:
            return bot.slack.of("views.open")[seen:]

        opened = await bot.slack.wait_for(new_modals, what="views.open")
        view = opened[0].view
        assert view["type"] == "modal"
        assert view["title"]["text"] == "Your answer"
        assert opened[0].args["trigger_id"].startswith("trig.")
        submitted = await bot.driver.submit(opened[0], answer_for(bot, asked))
        assert submitted.status == 200
        assert submitted.body == ""
        await bot.settle()
    assert last_in(bot, thread).header == ROUND_END
    assert "Score: 100/100" in [c.header for c in bot.slack.in_thread(thread)]


async def test_a_daily_post_takes_thread_and_modal_answers_then_reveals(bot: Bot) -> None:
    sent = await bot.driver.command("daily set time=09:30 tz=UTC days=daily", user="UADMIN")
    assert sent.status == 200
    await bot.settle()
    assert "Daily question schedule updated" in bot.slack.ephemerals("UADMIN")[-1].shown

    await bot.h.advance(timedelta(hours=1))
    post = await bot.slack.wait_for(
        lambda: [c for c in bot.slack.posts() if c.header.startswith("Daily question")],
        what="the daily post",
    )
    daily = post[0]
    assert daily.thread_ts is None
    assert daily.channel == "C1"
    answer = answer_covering(bot.h.bank, question_id(bot, daily))

    assert (await bot.driver.reply(daily.ts, answer, user="UALICE")).status == 200
    assert (await bot.driver.click(daily, "Answer", user="UEVIL")).status == 200
    opened = await bot.slack.wait_for(lambda: bot.slack.of("views.open"), what="the modal")
    assert opened[0].view["title"]["text"] == "Daily question"
    assert (await bot.driver.submit(opened[0], answer, user="UEVIL")).status == 200
    await bot.settle()

    for user in ("UALICE", "UEVIL"):
        feedback = bot.slack.ephemerals(user)[-1]
        assert feedback.header.startswith("Your score: 100/100"), feedback.header
        assert feedback.thread_ts == daily.ts

    await bot.h.advance(timedelta(days=1))
    reveal = await bot.slack.wait_for(
        lambda: [c for c in bot.slack.in_thread(daily.ts) if c.header == "Answer reveal"],
        what="the reveal",
    )
    assert "2 answered" in reveal[0].shown
    assert "<!channel>" not in reveal[0].raw
    assert escape("<!channel>") in reveal[0].raw


async def test_a_retried_event_counts_once(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    event = bot.driver.reply_event(thread, answer_for(bot, last_in(bot, thread)))
    first = await bot.driver.event(event, event_id="Ev0RETRY")
    retry = await bot.driver.event(event, event_id="Ev0RETRY", retry=1)
    assert (first.status, retry.status) == (200, 200)
    await bot.settle()
    assert await count(bot, "select count(*) from answers") == 1
    scores = [c for c in bot.slack.in_thread(thread) if c.header.startswith("Score:")]
    assert len(scores) == 1


async def test_bad_signature_and_expired_timestamp_are_refused(bot: Bot) -> None:
    forged = await bot.driver.send(
        bot.driver.event_body(bot.driver.reply_event("1.2", "hi")),
        "application/json",
        secret="not-the-signing-secret",
    )
    stale = await bot.driver.send(
        bot.driver.event_body(bot.driver.reply_event("1.2", "hi")),
        "application/json",
        timestamp=int(time.time()) - 6 * 60,
    )
    unsigned_command = await bot.driver.command("mock 1")  # a control: this one is fine
    assert (forged.status, stale.status, unsigned_command.status) == (401, 401, 200)
    await bot.settle()
    assert await count(bot, "select count(*) from processed_events") == 1


async def test_schedule_changes_need_an_admin(bot: Bot) -> None:
    await bot.driver.command("daily set time=09:00 tz=Europe/Berlin", user="UNOBODY")
    await bot.settle()
    refusal = bot.slack.ephemerals("UNOBODY")[-1]
    assert "Only workspace admins" in refusal.shown
    assert await count(bot, "select count(*) from schedules") == 0

    await bot.driver.command("daily set time=09:00 tz=Europe/Berlin", user="ULISTED")
    await bot.settle()
    assert "schedule updated" in bot.slack.ephemerals("ULISTED")[-1].shown
    assert await count(bot, "select count(*) from schedules") == 1


async def test_a_429_with_retry_after_is_waited_out_and_nothing_is_lost(bot: Bot) -> None:
    bot.slack.fail_next("chat.postMessage", Fault(status=429, retry_after=1))
    started = time.monotonic()
    thread = await start_round(bot, "mock 1")
    limited = [c for c in bot.slack.of("chat.postMessage", ok_only=False) if c.status == 429]
    assert len(limited) == 1
    assert time.monotonic() - started >= 1.0
    intros = [c for c in bot.slack.posts() if c.header.startswith("Mock interview")]
    assert len(intros) == 1
    assert last_in(bot, thread).header == "Question 1 of 1"


async def test_text_from_users_never_pings(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1", user="UEVIL")
    intro = next(c for c in bot.slack.posts() if c.ts == thread)
    mrkdwn = intro.args["text"] + json.dumps([b for b in intro.blocks if b["type"] != "header"])
    assert "<!channel>" not in mrkdwn
    assert "<@UADMIN>" not in mrkdwn
    assert escape(EVIL_NAME) in intro.args["text"]
    for call in bot.slack.calls:
        for block in call.blocks:
            for piece in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
                if isinstance(piece, dict) and piece.get("type") == "mrkdwn":
                    assert "<!" not in piece["text"]
                    assert piece["verbatim"] is True


async def test_bot_messages_edits_and_top_level_messages_are_ignored(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    before = len(bot.slack.calls)
    base = bot.driver.reply_event(thread, "an answer")
    for event in (
        base | {"subtype": "message_changed"},
        base | {"bot_id": "B2", "subtype": "bot_message"},
        base | {"thread_ts": base["ts"]},
        {k: v for k, v in base.items() if k != "thread_ts"},
    ):
        assert (await bot.driver.event(event)).status == 200
    await bot.settle()
    assert bot.slack.calls[before:] == []
    assert await count(bot, "select count(*) from answers") == 0


async def test_acks_stay_quick_while_a_daily_post_is_slow(bot: Bot) -> None:
    await bot.driver.command("daily set time=09:00 tz=UTC", user="UADMIN")
    await bot.settle()
    bot.slack.delays["chat.postMessage"] = 2.0
    now = await bot.driver.command("daily now", user="UADMIN")
    await asyncio.sleep(0.1)  # the post is now waiting on the slow API
    assert bot.runtime.work.busy == 1
    during = [await bot.driver.command("help"), await bot.driver.reply("1.1", "hello")]
    assert all(s.status == 200 for s in [now, *during])
    assert max(s.elapsed_s for s in [now, *during]) < 0.5
    await bot.settle()
    assert any(c.header.startswith("Daily question") for c in bot.slack.posts())


async def test_app_home_shows_the_users_summary(bot: Bot) -> None:
    sent = await bot.driver.event({"type": "app_home_opened", "user": "UALICE", "tab": "home"})
    assert sent.status == 200
    await bot.settle()
    published = bot.slack.of("views.publish")[-1]
    assert published.args["user_id"] == "UALICE"
    view = published.view
    assert view["type"] == "home"
    assert view["blocks"]


async def test_uninstall_stops_the_workspaces_schedules_and_keeps_its_data(bot: Bot) -> None:
    await bot.driver.command("daily set time=09:00 tz=UTC", user="UADMIN")
    await bot.settle()
    await bot.driver.event({"type": "app_uninstalled"})
    await bot.settle()
    assert await count(bot, "select count(*) from schedules where enabled") == 0
    assert await count(bot, "select count(*) from schedules") == 1


async def test_stats_picture_goes_to_the_users_dms(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    await bot.settle()
    await bot.driver.command("stats")
    await bot.settle()
    assert bot.slack.ephemerals("UALICE")[-1].header.startswith("Stats")
    assert bot.slack.of("conversations.open")[-1].args["users"] == "UALICE"
    assert bot.slack.of("upload")
    assert bot.slack.of("files.completeUploadExternal")


async def test_a_public_channel_the_bot_is_not_in_is_joined(bot: Bot) -> None:
    bot.slack.fail_next("chat.postMessage", Fault(status=200, error="not_in_channel"))
    await start_round(bot, "mock 1")
    assert bot.slack.of("conversations.join")[-1].args["channel"] == "C1"


async def test_a_data_export_arrives_as_a_file_in_the_users_dms(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    await bot.settle()
    await bot.driver.command("privacy export")
    await bot.settle()
    assert bot.slack.ephemerals("UALICE")[-1].header == "Your data"
    uploads = bot.slack.of("files.getUploadURLExternal")
    assert uploads[-1].args["filename"] == "interview-bot-data-UALICE.json"
    assert bot.slack.of("files.completeUploadExternal")


async def test_a_burst_of_500s_loses_and_doubles_nothing(bot: Bot) -> None:
    bot.slack.fail_next("chat.postMessage", Fault(status=500, error="internal_error", times=3))
    thread = await start_round(bot, "mock 1")
    failed = [c for c in bot.slack.of("chat.postMessage", ok_only=False) if c.status == 500]
    assert len(failed) == 3
    intros = [c for c in bot.slack.posts() if c.header.startswith("Mock interview")]
    assert len(intros) == 1
    assert last_in(bot, thread).header == "Question 1 of 1"
