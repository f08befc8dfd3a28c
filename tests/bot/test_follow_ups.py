"""The follow-up asked is the one aimed at the weakest part of the answer."""

from __future__ import annotations

import pytest

from bot.grading import GradeResult
from bot.rounds.follow_ups import choose_follow_up
from questions.schema import FollowUp, KeyPoint, Question

POINTS = ("Precision counts predicted positives", "Recall counts actual positives")


def question(*probes: list[int]) -> Question:
    return Question(
        id="eval-pr",
        topic="evaluation",
        difficulty="easy",
        stage="theory",
        prompt="Precision and recall?",
        answer="Precision is right among flagged; recall is found among actual positives.",
        key_points=[KeyPoint(point=p, phrasings=[p.lower()]) for p in POINTS],
        follow_ups=[
            FollowUp(
                prompt=f"Follow-up {n}",
                answer="An answer.",
                key_points=[KeyPoint(point="x", phrasings=["x"])],
                probes=aimed,
            )
            for n, aimed in enumerate(probes, start=1)
        ],
    )


def graded(covered: tuple[str, ...], missed: tuple[str, ...]) -> GradeResult:
    return GradeResult(score=50, covered=covered, missed=missed, advice="ok")


@pytest.mark.parametrize("tie_breaker", range(4))
def test_the_follow_up_probing_the_missed_point_is_asked(tie_breaker: int) -> None:
    asked = question([1], [2])
    assert choose_follow_up(asked, graded(POINTS[:1], POINTS[1:]), tie_breaker) == 1
    assert choose_follow_up(asked, graded(POINTS[1:], POINTS[:1]), tie_breaker) == 0


def test_when_nothing_is_weaker_the_round_spreads_the_choice() -> None:
    asked = question([1], [2], [])
    chosen = {choose_follow_up(asked, graded(POINTS, ()), round_id) for round_id in range(6)}
    assert chosen == {0, 1, 2}


def test_a_question_without_follow_ups_is_refused() -> None:
    with pytest.raises(ValueError, match="no follow-up"):
        choose_follow_up(question(), graded(POINTS, ()), 0)
