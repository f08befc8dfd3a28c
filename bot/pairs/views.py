"""What a pair session looks like: the thread's messages and the interviewer's private notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.grading.advice import as_clause
from bot.grading.derive import key_points_of
from bot.messages import AnswerForm, Button, ButtonStyle, Field, RichMessage
from bot.ports.records import PairSide, User
from bot.views import info
from questions.schema import Question

MARKS = ("covered", "half", "missed")
MARK_ICONS = {"covered": "✅", "half": "◐", "missed": "❌", None: "▫️"}
FIELD_LIMIT = 1000
FINISH_FORM = AnswerForm(
    title="Finish: rating and note",
    label="Rating 1-5, then a note for the candidate",
    placeholder="4 Clear on the trade-off; say when you would pick each.",
    max_length=2000,
)

MARK = "pair:mark"
NOTES = "pair:notes"
FOLLOW = "pair:follow"
FINISH = "pair:finish"
SWAP = "pair:swap"
ACCEPT = "pair:accept"
DECLINE = "pair:decline"


@dataclass(frozen=True)
class Verdicts:
    """Each key point's mark from the interviewer and from the bot, side by side."""

    points: tuple[str, ...]
    interviewer: tuple[str | None, ...]
    bot: tuple[str, ...]

    @property
    def disagreements(self) -> list[int]:
        """1-based numbers of the points the two judged differently."""
        return [
            n
            for n, (mine, bots) in enumerate(zip(self.interviewer, self.bot, strict=True), start=1)
            if mine is not None and mine != bots
        ]

    @property
    def unmarked(self) -> list[int]:
        """1-based numbers of the points the interviewer did not tick."""
        return [n for n, mine in enumerate(self.interviewer, start=1) if mine is None]


def numbered(noun: str, numbers: Sequence[int]) -> str:
    """ "point 2", "points 2 and 3", "points 1, 3 and 4"."""
    words = [str(n) for n in numbers]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{noun}{'' if len(words) == 1 else 's'} {listed}"


def clip(text: str, limit: int = FIELD_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def key_point_texts(question: Question) -> tuple[str, ...]:
    """The points the checklist shows: the written ones, or those derived from the answer."""
    points, _derived = key_points_of(question)
    return tuple(kp.point for kp in points)


def half_made(points: Sequence[str], covered: Sequence[str], partly: Sequence[str]) -> list[str]:
    """The points the grader found half made: its partly lines name them in their own words."""
    return [
        point
        for point in points
        if point not in covered and any(as_clause(point) in line for line in partly)
    ]


def verdicts(question: Question, side: PairSide) -> Verdicts:
    points = key_point_texts(question)
    return Verdicts(
        points=points,
        interviewer=tuple(side.checklist.get(str(n)) for n in range(1, len(points) + 1)),
        bot=tuple(
            "covered" if p in side.bot_covered else "half" if p in side.bot_partly else "missed"
            for p in points
        ),
    )


def intro(first: str, second: str, topic: str | None, difficulty: str | None) -> RichMessage:
    scope = scope_of(topic, difficulty)
    return RichMessage(
        title=f"Pair interview: {first} and {second}",
        body=(
            f"A peer mock interview ({scope}). {first} interviews first and {second} answers in "
            "this thread; then you swap roles with a new question."
        ),
    )


def side_start(side: PairSide, interviewer: str, candidate: str) -> RichMessage:
    """The round's announcement; its button shows the notes to the interviewer alone (a
    platform can show a private message only to the one who just acted)."""
    return RichMessage(
        title=f"Round {side.position + 1}: {interviewer} interviews {candidate}",
        body=(
            f"{interviewer}: press *My notes* for the question, the model answer and the "
            "checklist, which only you see. Ask the question in your own words, tick the key "
            f"points as you hear them, then finish with a rating.\n"
            f"{candidate}: answer here in the thread, as in a real interview."
        ),
        buttons=(Button("My notes", NOTES, str(side.id), ButtonStyle.PRIMARY),),
    )


def panel(side: PairSide, question: Question, candidate: str) -> RichMessage:
    """The interviewer's private notes and checklist, with its buttons."""
    points = key_point_texts(question)
    parts = [f"*Ask {candidate}:* {question.prompt}", f"*Model answer:* {clip(question.answer)}"]
    if question.hints:
        parts.append("*Hints if they are stuck:*\n" + "\n".join(f"• {h}" for h in question.hints))
    if question.follow_ups:
        parts.append("*Follow-ups:*\n" + "\n".join(f"• {f.prompt}" for f in question.follow_ups))
    if side.follow_up_index is not None and question.follow_ups:
        asked = question.follow_ups[side.follow_up_index]
        parts.append(f"*Follow-up asked:* {asked.prompt}\n*Its answer:* {clip(asked.answer or '')}")
    checklist = "\n".join(
        f"{n}. {MARK_ICONS[side.checklist.get(str(n))]} {point}"
        for n, point in enumerate(points, start=1)
    )
    buttons = [
        Button(f"{n} {mark}", MARK, f"{side.id}:{n}:{mark}")
        for n in range(1, len(points) + 1)
        for mark in MARKS
    ]
    if question.follow_ups and side.follow_up_index is None:
        buttons.append(Button("Ask follow-up", FOLLOW, str(side.id)))
    buttons.append(Button("Finish", FINISH, str(side.id), ButtonStyle.PRIMARY, FINISH_FORM))
    return RichMessage(
        title="Interviewer notes (only you see this)",
        body="\n\n".join(parts),
        fields=(Field("Key points", clip(checklist), inline=False),),
        buttons=tuple(buttons),
        context="Tick covered, half or missed for each key point; Finish asks for a 1-5 rating.",
    )


def follow_up_asked(interviewer: str, prompt: str) -> RichMessage:
    return RichMessage(title=f"Follow-up from {interviewer}", body=prompt)


def comparison(
    side: PairSide,
    question: Question,
    interviewer: str,
    candidate: str,
    swap: bool,
) -> RichMessage:
    """Both verdicts of one side, shown to both members at its end."""
    found = verdicts(question, side)
    rows = [
        f"{n}. {point}\n    {interviewer}: {found.interviewer[n - 1] or 'not marked'} · "
        f"bot: {found.bot[n - 1]}{' ⚠' if n in found.disagreements else ''}"
        for n, point in enumerate(found.points, start=1)
    ]
    disagree, unmarked = found.disagreements, found.unmarked
    if disagree:
        summary = f"They disagree on {numbered('point', disagree)} (marked ⚠)."
    elif unmarked:
        summary = "Where both judged, interviewer and bot agree."
    else:
        summary = "Interviewer and bot agree on every key point."
    if unmarked:
        summary += f" {interviewer} did not mark {numbered('point', unmarked)}."
    note = f" — {side.note}" if side.note else ""
    body = (
        f"*{interviewer}'s rating:* {side.rating}/5{note}\n"
        f"*Bot's grade:* {side.bot_score}/100\n{summary}"
    )
    if side.follow_up_score is not None:
        body += f"\n*Bot's grade of the follow-up answer:* {side.follow_up_score}/100"
    fields = [Field("Key points", clip("\n".join(rows)), inline=False)]
    fields.append(Field("Question", clip(question.prompt), inline=False))
    buttons = (
        (Button("Swap roles", SWAP, str(side.session_id), ButtonStyle.PRIMARY),) if swap else ()
    )
    return RichMessage(
        title=f"Round {side.position + 1} done: {candidate} as candidate",
        body=body,
        fields=tuple(fields),
        buttons=buttons,
        context=(
            f"{candidate} earned {side.candidate_points} pts, {interviewer} "
            f"{side.interviewer_points} pts for interviewing."
        ),
    )


def finished(names: Sequence[tuple[str, str, int | None, int | None]]) -> RichMessage:
    """The end of a session: each round's candidate, interviewer rating and bot score."""
    lines = [
        f"• Round {n}: {candidate} answered, interviewed by {interviewer} — rating "
        f"{rating or '—'}/5, bot {score or 0}/100"
        for n, (interviewer, candidate, rating, score) in enumerate(names, start=1)
    ]
    return RichMessage(
        title="Pair interview finished",
        body="\n".join(lines) + "\n\nThanks for practising together. `/interview stats` counts it.",
    )


def closed_idle(done: Sequence[str]) -> RichMessage:
    body = "\n".join(f"• {line}" for line in done) if done else "Nothing was finished."
    return RichMessage(
        title="Pair interview closed after 30 idle minutes",
        body=f"What was done:\n{body}",
    )


def invitation(inviter: str, scope: str, channel: str, request_id: int) -> RichMessage:
    return RichMessage(
        title="Peer mock interview invitation",
        body=(
            f"{inviter} invites you to a pair interview ({scope}): you take turns asking each "
            f"other a question, in a thread in #{channel}. {inviter} interviews first, then you "
            "swap roles. The invitation expires in 30 minutes."
        ),
        buttons=(
            Button("Accept", ACCEPT, str(request_id), ButtonStyle.PRIMARY),
            Button("Decline", DECLINE, str(request_id)),
        ),
    )


def scope_of(topic: str | None, difficulty: str | None) -> str:
    return " · ".join(filter(None, [topic, difficulty])) or "any topic"


def expired(invitee: User | None) -> RichMessage:
    """To the one who asked: their request or invitation ran out."""
    if invitee is not None:
        said = (
            f"Your pair interview invitation to {invitee.display_name} expired after 30 "
            "minutes without an answer."
        )
    else:
        said = "Your pairing request expired after 30 minutes with no partner."
    return info(f"{said} `/interview pair` queues you again.")


def invitation_expired(inviter: str | None) -> RichMessage:
    """To the invitee: the buttons of that invitation no longer do anything."""
    return info(
        f"The pair interview invitation from {inviter or 'a former member'} expired "
        "after 30 minutes."
    )
