"""Messages of the daily loop: the question, private feedback, the reveal, schedule status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.daily.calendar import format_days
from bot.grading import GradeResult
from bot.messages import AnswerForm, Button, ButtonStyle, Field, RichMessage
from bot.views import _bullets, _clip, grade_fields
from questions.bank import QuestionBank
from questions.schema import Question

DAILY_HOWTO = "Reply in this thread (or press Answer). Feedback comes to you privately."
# Where replies in the thread never reach the bot, the button is the one way to answer.
DAILY_HOWTO_BUTTON = "Press Answer to answer. Feedback comes to you privately."


def daily_question(
    bank: QuestionBank, post_id: int, day: date, question: Question, replies_readable: bool = True
) -> RichMessage:
    form = AnswerForm(title="Daily question", label="Your answer", placeholder="Type your answer…")
    howto = DAILY_HOWTO if replies_readable else DAILY_HOWTO_BUTTON
    return RichMessage(
        title=f"Daily question · {day:%a %-d %b}",
        body=f"{question.prompt}\n\n{howto}",
        context=" · ".join(
            (bank.topic_title(question.topic), question.difficulty.value, question.stage.value)
        ),
        buttons=(Button("Answer", "daily:answer", str(post_id), ButtonStyle.PRIMARY, form),),
    )


def daily_feedback(
    result: GradeResult,
    *,
    points: int,
    bonus: int,
    replaced: bool,
    practice: bool,
    streak: int | None,
    model_answer: str | None,
) -> RichMessage:
    fields = grade_fields(result, model_answer)
    notes = [result.advice]
    if practice:
        notes.append("The answer is already revealed, so this one is practice: no points.")
    else:
        earned = f"+{points} points" + (
            f" (including +{bonus} for answering early)" if bonus else ""
        )
        notes.append(earned + ".")
        if replaced:
            notes.append("This replaces your earlier answer to today's question.")
        if streak:
            notes.append(f"Streak: {streak} day{'s' if streak != 1 else ''}.")
    if result.truncated:
        notes.append("Your answer was very long: only its first part was graded.")
    return RichMessage(title=f"Your score: {result.score}/100", body=" ".join(notes), fields=fields)


def reveal(
    question: Question, answered: int, mean: float | None, top: Sequence[tuple[str, int]]
) -> RichMessage:
    fields = [
        Field("Key points", _clip(_bullets([kp.point for kp in question.key_points])), inline=False)
    ]
    podium = ", ".join(f"{name} ({score})" for name, score in top if score > 0)
    if answered and podium:
        recap = f"{answered} answered · mean score {round(mean or 0)} · top: {podium}"
    elif answered:
        recap = (
            f"{answered} answered, and no answer scored yet: the key points above are what a "
            "good answer covers."
        )
    else:
        recap = "Nobody answered this one. Tomorrow is another day."
    fields.append(Field("Recap", recap, inline=False))
    return RichMessage(title="Answer reveal", body=question.answer, fields=tuple(fields))


def schedule_status(
    *,
    post_time: str,
    zone: str,
    weekdays: frozenset[int],
    topics: Sequence[str],
    packs: Sequence[str],
    stages: str,
    difficulty: str | None,
    reveal_time: str | None,
    enabled: bool,
    next_post: datetime | None,
    changed: bool = False,
) -> RichMessage:
    where = ZoneInfo(zone)
    lines = [
        f"Posts at {post_time} {zone}, {format_days(weekdays)}.",
        f"Topics: {', '.join(topics) if topics else 'all'} · difficulty: {difficulty or 'any'}"
        f" · packs: {', '.join(packs) if packs else 'all'}.",
        f"Stages: {stages}.",
        f"Reveal: {reveal_time + ' the same day' if reveal_time else 'just before the next post'}.",
    ]
    if not enabled:
        lines.insert(
            0, "The daily question is *off* here. `/interview daily set ...` turns it back on."
        )
    elif next_post is not None:
        lines.append(f"Next post: {next_post.astimezone(where):%a %-d %b %H:%M %Z}.")
    return RichMessage(
        title="Daily question schedule" + (" updated" if changed else ""), body="\n".join(lines)
    )
