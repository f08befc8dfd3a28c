"""Which follow-up to ask: the one aimed at the weakest part of the answer just given.

A real interviewer follows up where the answer was thin. Each follow-up may name the key
points it probes; the answer's credit on those points (covered, half made, missed) decides.
"""

from __future__ import annotations

from bot.grading import GradeResult
from questions.schema import Question

COVERED, HALF, MISSED = 1.0, 0.5, 0.0


def choose_follow_up(question: Question, result: GradeResult, tie_breaker: int) -> int:
    """The index of the follow-up to ask (the question must have one).

    Follow-ups probing the weakest point win; among equals (say, everything was covered), the
    tie-breaker (the round's id) spreads the choice so repeat candidates meet each of them.
    """
    follow_ups = question.follow_ups
    if not follow_ups:
        raise ValueError(f"question {question.id} has no follow-up")
    credit = _credit_by_point(question, result)

    def weakness(index: int) -> float:
        probes = follow_ups[index].probes
        if not probes:
            return COVERED
        return min(credit[number - 1] for number in probes if number <= len(credit))

    scores = [weakness(index) for index in range(len(follow_ups))]
    weakest = min(scores)
    candidates = [index for index, score in enumerate(scores) if score == weakest]
    return candidates[tie_breaker % len(candidates)]


def _credit_by_point(question: Question, result: GradeResult) -> list[float]:
    covered, missed = set(result.covered), set(result.missed)
    half = set(result.partly)
    credit: list[float] = []
    for point in question.key_points:
        if point.point in half:
            credit.append(HALF)
        elif point.point in missed and point.point not in covered:
            credit.append(MISSED)
        else:
            credit.append(COVERED)
    return credit
