"""Bursts: many people answering at once must leave every point and streak exact."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.progress.points import daily_points
from storage.models import Answer, Streak
from tests.bot.test_daily import post_thread, question_of, schedule
from tests.support.harness import Harness, answer_covering

USERS = 200


async def test_200_answers_to_one_daily_question_within_a_second(h_both: Harness) -> None:
    h = h_both
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    thread, question_id = post_thread(h), question_of(h)
    text = answer_covering(h.bank, question_id)
    users = [f"u{n:03}" for n in range(USERS)]
    await asyncio.gather(*(h.say(text, thread, user=user) for user in users))
    async with h.uow() as uow:
        answers = list((await uow.session.execute(select(Answer))).scalars())
        streaks = list((await uow.session.execute(select(Streak))).scalars())
        total = (await uow.session.execute(select(func.sum(Answer.points)))).scalar_one()
    assert len(answers) == USERS
    assert all(a.counted for a in answers)
    question = h.bank.get(question_id)
    assert question is not None
    score = answers[0].score
    expected = sum(daily_points(question.difficulty, score, rank)[0] for rank in range(USERS))
    assert total == expected, "exactly three early bonuses, everyone else the base"
    assert len(streaks) == USERS
    assert {(s.current, s.longest) for s in streaks} == {(1, 1)}
    private = [s for s in h.chat.sent if s.kind == "private"]
    assert len({s.to_user for s in private}) >= USERS
