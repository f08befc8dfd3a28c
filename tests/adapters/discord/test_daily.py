"""The daily question on Discord: schedule, post and thread, answers, private feedback, reveal."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from adapters.discord.commands import ADMIN_ONLY
from bot.app.root import App
from bot.app.simulation import advance_to
from bot.ports.clock import ManualClock
from storage.models import Schedule
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.standin import CHANNEL_ID, EPHEMERAL, FakeDiscord
from tests.support.harness import START, answer_covering

CALLBACK = r"/interactions/{}/[^/]+/callback"


async def schedules(bot: App) -> int:
    async with bot.database.connect() as conn:
        return int((await conn.execute(select(func.count(Schedule.id)))).scalar_one())


async def test_a_daily_post_takes_answers_in_its_thread_and_by_modal_then_reveals(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    clock = bot.clock
    assert isinstance(clock, ManualClock)

    set_id = await fake.slash(
        "carol",
        ["daily", "set"],
        {"time": "09:30", "tz": "UTC", "days": "mon-fri", "reveal": "17:00"},
        admin=True,
    )
    confirmation = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if m.title.startswith("Daily question schedule")]
    )
    assert "Posts at 09:30 UTC" in confirmation[0].text()
    assert fake.calls_to("POST", CALLBACK.format(set_id))[0].body["data"]["flags"] & EPHEMERAL

    await advance_to(bot.engine, clock, START + timedelta(minutes=30))
    post = await fake.wait_for(
        lambda: [m for m in fake.in_channel(CHANNEL_ID) if m.title.startswith("Daily question ·")]
    )
    thread_id = post[0].id
    assert thread_id in fake.threads, "the post opened its thread"
    assert fake.threads[thread_id]["thread_metadata"]["auto_archive_duration"] == 1440
    prompt = post[0].embeds[0]["description"].split("\n\n")[0]
    question = next(q for q in bot.bank.questions if q.prompt == prompt)

    # Alice replies in the thread: her feedback is a thread reply that may ping her alone.
    await fake.say("alice", thread_id, answer_covering(bot.bank, question.id))
    feedback = await fake.wait_for(
        lambda: [m for m in fake.in_channel(thread_id) if m.title.startswith("Your score")]
    )
    alice_id = fake.user("alice")["id"]
    assert feedback[0].content == f"<@{alice_id}>"
    sent = fake.calls_to("POST", rf"/channels/{thread_id}/messages")[-1]
    assert sent.body["allowed_mentions"] == {"parse": [], "users": [int(alice_id)]}

    # Bob uses the Answer button: his feedback is ephemeral, on his interaction.
    answer_button = next(c for c in post[0].custom_ids() if c.startswith("ibf|daily:answer|"))
    press_id = await fake.press("bob", post[0], answer_button)
    modal = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(press_id)))
    assert modal[0].body["type"] == 9
    await fake.submit("bob", thread_id, modal[0].body["data"]["custom_id"], "Precision is about it")
    private = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if m.title.startswith("Your score")]
    )
    assert private[0].payload["flags"] & EPHEMERAL
    assert len([m for m in fake.in_channel(thread_id) if m.title.startswith("Your score")]) == 1

    await advance_to(bot.engine, clock, START.replace(hour=17, minute=1))
    reveal = await fake.wait_for(
        lambda: [m for m in fake.in_channel(thread_id) if m.title == "Answer reveal"]
    )
    recap = reveal[0].text()
    assert "2 answered" in recap
    assert "Alice" in recap
    assert "Bob" not in recap  # his answer scored 0, which earns no place among the top
    assert question.answer[:40] in recap


async def test_a_member_without_manage_server_is_refused_the_schedule_commands(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    refused = await fake.slash("alice", ["daily", "set"], {"time": "09:00", "tz": "UTC"})
    callback = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(refused)))
    data = callback[0].body["data"]
    assert data["content"] == ADMIN_ONLY
    assert data["flags"] & EPHEMERAL
    now_id = await fake.slash("alice", ["daily", "now"])
    await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(now_id)))
    assert await schedules(bot) == 0

    # anyone may ask when the next post comes
    status = await fake.slash("alice", ["daily", "status"])
    answer = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(status)))
    assert "No daily question here yet" in answer[0].body["data"]["content"]
