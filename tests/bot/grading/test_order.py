"""Two things said in order keep their order: "split the data before fitting the scaler" is
not made by "fit the scaler before splitting the data", and a misconception about which comes
first is not asserted by its correction."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.order import order_pairs
from bot.grading.text import normalise, tokenize
from questions.schema import Contradiction, KeyPoint

LEAKAGE = Rubric(
    prompt="How do you keep preprocessing from leaking information into validation?",
    key_points=(
        KeyPoint(
            point="Split the data before fitting any scaler or imputer",
            phrasings=["split the data before fitting the scaler"],
            contradictions=[
                Contradiction(
                    claim="Scaling all the data before splitting is harmless",
                    phrasings=["scale the data before splitting"],
                    correction="The scaler then sees the validation rows",
                )
            ],
        ),
        KeyPoint(
            point="Refit the preprocessing inside each cross-validation fold",
            phrasings=["refit inside each fold", "pipeline per fold"],
        ),
    ),
)
GRADER = RubricGrader()


def order_of(phrasing: str) -> tuple[tuple[str, str], ...]:
    return order_pairs(tokenize(normalise(phrasing)))


def test_a_phrasing_keeps_which_of_its_words_comes_first() -> None:
    assert set(order_of("split the data before fitting the scaler")) == {
        ("split", "fit"),
        ("split", "scaler"),
        ("data", "fit"),
        ("data", "scaler"),
    }
    assert order_of("scale after the split") == (("split", "scale"),)
    assert order_of("split, then scale") == (("split", "scale"),)


def test_words_that_set_no_order_give_none() -> None:
    assert order_of("compare before and after the launch") == ()
    assert order_of("after all, the scaler is cheap") == ()
    assert order_of("if the loss is flat then stop") == ()


@pytest.mark.parametrize(
    "answer",
    [
        "Split the data before you fit the scaler.",
        "Fit the scaler after splitting the data.",
        "Always split the data, then fit the scaler on the training part.",
    ],
)
def test_the_right_order_in_any_words_makes_the_point(answer: str) -> None:
    result = GRADER.grade(LEAKAGE, answer)
    assert LEAKAGE.key_points[0].point in result.covered
    assert not result.contradicted


@pytest.mark.parametrize(
    "answer",
    [
        "Fit the scaler before splitting the data.",
        "Split the data after fitting the scaler.",
    ],
)
def test_the_same_words_in_the_wrong_order_do_not_make_it(answer: str) -> None:
    result = GRADER.grade(LEAKAGE, answer)
    assert LEAKAGE.key_points[0].point not in result.covered


def test_a_misconception_about_order_is_not_asserted_by_its_correction() -> None:
    wrong = GRADER.grade(LEAKAGE, "It is fine to scale the data before splitting it.")
    assert wrong.contradicted
    right = GRADER.grade(LEAKAGE, "Split the data before you scale it, never the other way.")
    assert not right.contradicted


def test_a_denied_order_says_nothing_about_the_order() -> None:
    result = GRADER.grade(LEAKAGE, "Don't fit the scaler before splitting the data.")
    assert LEAKAGE.key_points[0].point not in result.covered


def test_a_negated_phrasing_keeps_its_order_too() -> None:
    rubric = Rubric(
        prompt="What must you never do with preprocessing?",
        key_points=(
            KeyPoint(
                point="Never scale the data before splitting it",
                phrasings=["never scale the data before splitting"],
            ),
        ),
    )
    assert GRADER.grade(rubric, "Never scale the data before you split it.").covered
    assert not GRADER.grade(rubric, "Never split the data before you scale it.").covered
