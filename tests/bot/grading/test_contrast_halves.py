"""A word said twice in one sentence, on both sides of a contrast word, is found the second
time too: the half after "while" or "whereas" is read as a sentence of its own."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.contrast import after_contrasts
from questions.schema import Contradiction, KeyPoint

CURVES = Rubric(
    prompt="Which curves would you plot to evaluate a classifier?",
    key_points=(
        KeyPoint(
            point="ROC plots the true positive rate against the false positive rate",
            phrasings=["roc plots tpr against fpr"],
        ),
        KeyPoint(
            point="The precision-recall curve plots precision against recall",
            phrasings=["pr plots precision against recall"],
        ),
    ),
)
PR_POINT = CURVES.key_points[1].point
GRADER = RubricGrader()


@pytest.mark.parametrize("contrast", ["while", "whereas", "but"])
def test_the_point_after_a_contrast_word_is_found(contrast: str) -> None:
    answer = f"ROC plots TPR against FPR, {contrast} PR plots precision against recall."
    result = GRADER.grade(CURVES, answer)
    assert result.covered == tuple(p.point for p in CURVES.key_points)


def test_said_on_its_own_the_point_was_always_found() -> None:
    assert PR_POINT in GRADER.grade(CURVES, "PR plots precision against recall.").covered


def test_a_point_straddling_the_contrast_word_is_still_not_said() -> None:
    answer = "PR is what I plot, but precision against recall is rarely shown."
    assert PR_POINT not in GRADER.grade(CURVES, answer).covered


SIDES = Rubric(
    prompt="How do L1 and L2 regularisation differ?",
    key_points=(
        KeyPoint(
            point="L1 drives some weights to exactly zero",
            phrasings=["l1 sets weights to exactly zero"],
            contradictions=[
                Contradiction(
                    claim="L2 sets weights to exactly zero",
                    phrasings=["l2 sets weights to exactly zero"],
                    correction="that is L1",
                )
            ],
        ),
        KeyPoint(point="L2 shrinks all weights smoothly", phrasings=["l2 shrinks weights"]),
    ),
)


def test_an_answer_with_a_wrong_claim_earns_nothing_from_a_half() -> None:
    answer = "L2 sets weights to exactly zero, while L2 also shrinks weights a little."
    result = GRADER.grade(SIDES, answer)
    assert result.contradicted
    assert result.covered == ()


def test_halves_need_a_statement_on_both_sides() -> None:
    assert after_contrasts("roc plots tpr against fpr, while pr plots precision") == [
        "pr plots precision"
    ]
    assert after_contrasts("fast but slower") == []
    assert after_contrasts("it is accurate, but slow") == []
    assert after_contrasts("whereas pr plots precision against recall") == []
    assert after_contrasts("we froze all but the last two layers") == []
