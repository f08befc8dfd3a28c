"""The daily loop on a moved clock: schedules, exactly-once posts, answers, reveal, DST."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.daily.service import pick_question
from bot.events import ModalSubmitted, Place
from bot.messages import MessageRef, RichMessage
from tests.support.fakes import FakeChat, Sent
from tests.support.harness import Harness, answer_covering
from tests.support.stored import answers
from tests.support.stored import daily_posts as rows

BERLIN = ZoneInfo("Europe/Berlin")


def daily_posts(h: Harness) -> list[Sent]:
    return [
        s
        for s in h.chat.sent
        if s.kind == "post" and (s.message.title or "").startswith("Daily question")
    ]


def post_thread(h: Harness, index: int = -1) -> str:
    post = daily_posts(h)[index]
    thread = next(t for t in h.chat.threads if t.thread == f"t-{post.message_id}")
    assert thread.thread is not None
    return thread.thread


def question_of(h: Harness, index: int = -1) -> str:
    prompt = daily_posts(h)[index].message.body.split("\n\n")[0]
    return next(q.id for q in h.bank.questions if q.prompt == prompt)


async def schedule(h: Harness, spec: str = "time=09:00 tz=Europe/Berlin days=mon-fri") -> None:
    await h.command(f"daily set {spec}", admin=True)


async def test_an_admin_sets_a_schedule_and_sees_the_next_post_time(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # Monday 10:00 in Berlin
    await schedule(h)
    status = h.chat.private_to("alice")[-1].message
    assert status.title == "Daily question schedule updated"
    assert "Posts at 09:00 Europe/Berlin, mon-fri." in status.body
    assert "Next post: Tue 3 Mar 09:00 CET." in status.body
    await h.command("daily status", user="bob")
    assert "Next post: Tue 3 Mar 09:00 CET." in h.chat.private_to("bob")[-1].message.body


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("tz=UTC", "Tell me when to post"),
        ("time=25:00", "hours go to 23"),
        ("time=9am tz=Mars/Olympus", "`Mars/Olympus` is not a time zone I know"),
        ("time=09:00 days=funday", "Days `funday`: 'funday' is not a day"),
        ("time=09:00 colour=blue", "`colour=blue` is not a setting"),
        ("time=09:00 topics=astrology", "I don't know the topic `astrology`"),
        ("time=09:00 topics=behavioral difficulty=hard", "No questions match"),
    ],
)
async def test_bad_schedules_get_a_clear_error_with_an_example(
    h_memory: Harness, args: str, expected: str
) -> None:
    h = h_memory
    await h.command(f"daily set {args}", admin=True)
    assert expected in h.chat.private_to("alice")[-1].message.body
    assert await h.engine.enabled_schedules() == []


async def test_only_admins_change_schedules(h_memory: Harness) -> None:
    h = h_memory
    await h.command("daily set time=09:00 tz=UTC")
    assert "Only workspace admins" in h.chat.private_to("alice")[-1].message.body
    assert await h.engine.enabled_schedules() == []
    await schedule(h)
    await h.command("daily off")
    await h.command("daily now")
    assert len(await h.engine.enabled_schedules()) == 1
    await h.command("daily off", admin=True)
    assert await h.engine.enabled_schedules() == []


async def test_posts_on_scheduled_days_only_at_the_local_time(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))  # Sunday
    await schedule(h)
    await h.advance(timedelta(days=7))
    posted = [(s.message.title or "") for s in daily_posts(h)]
    assert posted == [
        "Daily question · Mon 2 Mar",
        "Daily question · Tue 3 Mar",
        "Daily question · Wed 4 Mar",
        "Daily question · Thu 5 Mar",
        "Daily question · Fri 6 Mar",
    ]
    stored = await rows(h)
    assert stored[0].posted_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert len({p.question_id for p in stored}) == 5


async def test_answers_are_graded_privately_and_a_later_answer_replaces_the_first(
    h_memory: Harness,
) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    thread, question_id = post_thread(h), question_of(h)
    await h.say("I am not sure about this one.", thread, user="bob")
    first = h.chat.private_to("bob")[-1]
    assert first.place.thread == thread
    assert first.message.title is not None
    assert first.message.title.startswith("Your score: ")
    assert "Model answer" not in first.text, "no spoilers before the reveal"
    await h.say(answer_covering(h.bank, question_id), thread, user="bob")
    second = h.chat.private_to("bob")[-1].message
    assert "This replaces your earlier answer" in second.body
    stored = await answers(h)
    assert [(a.counted, a.points > 0) for a in stored] == [(False, False), (True, True)]
    public = [s for s in h.chat.sent if s.kind != "private" and s.place.thread == thread]
    assert public == [], "feedback never lands in public"


async def test_first_good_answers_get_a_small_bonus(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    thread, good = post_thread(h), answer_covering(h.bank, question_of(h))
    for user in ("u1", "u2", "u3", "u4"):
        await h.say(good, thread, user=user)
    stored = await answers(h)
    base = stored[-1].points
    assert [a.points - base for a in stored] == [5, 3, 1, 0]


async def test_reveal_posts_the_model_answer_and_a_recap_without_pings(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    thread, question_id = post_thread(h), question_of(h)
    good = answer_covering(h.bank, question_id)
    await h.say(good, thread, user="ann")
    await h.say("It depends.", thread, user="ben")
    await h.say(good, thread, user="cat")
    await h.advance(timedelta(hours=22, minutes=54))  # Tue 08:54 Berlin: before the reveal
    assert not any(s.message.title == "Answer reveal" for s in h.chat.sent)
    await h.advance(timedelta(minutes=2))
    reveal = next(s for s in h.chat.sent if s.message.title == "Answer reveal")
    assert reveal.place.thread == thread
    assert reveal.message.mention_user_id is None
    recap = {f.name: f.value for f in reveal.message.fields}["Recap"]
    assert recap.startswith("3 answered · mean score ")
    assert "top: Ann (" in recap
    assert "Cat (" in recap
    await h.say(good, thread, user="dan")
    late = h.chat.private_to("dan")[-1]
    assert "practice: no points" in late.message.body
    assert "Model answer" in late.text
    assert (await answers(h))[-1].points == 0


async def test_a_reveal_time_can_be_set(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h, "time=09:00 tz=Europe/Berlin days=mon-fri reveal=17:00")
    await h.advance(timedelta(hours=9, minutes=1))  # Mon 17:01 Berlin
    assert [s.message.title for s in h.chat.sent].count("Answer reveal") == 1


async def test_two_processes_racing_post_once(h_both: Harness) -> None:
    h = h_both
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    h.clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    other = h.new_engine()
    first = h.new_engine()
    [(schedule_id, *_)] = await first.enabled_schedules()
    results = await asyncio.gather(
        *(e.fire_daily(schedule_id) for e in (first, other, first, other))
    )
    assert sorted(results) == [False, False, False, True]
    assert len(daily_posts(h)) == 1
    await asyncio.gather(first.tick(), other.tick())
    assert len(daily_posts(h)) == 1


async def test_a_crash_between_claim_and_send_is_recovered_once(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    await schedule(h)
    h.chat.fail_next = 1
    await h.advance(timedelta(minutes=2))
    assert daily_posts(h) == []
    [claim] = await rows(h)
    assert claim.status == "claimed"
    await h.advance(timedelta(minutes=2))
    assert daily_posts(h) == [], "a fresh claim is left to its holder"
    await h.advance(timedelta(minutes=5))
    assert len(daily_posts(h)) == 1
    [posted] = await rows(h)
    assert posted.status == "posted"
    assert posted.question_id == claim.question_id, "the retry posts the same question"


async def test_catch_up_after_downtime_within_the_grace(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    h.clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # down 09:00-14:00 Berlin
    await h.engine.tick()
    assert [s.message.title for s in daily_posts(h)] == ["Daily question · Mon 2 Mar"]
    h.clock.set(datetime(2026, 3, 3, 15, 30, tzinfo=UTC))  # down past the 6 h grace
    await h.engine.tick()
    assert len(daily_posts(h)) == 1


async def test_dst_spring_forward_posts_once_at_0330(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    await schedule(h, "time=02:30 tz=Europe/Berlin days=daily")
    await h.advance(timedelta(days=2))
    stored = await rows(h)
    assert [p.local_date for p in stored] == [date(2026, 3, 29), date(2026, 3, 30)]
    assert stored[0].posted_at is not None
    assert stored[0].posted_at.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


async def test_dst_fall_back_posts_once_even_if_the_job_fires_twice(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    await schedule(h, "time=02:30 tz=Europe/Berlin days=daily")
    await h.advance_to(datetime(2026, 10, 25, 0, 31, tzinfo=UTC))  # first 02:30
    [(schedule_id, *_)] = await h.engine.enabled_schedules()
    h.clock.set(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # the repeated 02:30 (CET)
    assert await h.engine.fire_daily(schedule_id) is False
    await h.advance(timedelta(days=1))
    assert [p.local_date for p in await rows(h)] == [date(2026, 10, 25), date(2026, 10, 26)]


async def test_no_repeat_until_the_filtered_pool_is_used_up(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    await schedule(h, "time=09:00 tz=UTC days=daily topics=metrics")
    await h.advance(timedelta(days=6))
    ids = [p.question_id for p in await rows(h)]
    assert len(ids) == 6
    assert len(set(ids[:3])) == 3
    assert set(ids[3:]) == set(ids[:3])
    assert all(h.bank.get(i).topic == "evaluation" for i in ids)  # type: ignore[union-attr]


def test_the_pick_is_fixed_for_a_channel_and_date() -> None:
    from tests.support.harness import fixture_bank

    pool = fixture_bank().questions
    day = date(2026, 3, 2)
    picks = {pick_question(pool, {}, "test:W1:C1", day).id for _ in range(5)}
    assert len(picks) == 1
    others = {pick_question(pool, {}, "test:W1:C1", day + timedelta(days=n)).id for n in range(20)}
    assert len(others) > 1


async def test_daily_now_posts_today_once(h_memory: Harness) -> None:
    h = h_memory
    await schedule(h)
    await h.command("daily now", admin=True)
    assert len(daily_posts(h)) == 1
    await h.command("daily now", admin=True)
    assert "already posted" in h.chat.private_to("alice")[-1].message.body
    assert len(daily_posts(h)) == 1


async def test_answer_button_form_counts_like_a_reply(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    button = daily_posts(h)[-1].message.buttons[0]
    assert button.form is not None
    text = answer_covering(h.bank, question_of(h))
    place = h.place("C1", post_thread(h))
    await h.send(ModalSubmitted(place, h.actor("bob"), button.action_id, button.value, text, "m-1"))
    assert (await answers(h))[-1].counted


async def test_a_reply_racing_the_posts_own_bookkeeping_is_not_lost(h_memory: Harness) -> None:
    h = h_memory

    class SlowToConfirm(FakeChat):
        gate = asyncio.Event()
        delivered = asyncio.Event()

        async def post(self, place: Place, message: RichMessage) -> MessageRef:
            ref = await super().post(place, message)
            self.delivered.set()
            await self.gate.wait()  # sent, but the bot has not recorded it yet
            return ref

    slow = SlowToConfirm()
    h.chat = slow
    h.new_engine()
    h.clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    await schedule(h)
    [(schedule_id, *_)] = await h.engine.enabled_schedules()
    posting = asyncio.create_task(h.engine.fire_daily(schedule_id))
    await asyncio.wait_for(slow.delivered.wait(), 10)
    thread = f"t-{daily_posts(h)[0].message_id}"
    replying = asyncio.create_task(h.say("A quick answer about precision.", thread, user="bob"))
    await asyncio.sleep(0.3)
    slow.gate.set()
    assert await posting
    await replying
    assert len(await answers(h)) == 1
