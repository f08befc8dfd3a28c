"""Mock rounds as a user lives them, on a FakeChat and a clock the test moves."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from storage.models import Answer, RoundQuestion
from tests.support import stored
from tests.support.harness import Harness
from tests.support.stored import rounds as rounds_in_db


async def answer_count(h: Harness) -> int:
    return len(await stored.answers(h))


async def finish_current(h: Harness, text: str | None = None) -> None:
    """Answer the current question and, if one comes, its follow-up."""
    await h.say(text or h.good_answer(), h.thread)
    if (h.chat.sent[-1].message.title or "").startswith("Follow-up to"):
        await h.say(
            "I would use an elastic net and favour recall since missed cancer is costly.", h.thread
        )


async def test_a_round_opens_a_thread_and_asks_the_first_question(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    intro = h.chat.sent[0]
    assert intro.kind == "post"
    assert intro.message.title == "Mock interview for Alice"
    assert "2 questions on Evaluation and metrics" in intro.message.body
    first = h.chat.in_thread(h.thread)[0]
    assert first.message.title == "Question 1 of 2"
    assert "Evaluation and metrics" in (first.message.context or "")
    assert [b.label for b in first.message.buttons] == ["Answer", "Hint", "Skip", "End"]
    assert first.message.buttons[0].form is not None


async def test_full_round_grades_each_answer_and_ends_with_a_scorecard(h_both: Harness) -> None:
    h = h_both
    await h.command("mock 3 metrics")
    asked: list[str] = []
    for _ in range(3):
        asked.append(h.current_question_id())
        await finish_current(h)
    assert len(set(asked)) == 3, "no question repeats within a round"
    titles = h.chat.titles()
    assert sum(t.startswith("Score: ") for t in titles) == 3
    card = h.chat.sent[-1]
    assert card.message.title == "Scorecard"
    assert [f.name.split(" · ")[0] for f in card.message.fields] == ["Q1", "Q2", "Q3"]
    assert "Total: " in card.message.body
    scores = [
        int(t.removeprefix("Score: ").removesuffix("/100"))
        for t in titles
        if t.startswith("Score: ")
    ]
    assert all(score >= 70 for score in scores), scores
    assert (await rounds_in_db(h))[0].status == "finished"


async def test_feedback_lists_covered_and_missed_points_and_the_model_answer(
    h_memory: Harness,
) -> None:
    h = h_memory
    await h.command("mock regularisation 1 medium")
    assert h.current_question_id() == "t-l1-l2"
    await h.say("L1 pushes weights exactly zero so we get sparsity in the model.", h.thread)
    feedback = next(s for s in h.chat.sent if (s.message.title or "").startswith("Score: "))
    fields = {f.name: f.value for f in feedback.message.fields}
    assert "L1 penalises absolute weights" in fields["Covered"]
    assert "L2 penalises squared weights" in fields["Missed"]
    assert "elastic net" in fields["Model answer"]
    score = int((feedback.message.title or "").split(": ")[1].split("/")[0])
    assert 10 <= score <= 60


async def test_follow_up_is_asked_and_graded_before_the_next_question(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock regularisation 1 medium")
    await h.say(h.good_answer(), h.thread)
    assert h.chat.sent[-1].message.title == "Follow-up to question 1"
    assert "combine both penalties" in h.chat.sent[-1].message.body
    await h.say("I would combine them with an elastic net.", h.thread)
    titles = h.chat.titles()
    assert "Follow-up score: 100/100" in titles
    assert titles[-1] == "Scorecard"
    assert "follow-up 100" in h.chat.sent[-1].text


async def test_other_people_may_comment_without_their_words_counting(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 1")
    before = len(h.chat.sent)
    await h.say("Great question, I wonder what Alice says!", h.thread, user="bob")
    assert len(h.chat.sent) == before
    assert await answer_count(h) == 0
    await finish_current(h)
    assert await answer_count(h) >= 1


async def test_hints_come_one_at_a_time_and_cost_points(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock regularisation medium 1")
    await h.command("hint")
    await h.command("hint")
    await h.command("hint")
    replies = [s.message.body for s in h.chat.in_thread(h.thread)]
    assert any(r.startswith("💡 Hint 1 (1 more): Picture the shape") for r in replies)
    assert any(r.startswith("💡 Hint 2: Which one") for r in replies)
    assert replies[-1] == "No more hints for this question."
    await h.say(h.good_answer(), h.thread)
    feedback = next(s for s in h.chat.sent if (s.message.title or "").startswith("Score: "))
    assert feedback.message.title == "Score: 90/100"
    assert "10 points off for hints" in feedback.message.body


async def test_skip_moves_on_and_counts_zero(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    await h.command("skip", thread=h.thread)
    assert h.chat.in_thread(h.thread)[-1].message.title == "Question 2 of 2"
    await finish_current(h)
    card = h.chat.sent[-1]
    assert card.message.title == "Scorecard"
    assert card.message.fields[0].value == "skipped (0)"


async def test_end_stops_early_with_a_scorecard_of_what_was_asked(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 3")
    await finish_current(h)
    await h.command("end")
    card = h.chat.sent[-1]
    assert card.message.title == "Scorecard"
    assert len(card.message.fields) == 2
    assert "ended early" in card.message.body
    assert (await rounds_in_db(h))[0].status == "ended"
    await h.command("skip")
    assert "no round in progress" in h.chat.sent[-1].message.body


async def test_one_open_round_per_user_per_channel(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    await h.command("mock")
    assert "already have a round going" in h.chat.private_to("alice")[-1].message.body
    await h.command("mock", channel="C2")
    await h.command("mock", user="bob")
    assert len(await rounds_in_db(h)) == 3


async def test_idle_round_pauses_and_mock_offers_to_resume(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    thread = h.thread
    h.clock.advance(timedelta(minutes=29))
    assert await h.engine.tick() == 0
    h.clock.advance(timedelta(minutes=2))
    assert await h.engine.tick() == 1
    assert "paused" in h.chat.in_thread(thread)[-1].message.body
    assert (await rounds_in_db(h))[0].status == "paused"
    await h.command("mock")
    offer = h.chat.private_to("alice")[-1].message
    assert offer.title == "You have a paused round here"
    assert [b.label for b in offer.buttons] == ["Resume", "Start new"]
    await h.press(offer.buttons[0].action_id, offer.buttons[0].value)
    replies = h.chat.in_thread(thread)
    assert replies[-1].message.title == "Question 1 of 2"
    assert (await rounds_in_db(h))[0].status == "active"


async def test_start_new_from_the_offer_ends_the_paused_round(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    h.clock.advance(timedelta(hours=1))
    await h.engine.tick()
    await h.command("mock regularisation 1")
    offer = h.chat.private_to("alice")[-1].message
    start_new = offer.buttons[1]
    await h.press(start_new.action_id, start_new.value)
    statuses = [r.status for r in await rounds_in_db(h)]
    assert statuses == ["ended", "active"]
    assert (await rounds_in_db(h))[1].topic == "regularisation"


async def test_a_reply_in_a_paused_round_picks_it_up(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 1")
    h.clock.advance(timedelta(hours=2))
    await h.engine.tick()
    await finish_current(h)
    assert h.chat.sent[-1].message.title == "Scorecard"


async def test_restart_in_the_middle_of_a_round_loses_nothing(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 3")
    await finish_current(h)
    second = h.current_question_id()
    h.new_engine()  # the process died; a new one starts on the same database
    await finish_current(h)
    assert h.current_question_id() not in {second}
    await finish_current(h)
    card = h.chat.sent[-1]
    assert card.message.title == "Scorecard"
    assert all("/100" in f.value for f in card.message.fields)


async def test_next_round_prefers_questions_not_seen_before(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    first_round = set()
    for _ in range(2):
        first_round.add(h.current_question_id())
        await finish_current(h)
    await h.command("mock metrics 1")
    assert h.current_question_id() not in first_round


async def test_weak_questions_come_back_before_mastered_ones(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 3")
    ids = []
    for index in range(3):
        ids.append(h.current_question_id())
        await finish_current(h, None if index else "I am not sure about this one at all, sorry.")
    await h.command("mock metrics 1")
    assert h.current_question_id() == ids[0]


async def test_a_retried_event_is_counted_once(h_memory: Harness) -> None:
    from bot.events import MessagePosted

    h = h_memory
    await h.command("mock metrics 1")
    event = MessagePosted(h.place("C1", h.thread), h.actor(), h.good_answer(), "msg-1", "event-1")
    await h.send(event)
    await h.send(event)
    await asyncio.gather(h.send(event), h.send(event))
    assert await answer_count(h) == 1


async def test_racing_answers_never_advance_a_round_twice(h_both: Harness) -> None:
    h = h_both
    await h.command("mock metrics 3")
    text = "Precision counts predicted positives correct and recall counts actual positives found."
    await asyncio.gather(*(h.say(text, h.thread) for _ in range(4)))
    async with h.uow() as uow:
        rows = list(
            (
                await uow.session.execute(select(RoundQuestion).order_by(RoundQuestion.position))
            ).scalars()
        )
        answers = list((await uow.session.execute(select(Answer))).scalars())
    graded_slots = {(a.round_question_id, a.is_follow_up) for a in answers}
    assert len(graded_slots) == len(answers), "an answer slot was graded twice"
    assert len(answers) == 4
    assert rows[0].status == "answered"


async def test_a_platform_hiccup_is_retried_and_the_answer_kept(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 2")
    h.chat.fail_next = 1
    await h.say(h.good_answer(), h.thread)
    assert await answer_count(h) == 1
    assert any((s.message.title or "").startswith("Score: ") for s in h.chat.sent)


async def test_an_outage_loses_no_answer_and_resume_shows_the_question_again(
    h_memory: Harness,
) -> None:
    h = h_memory
    await h.command("mock metrics 3")
    await finish_current(h)
    h.chat.fail_next = 100  # nothing can be delivered for a while
    await h.say("A confusion matrix shows predicted versus actual labels.", h.thread)
    await h.command("skip")
    h.chat.fail_next = 0
    h.chat.clear()
    [round_] = await rounds_in_db(h)
    assert await answer_count(h) >= 2, "the answer given during the outage is stored"
    await h.command("resume")
    assert (
        h.chat.in_thread(h.thread)[-1].message.title
        == f"Question {round_.current_position + 1} of 3"
    )


async def test_a_storage_failure_saves_nothing_and_says_so(h: Harness) -> None:
    await h.command("mock metrics 2")
    answer = h.good_answer()
    h.chat.clear()
    async with h.uow() as uow:
        await uow.session.execute(text("DROP TABLE answers"))
        await uow.commit()
    await h.say(answer, h.thread)
    [notice] = h.chat.sent
    assert notice.kind == "private"
    assert "nothing was saved" in notice.message.body
    assert not any((s.message.title or "").startswith("Score") for s in h.chat.sent)


async def test_answer_form_and_buttons_work_like_commands(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock regularisation 2")
    question = h.chat.in_thread(h.thread)[-1].message
    answer_button, hint_button = question.buttons[0], question.buttons[1]
    await h.press(hint_button.action_id, hint_button.value, thread=h.thread)
    assert h.chat.in_thread(h.thread)[-1].message.body.startswith("💡 Hint 1")
    await h.submit(answer_button.value, h.good_answer(), thread=h.thread)
    assert any((s.message.title or "").startswith("Score: ") for s in h.chat.sent)
    await h.press(hint_button.action_id, hint_button.value, user="mallory", thread=h.thread)
    assert "someone else's round" in h.chat.private_to("mallory")[-1].message.body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dance", "I don't know the command `dance`"),
        ("mokc", "Did you mean `/interview mock`?"),
        ("mock 0", "1 to 20 questions; `0` is out of range"),
        ("mock 500", "`500` is out of range"),
        ("mock count=abc", "whole number from 1 to 20, not `abc`"),
        ("mock metrcs", "Did you mean `evaluation`"),
        ("mock quantum-chemistry", "I don't know the topic `quantum-chemistry`"),
        ("mock extreme", "I don't know the topic `extreme`"),
        ("mock behavioral hard", "There are no hard behavioral questions yet"),
    ],
)
async def test_bad_commands_get_a_friendly_private_error(
    h_memory: Harness, text: str, expected: str
) -> None:
    h = h_memory
    await h.command(text)
    reply = h.chat.private_to("alice")[-1].message.body
    assert expected in reply
    assert not h.chat.threads, "no round starts on a bad command"


async def test_help_and_topics_answer_privately(h_memory: Harness) -> None:
    h = h_memory
    await h.command("help")
    assert (
        "/interview mock [topic] [count] [difficulty]"
        in h.chat.private_to("alice")[-1].message.body
    )
    await h.command("help hint")
    assert "costs 5 points" in h.chat.private_to("alice")[-1].message.body
    await h.command("topics")
    body = h.chat.private_to("alice")[-1].message.body
    assert "`evaluation` — Evaluation and metrics, 3 questions (also: metrics)" in body
    await h.command("")
    assert "interview-bot" in h.chat.private_to("alice")[-1].message.body


async def test_an_async_grader_is_awaited_by_the_engine(h_memory: Harness) -> None:
    h = h_memory
    from bot.grading import GradeResult, Rubric
    from bot.rounds.mock import MockRounds, RoundRules

    class SlowModelGrader:
        def grade(self, rubric: Rubric, answer: str) -> GradeResult:
            raise AssertionError("the async path must be used")

        async def grade_async(self, rubric: Rubric, answer: str) -> GradeResult:
            await asyncio.sleep(0)
            return GradeResult(
                42, (), tuple(kp.point for kp in rubric.key_points), "From the model."
            )

    engine = h.new_engine()
    engine._router._rounds = MockRounds(SlowModelGrader(), RoundRules())
    await h.command("mock metrics 1")
    await h.say("Anything at all.", h.thread)
    feedback = next(s for s in h.chat.sent if (s.message.title or "").startswith("Score: "))
    assert feedback.message.title == "Score: 42/100"
    assert feedback.message.body.startswith("From the model.")
