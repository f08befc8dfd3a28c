"""From a graded answer to an FSRS rating, and from a rating to the card's next due moment.

The mapping (also in the README):

- Again: score under 40, or at least half of the key points missed
- Hard: score 40 to 69
- Easy: score 90 or more with no key point missed
- Good: anything else (70 or more)

Review cards live in days, not minutes: no learning steps, so even an Again comes back the
next day rather than ten minutes later. Fuzzing is off, so the same answers give the same
days on every replica and in every test.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

from bot.ports.records import ReviewCard

RETENTION_MARK = 70  # a review at or above this score counts as kept
AGAIN_BELOW = 40
EASY_FROM = 90

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(score: int, covered: int, missed: int) -> Rating:
    """The rating of an answer from its score and the key points it covered and missed."""
    if score < AGAIN_BELOW or (missed and missed * 2 >= covered + missed):
        return Rating.Again
    if score < RETENTION_MARK:
        return Rating.Hard
    if score >= EASY_FROM and not missed:
        return Rating.Easy
    return Rating.Good


def next_card(
    before: ReviewCard | None,
    user_id: int,
    question_id: str,
    score: int,
    covered: tuple[str, ...],
    missed: tuple[str, ...],
    now: datetime,
) -> ReviewCard:
    """The card after this answer: a new one for a first answer, else the old one reviewed."""
    moment = now.astimezone(UTC)
    if before is None:
        card = Card(card_id=1, due=moment)
    else:
        card = Card(
            card_id=1,
            state=State.Review,
            stability=before.stability,
            difficulty=before.difficulty,
            due=before.due.astimezone(UTC),
            last_review=before.last_review.astimezone(UTC) if before.last_review else None,
        )
    reviewed, _ = _SCHEDULER.review_card(card, rating_for(score, len(covered), len(missed)), moment)
    return ReviewCard(
        user_id=user_id,
        question_id=question_id,
        due=reviewed.due,
        stability=float(reviewed.stability or 0.0),
        difficulty=float(reviewed.difficulty or 0.0),
        reps=(before.reps if before else 0) + 1,
        lapses=(before.lapses if before else 0)
        + int(before is not None and score < RETENTION_MARK),
        last_score=score,
        last_missed=missed,
        last_review=moment,
    )
