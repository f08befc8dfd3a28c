"""Every graded answer (daily, mock or review) updates its (user, question) card: one read and
one write however many answers come together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.events import Place
from bot.grading import GradeResult
from bot.ports.records import ReviewCard, Round
from bot.ports.storage import Reviews
from bot.review import views
from bot.review.schedule import next_card
from bot.review.zones import review_zone
from bot.turn import Turn


@dataclass(frozen=True)
class Graded:
    user_id: int
    question_id: str
    score: int
    covered: tuple[str, ...]
    missed: tuple[str, ...]


@dataclass(frozen=True)
class CardChange:
    before: ReviewCard | None
    after: ReviewCard


async def record_answers(
    store: Reviews, answers: Sequence[Graded], now: datetime
) -> list[CardChange]:
    """Review each answer's card; a second answer to the same card in one go builds on the
    first."""
    current = await store.cards({(a.user_id, a.question_id) for a in answers})
    changes: list[CardChange] = []
    for a in answers:
        key = (a.user_id, a.question_id)
        before = current.get(key)
        after = next_card(before, a.user_id, a.question_id, a.score, a.covered, a.missed, now)
        current[key] = after
        changes.append(CardChange(before, after))
    await store.save(
        list({(c.after.user_id, c.after.question_id): c.after for c in changes}.values())
    )
    return changes


async def after_grading(
    turn: Turn, thread: Place, round_: Round, question_id: str, result: GradeResult, score: int
) -> None:
    """A round's graded answer moves its card; in a review round the feedback also says how
    it compares with the key points missed last time."""
    graded = Graded(turn.ids.user_id, question_id, score, result.covered, result.missed)
    (change,) = await record_answers(turn.uow.reviews, [graded], turn.now)
    if round_.mode == "review":
        zone = await review_zone(turn.uow, turn.ids.user_id, turn.ids.channel_id)
        turn.say(thread, views.comparison(change.before, change.after, result, turn.now, zone))
