"""Spaced review as a user lives it: cards from answers, review rounds, nudges, stats."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.review.schedule import next_card, rating_for
from tests.support.fakes import Sent
from tests.support.harness import Harness, answer_covering

WEAK_L1_L2 = "L1 pushes weights exactly zero so we get sparsity in the model."
FOLLOW_UP = "I would combine them with an elastic net."


def titled(h: Harness, prefix: str) -> list[Sent]:
    return [s for s in h.chat.sent if (s.message.title or "").startswith(prefix)]


def round_value(h: Harness) -> str:
    """The round id the last question's buttons carry."""
    return titled(h, "Question ")[-1].message.buttons[0].value


def told(h: Harness) -> str:
    """The last private word to alice."""
    return h.chat.private_to("alice")[-1].text


async def weak_mock_answer(h: Harness) -> None:
    """A mock round of one question (L1 vs L2) answered poorly, its follow-up well."""
    await h.command("mock regularisation 1 medium")
    assert h.current_question_id() == "t-l1-l2"
    await h.say(WEAK_L1_L2, h.thread)
    await h.say(FOLLOW_UP, h.thread)
    assert h.chat.sent[-1].message.title == "Scorecard"


async def full_mock_answer(h: Harness) -> None:
    await h.command("mock regularisation 1 medium")
    await h.say(h.good_answer(), h.thread)
    await h.say(FOLLOW_UP, h.thread)
    assert titled(h, "Score: 100/100")


# --- the rating and the schedule --------------------------------------------------------


def test_the_rating_follows_the_score_and_the_missed_key_points() -> None:
    assert rating_for(30, 3, 1).name == "Again"
    assert rating_for(75, 1, 1).name == "Again"  # half the key points missed
    assert rating_for(55, 3, 1).name == "Hard"
    assert rating_for(80, 3, 1).name == "Good"
    assert rating_for(90, 3, 1).name == "Good"  # a miss keeps it from Easy
    assert rating_for(95, 4, 0).name == "Easy"


def test_weak_answers_come_back_tomorrow_and_strong_ones_after_days() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    weak = next_card(None, 1, "q", 30, ("a",), ("b", "c"), now)
    strong = next_card(None, 1, "q", 100, ("a", "b", "c"), (), now)
    assert weak.due - now == timedelta(days=1)
    assert strong.due - now >= timedelta(days=5)
    again = next_card(strong, 1, "q", 20, (), ("a", "b", "c"), strong.due)
    assert again.due - strong.due == timedelta(days=1)
    assert (again.reps, again.lapses) == (2, 1)
    kept = next_card(weak, 1, "q", 100, ("a", "b", "c"), (), weak.due)
    assert kept.due - weak.due > timedelta(days=1)
    assert (kept.reps, kept.lapses) == (2, 0)


# --- review rounds ------------------------------------------------------------------------


async def test_a_poor_answer_comes_back_the_next_day_as_a_review(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.command("review")
    assert "Nothing is due for review right now" in told(h)
    assert "due tomorrow (Tue 03 Mar) at 09:00 UTC" in told(h)
    await h.advance(timedelta(days=1))
    h.chat.clear()
    await h.command("review")
    intro = h.chat.sent[0]
    assert intro.kind == "post"
    assert intro.message.title == "Review for Alice"
    assert "1 card due for review" in intro.message.body
    first = h.chat.in_thread(h.thread)[0]
    assert first.message.title == "Question 1 of 1"
    assert [b.label for b in first.message.buttons] == ["Answer", "Hint", "Skip", "End"]
    assert h.current_question_id() == "t-l1-l2"
    await h.say(h.good_answer(), h.thread)
    compared = titled(h, "Compared with last time")[-1]
    fields = {f.name: f.value for f in compared.message.fields}
    assert "L2 penalises squared weights" in fields["Recalled this time"]
    assert "Last time" in compared.message.body
    assert "now 100" in compared.message.body
    assert "This card comes back in" in (compared.message.context or "")
    await h.say(FOLLOW_UP, h.thread)
    assert h.chat.sent[-1].message.title == "Scorecard"
    await h.command("review")
    assert "Nothing is due for review right now" in told(h)


async def test_review_texts_speak_in_the_users_zone_and_plain_words(h_memory: Harness) -> None:
    h = h_memory  # Monday 2 March, 09:00 UTC
    await weak_mock_answer(h)  # due Tuesday 3 March, 09:00 UTC
    await h.command("review remind 08:00 tz=Asia/Tokyo")
    await h.command("review")
    assert told(h) == (
        "Nothing is due for review right now. Your next card is due tomorrow (Tue 03 Mar) "
        "at 18:00 JST."
    ), "told on the clock of the zone the reminder keeps"
    await h.advance_to(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    await h.command("review")
    intro = titled(h, "Review for Alice")[-1].message.body
    assert intro.startswith("1 card due for review: this round asks it.")
    await h.say(WEAK_L1_L2, h.thread)
    compared = titled(h, "Compared with last time")[-1].message
    assert re.fullmatch(r"Last time you scored (\d+), now \1: the same score\.", compared.body)
    assert {f.name for f in compared.fields} == {"Missed again"}
    assert compared.context == "This card comes back tomorrow (Wed 04 Mar) at 19:00 JST."


async def test_a_full_answer_stays_away_for_several_days(h_memory: Harness) -> None:
    h = h_memory
    await full_mock_answer(h)
    for _ in range(4):
        await h.advance(timedelta(days=1))
        await h.command("review")
        assert "Nothing is due for review right now" in told(h)
    await h.advance(timedelta(days=4))
    await h.command("review")
    assert titled(h, "Review for Alice")


async def test_most_overdue_cards_come_first_and_count_limits_the_round(
    h_memory: Harness,
) -> None:
    h = h_memory
    await weak_mock_answer(h)  # t-l1-l2, due first
    await h.advance(timedelta(hours=2))
    await h.command("mock metrics 1")
    second = h.current_question_id()
    await h.say("I am not sure.", h.thread)
    if (h.chat.sent[-1].message.title or "").startswith("Follow-up"):
        await h.say("No idea either.", h.thread)
    await h.advance(timedelta(days=2))
    await h.command("review 1")
    intro = titled(h, "Review for Alice")[-1]
    assert "2 cards due for review: this round asks the most overdue one" in intro.message.body
    assert "the other one waits for your next `/interview review`" in intro.message.body
    assert h.current_question_id() == "t-l1-l2"
    assert second != "t-l1-l2"
    await h.press("round:end", round_value(h))
    assert h.chat.sent[-1].message.title == "Scorecard"


async def test_a_review_round_uses_the_mock_controls(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.advance(timedelta(days=1))
    await h.command("review")
    await h.command("hint")
    assert h.chat.in_thread(h.thread)[-1].message.body.startswith("💡 Hint 1")
    await h.command("skip", thread=h.thread)
    assert h.chat.sent[-1].message.title == "Scorecard"
    await h.command("review")  # a skip grades nothing: the card is still due
    assert titled(h, "Review for Alice")[-1] is not None
    assert h.current_question_id() == "t-l1-l2"
    await h.submit(round_value(h), h.good_answer())
    assert titled(h, "Compared with last time")


async def test_no_cards_yet_says_how_cards_are_made(h_memory: Harness) -> None:
    await h_memory.command("review")
    assert "no review cards yet" in told(h_memory)


async def test_a_review_waits_for_an_open_round_in_the_channel(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.advance(timedelta(days=1))
    await h.command("mock metrics 2")
    await h.command("review")
    assert "You have a round open here" in told(h)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("review 0", "`0` is out of range"),
        ("review 500", "`500` is out of range"),
        ("review lots", "`lots` is not a number of cards"),
        ("review 2 3", "takes at most a number of cards"),
        ("review remind 25:00", "`25:00` is not a time of day"),
        ("review remind 9am", "`9am` is not a time of day"),
        ("review remind 08:00 tz=Mars/Olympus", "`Mars/Olympus` is not a time zone I know"),
        ("review remind", "Say when"),
        ("review remind off now", "takes nothing more"),
    ],
)
async def test_bad_review_input_gets_a_clear_error(
    h_memory: Harness, text: str, expected: str
) -> None:
    await h_memory.command(text)
    assert expected in told(h_memory)
    assert "/interview review" in told(h_memory)  # the help that explains the right form
    async with h_memory.uow() as uow:
        assert await uow.reviews.reminder_of(1) is None


# --- reminders ----------------------------------------------------------------------------


async def test_a_reminder_comes_once_a_day_while_cards_are_due_and_stops_when_off(
    h_memory: Harness,
) -> None:
    h = h_memory  # Monday 2 March, 09:00 UTC
    await h.command("review remind 10:30 tz=Europe/Berlin")
    assert "Review reminders on: a private message at 10:30 (Europe/Berlin)" in told(h)
    await h.advance(timedelta(hours=6))
    assert h.chat.direct_to("alice") == [], "nothing is due yet: no nudge"
    await weak_mock_answer(h)  # due Tuesday 15:00 UTC
    await h.advance_to(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert h.chat.direct_to("alice") == [], "at 10:30 Berlin on Tuesday the card was not due"
    await h.advance_to(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    nudges = h.chat.direct_to("alice")
    assert len(nudges) == 1
    assert nudges[0].message.title == "Time to review"
    assert "1 card due for review" in nudges[0].message.body
    await h.engine.tick()
    await h.engine.tick()
    assert len(h.chat.direct_to("alice")) == 1, "once a day, however often the sweep runs"
    await h.advance_to(datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 2
    await h.command("review remind off")
    assert "Review reminders off" in told(h)
    await h.advance(timedelta(days=3))
    assert len(h.chat.direct_to("alice")) == 2
    await h.command("review remind off")
    assert "were not on" in told(h)


async def test_changing_the_time_the_same_day_does_not_nudge_twice(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.command("review remind 09:30")  # UTC: no zone given, no channel group
    await h.advance_to(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 1
    await h.command("review remind 11:00")
    await h.advance_to(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 1
    await h.advance_to(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 2


async def test_two_replicas_sweeping_together_send_one_nudge(h: Harness) -> None:
    await weak_mock_answer(h)
    await h.command("review remind 09:30 tz=UTC")
    first = h.engine
    second = h.new_engine()
    h.clock.set(datetime(2026, 3, 3, 9, 45, tzinfo=UTC))
    await first.tick()
    await second.tick()
    assert len(h.chat.direct_to("alice")) == 1


async def test_a_nudge_whose_send_fails_is_sent_later_that_day_exactly_once(
    h_both: Harness,
) -> None:
    h = h_both
    await weak_mock_answer(h)  # due Tuesday 15:00 UTC
    await h.command("review remind 16:00 tz=UTC")
    h.clock.set(datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    h.chat.fail_next = 1  # the platform refuses the first try
    await h.engine.tick()
    assert h.chat.direct_to("alice") == [], "the refused nudge was not delivered"
    await h.advance_to(datetime(2026, 3, 3, 23, 0, tzinfo=UTC))
    nudges = h.chat.direct_to("alice")
    assert len(nudges) == 1, "the next sweep retried it, and once delivered it stays delivered"
    assert "1 card due for review" in nudges[0].message.body
    await h.advance_to(datetime(2026, 3, 4, 17, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 2, "the next day's nudge comes as usual"


async def test_two_replicas_racing_after_a_failed_send_deliver_one_nudge(h_both: Harness) -> None:
    h = h_both
    await weak_mock_answer(h)
    await h.command("review remind 16:00 tz=UTC")
    first, second = h.engine, h.new_engine()
    h.clock.set(datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    h.chat.fail_next = 1
    await asyncio.gather(first.tick(), second.tick())
    # A replica reading after the refused try's claim was given back may deliver it at once.
    assert len(h.chat.direct_to("alice")) <= 1
    for minutes in (15, 30, 45, 60):
        h.clock.set(datetime(2026, 3, 3, 16, 0, tzinfo=UTC) + timedelta(minutes=minutes))
        await asyncio.gather(first.tick(), second.tick())
    assert len(h.chat.direct_to("alice")) == 1, "delivered once, never twice"
    h.clock.set(datetime(2026, 3, 4, 16, 0, tzinfo=UTC))
    await asyncio.gather(first.tick(), second.tick())
    assert len(h.chat.direct_to("alice")) == 2, "and once the next day"


async def test_a_failure_late_in_the_day_waits_for_the_next_day(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.command("review remind 23:50 tz=UTC")
    h.clock.set(datetime(2026, 3, 3, 23, 50, tzinfo=UTC))
    h.chat.fail_next = 1
    await h.engine.tick()
    async with h.uow() as uow:
        reminder = await uow.reviews.reminder_of(1)
    assert reminder is not None
    assert reminder.next_at == datetime(2026, 3, 4, 23, 50, tzinfo=UTC), "no retry past midnight"
    await h.advance_to(datetime(2026, 3, 5, 0, 0, tzinfo=UTC))
    assert len(h.chat.direct_to("alice")) == 1, "Wednesday's nudge, once"


# --- stats and privacy --------------------------------------------------------------------


async def test_stats_show_due_cards_and_retention(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.command("stats")
    stats = h.chat.private_to("alice")[-1].message
    review = {f.name: f.value for f in stats.fields}["Review"]
    assert review == "0 due now · 1 this week · retention - (0 reviews)"
    await h.advance(timedelta(days=1))
    await h.command("review")
    await h.say(h.good_answer(), h.thread)
    await h.command("stats")
    review = {f.name: f.value for f in h.chat.private_to("alice")[-1].message.fields}["Review"]
    assert review == "0 due now · 1 this week · retention 100% (1 review)"


async def test_my_data_export_lists_my_review_cards(h_both: Harness) -> None:
    h = h_both
    await weak_mock_answer(h)
    await h.command("privacy export")
    attachment = h.chat.private_to("alice")[-1].message.attachment
    assert attachment is not None
    [card] = json.loads(attachment.data)["reviews"]
    assert card["question_id"] == "t-l1-l2"
    assert card["reps"] == 1
    assert "L2 penalises squared weights and shrinks them smoothly" in card["last_missed"]
    assert card["due"].startswith("2026-03-03")


async def test_deleting_my_data_removes_my_cards_and_reminder(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.command("review remind 10:00")
    await h.command("privacy delete")
    await h.press("privacy:delete", "alice")
    await h.command("review")
    assert "no review cards yet" in told(h)
    async with h.uow() as uow:
        user = await uow.directory.find_user(1, "alice")
        assert user is not None
        assert await uow.reviews.reminder_of(user.id) is None


async def test_the_forecast_counts_cards_per_day(h_memory: Harness) -> None:
    h = h_memory
    await weak_mock_answer(h)
    await h.advance(timedelta(hours=1))
    await h.command("mock metrics 1")
    await h.say(answer_covering(h.bank, h.current_question_id()), h.thread)
    async with h.uow() as uow:
        user = await uow.directory.find_user(1, "alice")
        assert user is not None
        days = await uow.reviews.due_per_day(user.id, h.clock.now(), 10, "UTC")
    assert len(days) == 10
    assert days[1] == (datetime(2026, 3, 3).date(), 1)
    assert sum(count for _, count in days) == 2


# --- daily answers ------------------------------------------------------------------------


async def test_daily_answers_make_cards_for_everyone_who_answered(h_both: Harness) -> None:
    h = h_both  # Monday 2 March, 10:00 in Berlin: the first post is Tuesday 09:00
    await h.command("daily set time=09:00 tz=Europe/Berlin days=mon-fri", admin=True)
    await h.advance_to(datetime(2026, 3, 3, 8, 5, tzinfo=UTC))
    post = next(s for s in titled(h, "Daily question · ") if s.kind == "post")
    thread = f"t-{post.message_id}"
    prompt = post.message.body.split("\n\n")[0]
    question_id = next(q.id for q in h.bank.questions if q.prompt == prompt)
    await asyncio.gather(
        h.say(answer_covering(h.bank, question_id), thread, user="alice"),
        h.say("I am not sure at all.", thread, user="bob"),
        h.say("Something vague about models.", thread, user="carol"),
    )
    async with h.uow() as uow:
        ids = {}
        for name in ("alice", "bob", "carol"):
            user = await uow.directory.find_user(1, name)
            assert user is not None
            ids[name] = user.id
        cards = await uow.reviews.cards({(i, question_id) for i in ids.values()})
    assert len(cards) == 3
    answered = h.clock.now()
    assert cards[(ids["bob"], question_id)].due - answered <= timedelta(days=1, minutes=1)
    assert cards[(ids["alice"], question_id)].due - answered >= timedelta(days=5)
    await h.advance(timedelta(days=1))
    await h.command("review", user="bob")
    assert titled(h, "Review for Bob")
