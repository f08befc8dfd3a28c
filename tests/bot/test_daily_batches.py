"""Answers to a daily question that arrive together are written together, by the same rules."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from bot.events import MessagePosted, ModalSubmitted
from bot.progress.points import daily_points
from storage.models import Answer, ProcessedEvent, Streak, User
from tests.bot.test_daily import post_thread, question_of, schedule
from tests.support import stored
from tests.support.harness import Harness, answer_covering
from tests.support.memory.daily import DailyAnswers

USERS = 60


@contextmanager
def counting_commits(h: Harness) -> Iterator[list[int]]:
    commits: list[int] = []

    def on_commit(_conn: object) -> None:
        commits.append(1)

    event.listen(h.database.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(h.database.sync_engine, "commit", on_commit)


async def posted_question(h: Harness) -> tuple[str, str]:
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # a Monday
    await schedule(h)
    await h.advance(timedelta(hours=2))
    return post_thread(h), question_of(h)


def reply(h: Harness, thread: str, user: str, text: str, event_id: str) -> MessagePosted:
    return MessagePosted(h.place("C1", thread), h.actor(user), text, f"m-{event_id}", event_id)


async def test_a_burst_is_written_in_few_transactions_with_exact_places_points_and_streaks(
    h_both: Harness,
) -> None:
    h = h_both
    thread, question_id = await posted_question(h)
    text = answer_covering(h.bank, question_id)
    await h.say(text, thread, user="first")  # the thread is known from here on
    with counting_commits(h) as commits:
        await asyncio.gather(
            *(h.send(reply(h, thread, f"u{n:03}", text, f"burst-{n}")) for n in range(USERS))
        )
    assert len(commits) < USERS / 4, "answers that arrive together share a transaction"

    async with h.uow() as uow:
        answers = list((await uow.session.execute(select(Answer))).scalars())
        streaks = list((await uow.session.execute(select(Streak))).scalars())
    assert len(answers) == USERS + 1
    assert sorted(a.answer_rank for a in answers) == list(range(USERS + 1))
    question = h.bank.get(question_id)
    assert question is not None
    for a in answers:
        assert a.counted
        assert a.points == daily_points(question.difficulty, a.score, a.answer_rank or 0)[0]
    assert {(s.current, s.longest) for s in streaks} == {(1, 1)}
    assert len(streaks) == USERS + 1
    told = {s.to_user for s in h.chat.sent if s.kind == "private"}
    assert {f"u{n:03}" for n in range(USERS)} <= told


async def test_the_first_burst_after_a_post_is_batched_too(h_both: Harness) -> None:
    h = h_both
    thread, question_id = await posted_question(h)
    text = answer_covering(h.bank, question_id)
    with counting_commits(h) as commits:
        await asyncio.gather(
            *(h.send(reply(h, thread, f"u{n:03}", text, f"early-{n}")) for n in range(USERS))
        )
    assert len(commits) < USERS / 4, "the post's own thread is known as soon as it is recorded"
    async with h.uow() as uow:
        ranks = (await uow.session.execute(select(Answer.answer_rank))).scalars().all()
    assert sorted(r for r in ranks if r is not None) == list(range(USERS))


async def test_duplicates_in_and_across_batches_count_once_and_a_second_answer_replaces(
    h_both: Harness,
) -> None:
    h = h_both
    thread, question_id = await posted_question(h)
    good = answer_covering(h.bank, question_id)
    await h.say(good, thread, user="first")
    same = reply(h, thread, "dup", good, "same-event")
    await asyncio.gather(
        *(h.send(same) for _ in range(3)),
        h.send(reply(h, thread, "twice", "I am not sure.", "twice-1")),
        h.send(reply(h, thread, "twice", good, "twice-2")),
    )
    await h.send(same)  # a platform retry, later

    async with h.uow() as uow:
        rows = (
            await uow.session.execute(
                select(User.external_id, Answer.counted, Answer.answer_rank, Answer.text)
                .join(User, User.id == Answer.user_id)
                .order_by(Answer.id)
            )
        ).all()
        claimed = (
            await uow.session.execute(
                select(func.count())
                .select_from(ProcessedEvent)
                .where(ProcessedEvent.event_id == "same-event")
            )
        ).scalar_one()
    by_user: dict[str, list[tuple[bool, int | None, str]]] = {}
    for user, counted, rank, text in rows:
        by_user.setdefault(user, []).append((counted, rank, text))
    assert len(by_user["dup"]) == 1, "three deliveries and a retry of one event: one answer"
    assert claimed == 1
    twice = by_user["twice"]
    assert len(twice) == 2
    assert [counted for counted, _, _ in twice] == [False, True], "the later answer counts"
    assert twice[0][1] == twice[1][1], "a replacement keeps its place"
    ranks = [rank for answers in by_user.values() for counted, rank, _ in answers if counted]
    assert sorted(ranks) == list(range(len(ranks)))


async def test_a_batch_that_fails_is_handled_answer_by_answer_and_nothing_is_lost(
    h_memory: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = h_memory
    thread, question_id = await posted_question(h)
    text = answer_covering(h.bank, question_id)
    await h.say(text, thread, user="first")
    real = DailyAnswers.add_answers
    failures: list[int] = []

    async def fails_once_for_a_batch(self: DailyAnswers, rows: object) -> None:
        batch = list(rows)  # type: ignore[call-overload]
        if len(batch) > 1 and not failures:
            failures.append(len(batch))
            raise RuntimeError("the database went away mid-batch")
        await real(self, batch)

    monkeypatch.setattr(DailyAnswers, "add_answers", fails_once_for_a_batch)
    await asyncio.gather(*(h.send(reply(h, thread, f"u{n}", text, f"e-{n}")) for n in range(20)))
    assert failures, "a batch of several answers was attempted"
    answers = await stored.answers(h)
    assert len(answers) == 21
    assert sorted(a.answer_rank for a in answers) == list(range(21))
    assert {(s.current, s.longest) for s in await stored.streaks(h)} == {(1, 1)}


async def test_an_answer_form_for_another_channels_question_is_refused(h_memory: Harness) -> None:
    h = h_memory
    await posted_question(h)
    [post] = await stored.daily_posts(h)
    form = ModalSubmitted(
        h.place("C2"), h.actor("bob"), "daily:answer", str(post.id), "an answer", "form-1"
    )
    await h.send(form)
    assert "not from this channel" in (h.chat.private_to("bob")[-1].message.body or "")
    assert await stored.answers(h) == []
