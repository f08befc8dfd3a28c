"""A question that asks how one thing differs from another sets the two against each other,
as "X and Y" does: a point said of the other side is not made."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.compiled import compile_rubric
from bot.grading.side_names import qualifiers_of
from questions.schema import KeyPoint

GRADER = RubricGrader()


def learning(prompt: str) -> Rubric:
    return Rubric(
        prompt=prompt,
        key_points=(
            KeyPoint(
                point="Supervised learning trains on labelled examples",
                phrasings=["labelled examples", "known targets"],
            ),
            KeyPoint(
                point="Unsupervised learning finds groups in unlabelled data",
                phrasings=["finds groups", "clusters the data"],
            ),
        ),
    )


@pytest.mark.parametrize(
    "prompt",
    [
        "How does supervised learning differ from unsupervised learning?",
        "How is supervised learning different from unsupervised learning?",
        "Compare supervised and unsupervised learning.",
    ],
)
def test_differ_from_names_two_sides(prompt: str) -> None:
    rubric = learning(prompt)
    anchors = [p.anchor_name for p in compile_rubric(rubric).points]
    assert anchors == ["supervised", "unsupervised"]
    swapped = GRADER.grade(rubric, "Supervised learning finds groups in the data by itself.")
    assert "Unsupervised learning finds groups in unlabelled data" not in swapped.covered
    said = GRADER.grade(rubric, "Unsupervised learning finds groups in the data by itself.")
    assert "Unsupervised learning finds groups in unlabelled data" in said.covered


def test_a_lone_letter_names_no_side() -> None:
    rubric = Rubric(
        prompt="How do Gaussian mixture models differ from k-means?",
        key_points=(
            KeyPoint(
                point="A mixture of Gaussians gives each component its own covariance",
                phrasings=["own covariance"],
            ),
            KeyPoint(point="k-means assigns each point to one cluster", phrasings=["one cluster"]),
        ),
    )
    result = GRADER.grade(rubric, "It fits K Gaussian components, each with its own covariance.")
    assert "A mixture of Gaussians gives each component its own covariance" in result.covered


CURVES = Rubric(
    prompt="Explain the ROC curve and the precision-recall curve.",
    key_points=(
        KeyPoint(point="ROC plots TPR against FPR", phrasings=["tpr against fpr"]),
        KeyPoint(
            point="The PR curve plots precision against recall",
            phrasings=["precision against recall"],
        ),
    ),
)


def test_a_noun_both_sides_share_names_neither() -> None:
    points = compile_rubric(CURVES).points
    assert [sorted(p.anchor) for p in points] == [["roc"], ["pr"]]


def test_definitions_swapped_between_two_curves_are_a_wrong_claim() -> None:
    swapped = GRADER.grade(
        CURVES,
        "The ROC curve plots precision against recall, and the PR curve plots TPR against FPR.",
    )
    assert swapped.covered == ()
    assert swapped.contradicted
    right = GRADER.grade(
        CURVES,
        "The ROC curve plots TPR against FPR, and the PR curve plots precision against recall.",
    )
    assert right.covered == tuple(p.point for p in CURVES.key_points)


def test_only_a_word_right_before_a_side_qualifies_it() -> None:
    sides = frozenset({"roc", "pr", "regress"})
    assert qualifiers_of("explain the roc curve and the pr curve", sides) == frozenset()
    assert qualifiers_of("when is linear regression better", sides) == {"linear"}


def test_a_phrasing_may_name_its_own_side_inside_the_match() -> None:
    rubric = Rubric(
        prompt="How do L1 and L2 regularisation differ?",
        key_points=(
            KeyPoint(point="L1 drives weights to zero", phrasings=["weights under l1 become zero"]),
            KeyPoint(point="L2 shrinks weights smoothly", phrasings=["l2 shrinks weights"]),
        ),
    )
    result = GRADER.grade(rubric, "Many weights under L1 become exactly zero.")
    assert "L1 drives weights to zero" in result.covered
    straddling = GRADER.grade(rubric, "Weights under L2 shrink, and with L1 they become zero.")
    assert "L1 drives weights to zero" not in straddling.covered


def test_a_verb_after_and_is_no_side() -> None:
    rubric = Rubric(
        prompt="How do you agree the scope with the interviewer and budget your time?",
        key_points=(
            KeyPoint(
                point="Let the interviewer choose where to go deep", phrasings=["interviewer picks"]
            ),
            KeyPoint(point="Budget time for evaluation", phrasings=["time for evaluation"]),
        ),
    )
    assert [p.anchor for p in compile_rubric(rubric).points] == [frozenset(), frozenset()]
    kept = Rubric(
        prompt="Compare bagging and boosting.",
        key_points=(
            KeyPoint(point="Bagging averages models", phrasings=["averages models"]),
            KeyPoint(point="Boosting fits residuals", phrasings=["fits residuals"]),
        ),
    )
    bagging, boosting = compile_rubric(kept).points
    assert "bag" in bagging.anchor
    assert "boost" in boosting.anchor


HINGE = Rubric(
    prompt="How does hinge loss differ from logistic loss?",
    key_points=(
        KeyPoint(
            point="Hinge loss ignores points beyond the margin",
            phrasings=["only points near the boundary"],
        ),
        KeyPoint(
            point="Logistic loss keeps every point contributing",
            phrasings=["every point contributes"],
        ),
    ),
)


def test_words_first_met_across_a_side_are_made_where_said_together_after_it() -> None:
    # The first "point" sits before "hinge loss"; the words are said together after it.
    result = GRADER.grade(
        HINGE,
        "Once a point is past the margin, hinge loss ignores it, so only the points near the "
        "boundary matter.",
    )
    assert "Hinge loss ignores points beyond the margin" in result.covered


def test_words_said_only_across_the_other_side_make_no_point() -> None:
    result = GRADER.grade(
        HINGE, "Only the points of logistic loss near the boundary are hard to fit."
    )
    assert "Hinge loss ignores points beyond the margin" not in result.covered
