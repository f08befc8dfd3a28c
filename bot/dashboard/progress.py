"""Personal progress in numbers: activity per day, score trend per topic, strongest and weakest
topics. Pure functions over answers, so the rules are tested without a page or a database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.ports.dashboard import ScoredAnswer
from bot.ports.records import AnswerSummary
from questions.bank import QuestionBank

HEATMAP_WEEKS = 52
TREND_MONTHS = 12
# A topic needs this many answers before its trend is called rising or falling.
TREND_MIN_ANSWERS = 4
# ...and its later half must differ from its earlier half by this many points.
TREND_MIN_CHANGE = 5.0
STANDING_SIZE = 3


@dataclass(frozen=True)
class Activity:
    """Answers per day over whole weeks (Monday first), up to today."""

    start: date
    today: date
    counts: dict[date, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def columns(self) -> list[list[tuple[date, int | None]]]:
        """Columns of seven days; a day after today has None (not yet), not 0."""
        columns = []
        day = self.start
        while day <= self.today:
            column = []
            for offset in range(7):
                current = day + timedelta(days=offset)
                count = None if current > self.today else self.counts.get(current, 0)
                column.append((current, count))
            columns.append(column)
            day += timedelta(weeks=1)
        return columns

    def week_rows(self) -> list[tuple[date, int, int]]:
        """(Monday, answers, days with an answer) per week, newest first: the table form."""
        rows = []
        for column in reversed(self.columns):
            counts = [count for _, count in column if count]
            rows.append((column[0][0], sum(counts), len(counts)))
        return rows


def activity(
    answers: Iterable[ScoredAnswer], zone: ZoneInfo, today: date, weeks: int = HEATMAP_WEEKS
) -> Activity:
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    counts: dict[date, int] = {}
    for answer in answers:
        day = answer.submitted_at.astimezone(zone).date()
        if start <= day <= today:
            counts[day] = counts.get(day, 0) + 1
    return Activity(start, today, counts)


@dataclass(frozen=True)
class MonthScore:
    month: date  # the 1st of the month
    mean: float
    answers: int


@dataclass(frozen=True)
class TopicTrend:
    topic: str
    title: str
    months: tuple[MonthScore, ...]
    answers: int
    mean: float
    direction: str  # rising | falling | steady | new (too few answers to say)


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return starts[::-1]


def direction(scores: Sequence[int]) -> str:
    """Rising or falling when the later half of the answers beats or trails the earlier half."""
    if len(scores) < TREND_MIN_ANSWERS:
        return "new"
    half = len(scores) // 2
    earlier = sum(scores[:half]) / half
    later = sum(scores[-half:]) / half
    if later - earlier >= TREND_MIN_CHANGE:
        return "rising"
    if earlier - later >= TREND_MIN_CHANGE:
        return "falling"
    return "steady"


def topic_trends(
    answers: Sequence[ScoredAnswer],
    bank: QuestionBank,
    zone: ZoneInfo,
    today: date,
    months: int = TREND_MONTHS,
) -> list[TopicTrend]:
    """Mean score per month and topic over the last months, in the order of the answers."""
    window = _month_starts(today, months)
    first = window[0]
    by_topic: dict[str, list[tuple[date, int]]] = {}
    for answer in answers:
        question = bank.get(answer.question_id)
        day = answer.submitted_at.astimezone(zone).date()
        if question is None or day < first:
            continue
        by_topic.setdefault(question.topic, []).append((day.replace(day=1), answer.score))
    trends = []
    for topic, rows in by_topic.items():
        per_month: dict[date, list[int]] = {}
        for month, score in rows:
            per_month.setdefault(month, []).append(score)
        scores = [s for _, s in rows]
        trends.append(
            TopicTrend(
                topic,
                bank.topic_title(topic),
                tuple(
                    MonthScore(m, sum(per_month[m]) / len(per_month[m]), len(per_month[m]))
                    for m in window
                    if m in per_month
                ),
                len(scores),
                sum(scores) / len(scores),
                direction(scores),
            )
        )
    return sorted(trends, key=lambda t: (-t.answers, t.title))


@dataclass(frozen=True)
class TopicTotal:
    topic: str
    title: str
    answers: int
    mean: float
    best: int
    last_day: date


def summary(answers: Sequence[ScoredAnswer]) -> AnswerSummary:
    """Answers, mean score and points, as `/interview stats` counts them."""
    mean = sum(a.score for a in answers) / len(answers) if answers else None
    return AnswerSummary(len(answers), mean, sum(a.points for a in answers))


def topic_totals(
    answers: Iterable[ScoredAnswer], bank: QuestionBank, zone: ZoneInfo
) -> list[TopicTotal]:
    """All-time answers, mean and best score per topic, best mean first."""
    by_topic: dict[str, list[ScoredAnswer]] = {}
    for answer in answers:
        question = bank.get(answer.question_id)
        if question is not None:
            by_topic.setdefault(question.topic, []).append(answer)
    rows = []
    for topic, items in by_topic.items():
        rows.append(
            TopicTotal(
                topic,
                bank.topic_title(topic),
                len(items),
                sum(a.score for a in items) / len(items),
                max(a.score for a in items),
                max(a.submitted_at for a in items).astimezone(zone).date(),
            )
        )
    return sorted(rows, key=lambda r: (-r.mean, -r.answers, r.title))


def strongest_and_weakest(
    totals: Sequence[TopicTotal], size: int = STANDING_SIZE
) -> tuple[list[TopicTotal], list[TopicTotal]]:
    """The best and the worst topics by mean score, never the same topic in both lists.

    Topics with two or more answers come first: one lucky answer is not a strength."""
    settled = [t for t in totals if t.answers >= 2] or list(totals)
    ranked = sorted(settled, key=lambda t: (-t.mean, -t.answers, t.title))
    strongest = ranked[:size]
    rest = [t for t in ranked if t not in strongest]
    weakest = sorted(rest, key=lambda t: (t.mean, -t.answers, t.title))[:size]
    return strongest, weakest
