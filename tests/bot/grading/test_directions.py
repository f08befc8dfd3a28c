"""A direction word is bound to the word it qualifies: a misconception about which way
something goes is asserted only in its own directions, and a key point said the other way
round is not made."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.direction import bindings, said_direction
from bot.grading.text import Sentence, normalise, tokenize
from questions.schema import Contradiction, KeyPoint

SAMPLING = Rubric(
    prompt="What does the sampling temperature of a language model control?",
    key_points=(
        KeyPoint(
            point="A temperature near zero makes decoding close to greedy",
            phrasings=["close to greedy", "more deterministic"],
            contradictions=[
                Contradiction(
                    claim="A higher temperature makes the output more deterministic",
                    phrasings=["higher temperature more deterministic"],
                    correction="Raising the temperature flattens the distribution",
                )
            ],
        ),
        KeyPoint(
            point="A temperature above one flattens the distribution towards uniform",
            phrasings=["flattens the distribution", "more random"],
        ),
    ),
)
BAGGING = Rubric(
    prompt="What does bagging do to the error of a model?",
    key_points=(
        KeyPoint(
            point="Averaging bootstrapped models reduces variance",
            phrasings=["reduces variance"],
            contradictions=[
                Contradiction(
                    claim="Bagging mainly reduces bias",
                    phrasings=["bagging reduces bias"],
                    correction="Averaging cuts variance; the bias stays that of one model",
                )
            ],
        ),
    ),
)


def wrong_claims(rubric: Rubric, answer: str) -> tuple[str, ...]:
    return RubricGrader().grade(rubric, answer).contradicted


def covered(rubric: Rubric, answer: str) -> tuple[str, ...]:
    return RubricGrader().grade(rubric, answer).covered


@pytest.mark.parametrize(
    "answer",
    [
        "A higher temperature makes the output more deterministic.",
        "If you raise the temperature, the text becomes more deterministic.",
        "The higher the temperature, the more deterministic the sampling gets.",
    ],
)
def test_a_direction_misconception_in_its_own_directions_is_a_wrong_claim(answer: str) -> None:
    assert wrong_claims(SAMPLING, answer)


@pytest.mark.parametrize(
    "answer",
    [
        "A lower temperature makes the output more deterministic.",
        "A higher temperature makes the output less deterministic and more random.",
        "A high temperature is random and a low temperature is more deterministic.",
        "Temperature near zero is more deterministic than a high temperature.",
        "Cooling the temperature down makes it deterministic.",
    ],
)
def test_the_same_words_the_right_way_round_are_no_claim(answer: str) -> None:
    assert not wrong_claims(SAMPLING, answer)


def test_a_point_said_in_the_opposite_direction_is_not_made() -> None:
    assert not covered(SAMPLING, "With a small temperature the text gets less deterministic.")
    assert covered(SAMPLING, "With a small temperature the text gets more deterministic.")
    # No direction at all still makes it: the phrasing's words are there.
    assert covered(SAMPLING, "At temperature zero decoding is deterministic and close to greedy.")


def test_naming_a_level_is_not_claiming_a_change() -> None:
    right = "Bagging uses deep low-bias trees and averages them, which reduces variance."
    assert not wrong_claims(BAGGING, right)
    assert wrong_claims(BAGGING, "Bagging reduces bias, since each tree sees other data.")
    assert wrong_claims(BAGGING, "Bagging gives a lower bias than one tree.")


def test_up_and_down_give_a_direction_only_after_a_verb_of_moving() -> None:
    assert bindings(tokenize(normalise("variance goes down"))) == (("varianc", -3),)
    assert bindings(tokenize(normalise("the mean ends up normally distributed"))) == ()


def test_a_direction_inside_a_negation_gives_none() -> None:
    # The negation's reach is too loose to say which word it turns round, so neither way.
    assert not wrong_claims(SAMPLING, "A higher temperature does not make it more deterministic.")
    sentence = Sentence.parse(normalise("the weights grow without bound"))
    assert sentence.denied
    weights = sentence.tokens.index("weights")
    assert said_direction(sentence, weights) == 0
    # A phrasing that is itself negated ("weights grow without bound") reads it as said.
    assert said_direction(sentence, weights, in_negation=True) > 0


FITTING = Rubric(
    prompt="What are overfitting and underfitting?",
    key_points=(
        KeyPoint(
            point="In overfitting the model fits the noise and generalises poorly",
            phrasings=["fits the noise", "generalises poorly"],
        ),
        KeyPoint(
            point="Underfitting is cured by a bigger model or better features",
            phrasings=["more complex model", "better features"],
        ),
    ),
)


def test_a_cure_with_a_direction_is_not_read_into_a_state_without_one() -> None:
    """ "Too complex" says what overfitting is, not that a more complex model cures it."""
    said = "Overfitting is when the model is too complex and fits the noise."
    assert not wrong_claims(FITTING, said)
    assert wrong_claims(FITTING, "Overfitting is cured by using a more complex model.")


def test_a_phrasing_short_of_a_word_must_keep_its_direction() -> None:
    """Three of "complex models low bias" are said, but not the direction that makes it."""
    rubric = Rubric(
        prompt="Explain the bias-variance trade-off.",
        key_points=(
            KeyPoint(
                point="More complexity lowers bias and raises variance",
                phrasings=["complex models low bias"],
            ),
        ),
    )
    assert not covered(rubric, "Bias is the error when the model is too complex and overfits.")
    assert covered(rubric, "A complex model has lower bias.")
    assert covered(rubric, "Complex models have low bias and high variance.")


def test_a_direction_reaches_the_head_of_its_words_but_not_across_a_comma() -> None:
    raise_score = Sentence.parse(normalise("each extra token raises the total score"))
    assert said_direction(raise_score, raise_score.tokens.index("score")) > 0
    listed = Sentence.parse(normalise("a weak instrument gives less precise, biased estimates"))
    assert said_direction(listed, listed.tokens.index("biased")) == 0
