"""Points: difficulty scaled by score, a small bonus for answering early, less for practice."""

from __future__ import annotations

from questions.schema import Difficulty

BASE = {Difficulty.EASY: 10, Difficulty.MEDIUM: 20, Difficulty.HARD: 30}
EARLY_BONUS = (5, 3, 1)
EARLY_BONUS_MIN_SCORE = 50
MOCK_RATE = 0.25

RULES = (
    "Daily questions earn 10 (easy), 20 (medium) or 30 (hard) points scaled by your score; "
    f"the first three good answers (score {EARLY_BONUS_MIN_SCORE}+) get +5, +3 and +1. "
    "A later answer before the reveal replaces your earlier one; answers after the reveal are "
    "practice and earn nothing. Mock interview answers earn a quarter of the daily rate."
)


def daily_points(difficulty: Difficulty, score: int, order: int) -> tuple[int, int]:
    """(points, of which early bonus) for a counted daily answer; order 0 is the first answerer."""
    base = round(BASE[difficulty] * score / 100)
    bonus = EARLY_BONUS[order] if order < len(EARLY_BONUS) and score >= EARLY_BONUS_MIN_SCORE else 0
    return base + bonus, bonus


def mock_points(difficulty: Difficulty, score: int) -> int:
    return round(BASE[difficulty] * MOCK_RATE * score / 100)
