"""A question that asks how one thing differs from another sets the two against each other,
as "X and Y" does: a point said of the other side is not made."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.compiled import compile_rubric
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
