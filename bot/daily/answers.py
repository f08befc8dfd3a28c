"""Recording daily answers, one or many at a time, under the same rules.

An answer is graded, then (before the reveal) it counts: the answerer's first counted answer
takes the next place for the early bonus, a later one replaces it and keeps that place, and the
streak advances in every group the answerer belongs to (joining the channel's group first).
After the reveal an answer is practice: graded, kept, worth nothing. The statements are
set-based (the unit of work's daily_answers), so a batch costs about what a single answer
does; a batch holds at most one answer per user, so no row is changed twice in one go.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from bot.daily import views as daily_views
from bot.daily.calendar import days_from_key
from bot.grading import Grader, GradeResult, Rubric, grade_answer
from bot.messages import RichMessage
from bot.ports import metrics
from bot.ports.records import AnswerRecord, Identity, PostFacts, StreakUpdate
from bot.ports.storage import DailyAnswers, Reviews
from bot.progress.points import daily_points
from bot.progress.streaks import StreakState, record_answer
from bot.review.cards import Graded, record_answers
from questions.bank import QuestionBank
from questions.schema import Question

# Grades that are not an attempt at the question: kept and shown, but no streak for them.
NOT_AN_ATTEMPT = frozenset({"empty", "off-topic", "restates-question"})


@dataclass(frozen=True)
class DailyEntry:
    ids: Identity
    post: PostFacts
    bank: QuestionBank
    text: str
    event_ref: str | None
    # Graded already (outside the transaction) against this entry's bank and question.
    result: GradeResult | None = None


@dataclass
class _Graded:
    entry: DailyEntry
    question: Question
    result: GradeResult
    practice: bool
    rank: int | None = None
    replaced: bool = False
    streak: int | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.entry.post.id, self.entry.ids.user_id)


async def record_daily_answers(
    store: DailyAnswers,
    grader: Grader,
    entries: list[DailyEntry],
    now: datetime,
    *,
    cards: Reviews,
) -> list[RichMessage | None]:
    """Grade and record each entry; the feedback for each (None: its question is gone)."""
    users = [entry.ids.user_id for entry in entries]
    if len(set(users)) != len(users):
        raise ValueError("a batch of daily answers holds at most one answer per user")
    graded: list[_Graded | None] = []
    for entry in entries:
        question = entry.bank.get(entry.post.question_id)
        if question is None:
            graded.append(None)
            continue
        result = entry.result or await grade_answer(
            grader, Rubric.for_question(question), entry.text
        )
        metrics.ANSWERS_GRADED.labels("daily").inc()
        graded.append(_Graded(entry, question, result, entry.post.status == "revealed"))
    done = [g for g in graded if g is not None]
    live = [g for g in done if not g.practice]
    await _place(store, live)
    await _advance_streaks(store, [g for g in live if g.result.reason not in NOT_AN_ATTEMPT], now)
    await store.add_answers(_record(g, now) for g in done)
    await record_answers(cards, [_graded(g) for g in done], now)
    return [_feedback(g) if g is not None else None for g in graded]


async def _place(store: DailyAnswers, live: list[_Graded]) -> None:
    """Give each counted answer its place: a replacement keeps the one it replaces."""
    earlier = await store.earlier_answers({g.key for g in live})
    newcomers: dict[int, list[_Graded]] = defaultdict(list)
    for g in live:
        before = earlier.get(g.key)
        g.replaced = before is not None
        if before is not None and before.answer_rank is not None:
            g.rank = before.answer_rank
        else:
            newcomers[g.entry.post.id].append(g)
    for post_id in sorted(newcomers):
        first = await store.take_ranks(post_id, len(newcomers[post_id]))
        for offset, g in enumerate(newcomers[post_id]):
            g.rank = first + offset
    await store.uncount({a.id for a in earlier.values()})


async def _advance_streaks(store: DailyAnswers, answers: list[_Graded], now: datetime) -> None:
    counting = [g for g in answers if g.entry.post.schedule_days is not None]
    if not counting:
        return
    groups = await store.channel_groups({g.entry.post.channel_id for g in counting})
    await store.join(
        {
            (groups[g.entry.post.channel_id], g.entry.ids.user_id)
            for g in counting
            if g.entry.post.channel_id in groups
        },
        now,
    )
    rows_of = defaultdict(list)
    for row in await store.lock_streaks({g.entry.ids.user_id for g in counting}, now):
        rows_of[row.user_id].append(row)
    updates: list[StreakUpdate] = []
    for g in counting:
        days = g.entry.post.schedule_days
        assert days is not None
        weekdays = days_from_key(days)
        for row in rows_of[g.entry.ids.user_id]:
            state = StreakState(row.current, row.longest, row.freezes, row.last_day)
            new = record_answer(state, g.entry.post.local_date, weekdays)
            updates.append(
                StreakUpdate(
                    row.group_id,
                    row.user_id,
                    new.current,
                    new.longest,
                    new.freezes,
                    new.last_day,
                    schedule_days=days,
                    updated_at=now,
                )
            )
            if groups.get(g.entry.post.channel_id) == row.group_id:
                g.streak = new.current
    await store.save_streaks(updates)


def _points(g: _Graded) -> tuple[int, int]:
    if g.practice or g.rank is None:
        return 0, 0
    return daily_points(g.question.difficulty, g.result.score, g.rank)


def _record(g: _Graded, now: datetime) -> AnswerRecord:
    entry = g.entry
    return AnswerRecord.graded(
        entry.ids,
        g.question.id,
        "daily",
        entry.text,
        g.result,
        score=g.result.score,
        points=_points(g)[0],
        event_ref=entry.event_ref,
        now=now,
        daily_post_id=entry.post.id,
        answer_rank=g.rank,
        counted=not g.practice,
    )


def _graded(g: _Graded) -> Graded:
    """The answer as its review card sees it."""
    result = g.result
    return Graded(g.entry.ids.user_id, g.question.id, result.score, result.covered, result.missed)


def _feedback(g: _Graded) -> RichMessage:
    points, bonus = _points(g)
    return daily_views.daily_feedback(
        g.result,
        points=points,
        bonus=bonus,
        replaced=g.replaced,
        practice=g.practice,
        streak=g.streak,
        model_answer=g.question.answer if g.practice else None,
    )
