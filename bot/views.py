"""Builders of the engine's messages: what a round looks like, in neutral form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot import help as help_text
from bot.grading import GradeResult
from bot.messages import AnswerForm, Button, ButtonStyle, Field, RichMessage
from questions.bank import QuestionBank
from questions.schema import Question

FIELD_LIMIT = 1000


@dataclass(frozen=True)
class ScoreLine:
    position: int
    question: Question
    status: str
    score: int | None
    follow_up_score: int | None
    hints_used: int


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"• {item}" for item in items) if items else "—"


def grade_fields(result: GradeResult, model_answer: str | None) -> tuple[Field, ...]:
    """What the grader found, as every feedback message shows it."""
    fields = [
        Field("Covered", _clip(_bullets(result.covered)), inline=False),
        Field("Missed", _clip(_bullets(result.missed)), inline=False),
    ]
    if result.star is not None:
        found = [part.title() for part, ok in result.star.items() if ok]
        fields.append(Field("STAR parts found", ", ".join(found) or "none", inline=False))
    if model_answer:
        fields.append(Field("Model answer", _clip(model_answer), inline=False))
    return tuple(fields)


ANSWER_BY_REPLY = "Answer each one by replying in this thread."
ANSWER_BY_BUTTON = "Press Answer under each question to answer it."


def how_to_answer(replies_readable: bool) -> str:
    """A round's answers come as thread replies, or by the button where replies stay unread."""
    return ANSWER_BY_REPLY if replies_readable else ANSWER_BY_BUTTON


def round_intro(
    name: str,
    count: int,
    topic: str | None,
    difficulty: str | None,
    replies_readable: bool = True,
) -> RichMessage:
    scope = topic or "mixed topics"
    level = f", {difficulty}" if difficulty else ""
    plural = "question" if count == 1 else "questions"
    return RichMessage(
        title=f"Mock interview for {name}",
        body=(
            f"{count} {plural} on {scope}{level}. {how_to_answer(replies_readable)} "
            "Stuck? `/interview hint`. Move on: `/interview skip`. Stop: `/interview end`."
        ),
    )


def round_buttons(round_id: int, with_answer: bool = True) -> tuple[Button, ...]:
    value = str(round_id)
    buttons = [
        Button("Hint", "round:hint", value),
        Button("Skip", "round:skip", value),
        Button("End", "round:end", value, ButtonStyle.DANGER),
    ]
    if with_answer:
        form = AnswerForm(title="Your answer", label="Answer", placeholder="Type your answer…")
        buttons.insert(0, Button("Answer", "round:answer", value, ButtonStyle.PRIMARY, form))
    return tuple(buttons)


def question(
    bank: QuestionBank, round_id: int, position: int, count: int, q: Question
) -> RichMessage:
    return RichMessage(
        title=f"Question {position + 1} of {count}",
        body=q.prompt,
        context=f"{bank.topic_title(q.topic)} · {q.difficulty.value} · {q.stage.value}",
        buttons=round_buttons(round_id),
    )


def follow_up(round_id: int, position: int, prompt: str) -> RichMessage:
    return RichMessage(
        title=f"Follow-up to question {position + 1}",
        body=prompt,
        buttons=round_buttons(round_id),
    )


def feedback(
    result: GradeResult,
    q: Question,
    *,
    penalty: int,
    final_score: int,
    is_follow_up: bool,
    model_answer: str | None,
) -> RichMessage:
    fields = grade_fields(result, model_answer)
    notes = []
    if penalty:
        notes.append(f"{penalty} points off for hints.")
    if result.truncated:
        notes.append("Your answer was very long: only its first part was graded.")
    label = "Follow-up score" if is_follow_up else "Score"
    return RichMessage(
        title=f"{label}: {final_score}/100",
        body=" ".join([result.advice, *notes]),
        fields=fields,
    )


STAGE_TITLES = {
    "screening": "Screening",
    "theory": "Theory",
    "coding": "Coding",
    "system-design": "System design",
    "behavioral": "Behavioural",
    "ask-the-interviewer": "Questions for them",
}


NOTHING_SCORED = (
    "Nothing scored yet. Next time try `/interview hint` when stuck, and read the model "
    "answers in this thread to see which key points a good answer covers."
)


def standing(means: Mapping[str, float], kind: str) -> list[tuple[str, str]]:
    """Strongest and weakest as (label, value) lines, saying so plainly when there is no
    difference to name: one group, a tie, or nothing above zero."""
    rounded = {name: round(mean) for name, mean in means.items()}
    if not rounded:
        return []
    top, bottom = max(rounded.values()), min(rounded.values())
    if len(rounded) == 1:
        ((name, score),) = rounded.items()
        return [(kind.capitalize(), f"{name} ({score})")]
    if top == 0:
        return [(f"{kind.capitalize()}s", "every answer scored 0, so none stands out")]
    if top == bottom:
        return [(f"{kind.capitalize()}s", f"every {kind} scored {top}, so none stands out")]

    def named(score: int) -> str:
        names = [name for name, value in rounded.items() if value == score]
        return f"{', '.join(names)} ({score})"

    return [(f"Strongest {kind}", named(top)), (f"Weakest {kind}", named(bottom))]


def scorecard(
    bank: QuestionBank, lines: Sequence[ScoreLine], ended_early: bool, by_stage: bool = False
) -> RichMessage:
    """Per question (or, for an interview loop, per stage), a total, and the best and worst."""

    def group_of(line: ScoreLine) -> str:
        if by_stage:
            return STAGE_TITLES[line.question.stage.value]
        return bank.topic_title(line.question.topic)

    fields = []
    for line in lines:
        name = group_of(line) if by_stage else f"Q{line.position + 1} · {group_of(line)}"
        if line.status == "skipped":
            value = "skipped (0)"
        elif line.score is None:
            value = "not answered"
        else:
            value = f"{line.score}/100"
            if line.follow_up_score is not None:
                value += f" · follow-up {line.follow_up_score}"
            if line.hints_used:
                value += f" · {plural(line.hints_used, 'hint')}"
        fields.append(Field(name, value))
    counted = [line for line in lines if line.status in ("answered", "skipped")]
    kind = "stage" if by_stage else "topic"
    if not counted:
        body = ["No question was answered before the round ended, so there is no score."]
    else:
        total = round(sum(line.score or 0 for line in counted) / len(counted))
        body = [f"*Total: {total}/100* over {plural(len(counted), 'question')}."]
        groups: dict[str, list[int]] = {}
        for line in counted:
            groups.setdefault(group_of(line), []).append(line.score or 0)
        means = {name: sum(v) / len(v) for name, v in groups.items()}
        body.extend(f"{name}: {value}." for name, value in standing(means, kind))
        if not any(line.score for line in counted):
            body.append(NOTHING_SCORED)
    if ended_early:
        body.append("The round was ended early.")
    body.append("Start another with `/interview mock`.")
    title = "Interview loop scorecard" if by_stage else "Scorecard"
    return RichMessage(title=title, body="\n".join(body), fields=tuple(fields))


def loop_intro(
    name: str,
    stages: Sequence[str],
    role_title: str | None = None,
    replies_readable: bool = True,
) -> RichMessage:
    kind = f"{role_title} interview loop" if role_title else "Interview loop"
    return RichMessage(
        title=f"{kind} for {name}",
        body=(
            f"{plural(len(stages), 'question')}, one per stage as a real loop runs: "
            f"{', '.join(stages)}. {how_to_answer(replies_readable)} "
            "Stuck? `/interview hint`. Move on: `/interview skip`. Stop: `/interview end`."
        ),
    )


def paused(channel_hint: str) -> RichMessage:
    return RichMessage(
        body=(
            "⏸ This round is paused after a while without an answer. Reply here to pick it up, "
            f"or run `/interview mock` in {channel_hint} to resume."
        )
    )


def resume_offer(round_id: int, answered: int, count: int, mock_args: str) -> RichMessage:
    return RichMessage(
        title="You have a paused round here",
        body=f"{answered} of {count} questions done. Resume it, or end it and start a new one?",
        buttons=(
            Button("Resume", "round:resume", str(round_id), ButtonStyle.PRIMARY),
            Button("Start new", "round:restart", f"{round_id}:{mock_args}"),
        ),
    )


def already_running(position: int, count: int) -> RichMessage:
    return RichMessage(
        body=(
            f"You already have a round going in this channel (question {position + 1} of {count}). "
            "Answer in its thread, or `/interview end` to stop it first."
        )
    )


def topics(bank: QuestionBank) -> RichMessage:
    counts = bank.counts()["topic"]
    lines = []
    for topic in bank.topics:
        aliases = f" (also: {', '.join(topic.aliases[:3])})" if topic.aliases else ""
        lines.append(
            f"• `{topic.id}` — {topic.title}, {counts.get(topic.id, 0)} questions{aliases}"
        )
    return RichMessage(
        title="Topics",
        body="\n".join(lines) + "\n\nExample: `/interview mock " + bank.topics[0].id + " 3`",
    )


def help_message(subject: str | None = None) -> RichMessage:
    return RichMessage(title="interview-bot help", body=help_text.entry(subject))


def error(message: str, help_subject: str | None = None, with_help: bool = True) -> RichMessage:
    body = message
    if with_help:
        body += "\n\n" + help_text.entry(help_subject)
    return RichMessage(body=body)


def info(message: str) -> RichMessage:
    return RichMessage(body=message)


_LIMITED = {
    "new round": "new rounds",
    "daily now": "`daily now` posts",
    "stats": "stats pictures",
    "data export": "data exports",
}


def rate_limited(action: str, allowed: int, per: timedelta, scope: str, wait_s: int) -> RichMessage:
    """A private, friendly refusal that says when to try again."""
    span = f"{int(per.total_seconds() // 60)} minutes" if per < timedelta(hours=1) else "hour"
    who = "you" if scope == "user" else "this channel"
    what = _LIMITED.get(action, action)
    return RichMessage(
        body=(
            f"⏳ That's the limit for now: {who} can have {allowed} {what} every {span}. "
            f"Try again in {wait_s} s."
        )
    )
