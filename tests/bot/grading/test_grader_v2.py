"""Grading meaning rather than wording: wrong claims cost credit, half-made points earn half,
abbreviations and formulas match, and packs with only a model answer are graded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.derive import derive_key_points
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import Difficulty, KeyPoint, Question, Stage

FIXTURES = Path(__file__).parent / "fixtures"
ANSWER_ONLY = FIXTURES / "answer-only.yaml"


@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def fixture_bank() -> QuestionBank:
    return load_bank([ANSWER_ONLY])


def grade(bank: QuestionBank, question_id: str, answer: str) -> tuple[int, list[str]]:
    question = bank.get(question_id)
    assert question is not None
    result = RubricGrader().grade(Rubric.for_question(question), answer)
    return result.score, list(result.contradicted)


# --- wrong claims ----------------------------------------------------------------------


def test_a_listed_misconception_is_named_with_its_correction(fixture_bank: QuestionBank) -> None:
    score, wrong = grade(
        fixture_bank, "ao-l1-l2", "L2 sets weights to exactly zero, which is why it is popular."
    )
    assert wrong == ["You said L2 sets weights to exactly zero: that is L1"]
    assert score == 0


def test_a_denied_misconception_is_no_claim(fixture_bank: QuestionBank) -> None:
    _, wrong = grade(
        fixture_bank,
        "ao-l1-l2",
        "L1 drives weights to exactly zero; L2 never sets weights to exactly zero.",
    )
    assert wrong == []


def test_swapped_definitions_score_below_a_partial_answer(shipped: QuestionBank) -> None:
    swapped = (
        "Bias is the error you get when the model is too complex and overfits, it is sensitive "
        "to the training set. Variance is when the model makes overly simple assumptions and "
        "underfits. More complexity raises bias and lowers variance."
    )
    partial = "Bias is when the model is too simple and underfits. Variance is when it overfits."
    swapped_score, wrong = grade(shipped, "fund-bias-variance-tradeoff", swapped)
    partial_score, _ = grade(shipped, "fund-bias-variance-tradeoff", partial)
    assert wrong, "the swap is named"
    assert swapped_score <= 20 < partial_score or swapped_score < partial_score


def test_directions_said_of_the_wrong_sides_are_a_swap(shipped: QuestionBank) -> None:
    _, wrong = grade(
        shipped,
        "fund-bias-variance-tradeoff",
        "Making the model more complex raises bias and lowers variance.",
    )
    assert any("other way round" in w for w in wrong)
    _, right = grade(
        shipped,
        "fund-bias-variance-tradeoff",
        "Making the model more complex lowers bias and raises variance.",
    )
    assert right == []


BAGGING_AND_BOOSTING = Rubric(
    prompt="What is the difference between bagging and boosting?",
    key_points=(
        KeyPoint(
            point="Bagging trains its trees in parallel, boosting in sequence",
            phrasings=["bagging trains trees in parallel boosting trains them in sequence"],
        ),
        KeyPoint(point="Boosting fits the residuals", phrasings=["boosting fits the residuals"]),
    ),
)


@pytest.mark.parametrize(
    "right",
    [
        "Bagging trains its trees in parallel, boosting trains them in sequence.",
        "Boosting trains trees in sequence, bagging trains them in parallel.",
    ],
)
def test_a_phrasing_naming_both_sides_is_made_in_either_order(right: str) -> None:
    result = RubricGrader().grade(BAGGING_AND_BOOSTING, right)
    assert result.covered
    assert not result.contradicted


def test_words_said_of_the_other_side_in_one_clause_are_a_swap() -> None:
    result = RubricGrader().grade(
        BAGGING_AND_BOOSTING, "Boosting trains in parallel and bagging trains in sequence."
    )
    assert not result.covered
    assert any("other way round" in w for w in result.contradicted)


def test_a_side_swap_is_named_with_the_side_it_belongs_to(shipped: QuestionBank) -> None:
    score, wrong = grade(shipped, "reg-l1-vs-l2", "L2 is the one that gives sparse models.")
    assert wrong
    assert wrong[0].endswith("that is L1, not L2")
    assert score == 0


def test_a_list_of_terms_makes_no_claim(shipped: QuestionBank) -> None:
    _, wrong = grade(shipped, "reg-l1-vs-l2", "lasso, ridge, sparsity, feature selection")
    assert wrong == []


def test_model_answers_make_no_wrong_claims(shipped: QuestionBank) -> None:
    accused = {}
    for question in shipped.questions:
        result = RubricGrader().grade(Rubric.for_question(question), question.answer)
        if result.contradicted:
            accused[question.id] = result.contradicted
    assert accused == {}


def test_hedged_guessing_scores_below_the_same_words_said_plainly() -> None:
    rubric = Rubric(
        prompt="What does dropout do?",
        key_points=(
            KeyPoint(point="Randomly zeroes units in training", phrasings=["randomly zeroes"]),
            KeyPoint(point="Acts as a regulariser", phrasings=["regulariser"]),
        ),
    )
    grader = RubricGrader()
    hedged = grader.grade(
        rubric, "I think maybe it drops some units? Probably it helps, I guess, not sure."
    )
    plain = grader.grade(rubric, "It drops some units during training and it helps the model.")
    assert hedged.score <= plain.score
    assert "guessing" in hedged.advice or hedged.score == 0


# --- meaning, not wording --------------------------------------------------------------


def test_a_partial_answer_in_other_words_beats_a_keyword_list(shipped: QuestionBank) -> None:
    partial, _ = grade(
        shipped,
        "reg-l1-vs-l2",
        "They both reduce overfitting by penalising big weights. L1 uses absolute values and "
        "L2 uses squares.",
    )
    keywords, _ = grade(shipped, "reg-l1-vs-l2", "l1, l2, lasso, ridge, sparsity")
    assert partial >= 10
    assert partial > keywords


@pytest.mark.parametrize(
    ("answer", "covered"),
    [
        ("Precision is TP/(TP+FP) so it counts false alarms.", True),
        ("It is true positives over true positives plus false positives.", True),
        ("It is TP / (TP + FN), the share of actual positives found.", False),
    ],
)
def test_formulas_and_their_words_match(answer: str, covered: bool) -> None:
    rubric = Rubric(
        prompt="What is precision?",
        key_points=(
            KeyPoint(point="TP / (TP + FP)", phrasings=["true positives false positives"]),
        ),
    )
    assert bool(RubricGrader().grade(rubric, answer).covered) is covered


def test_abbreviations_and_their_names_match() -> None:
    rubric = Rubric(
        prompt="Which regulariser would you pick?",
        key_points=(KeyPoint(point="Lasso for sparse models", phrasings=["lasso sparse"]),),
    )
    assert RubricGrader().grade(rubric, "I would use L1 because it gives sparse models.").covered


def test_a_half_made_point_says_what_it_lacks(shipped: QuestionBank) -> None:
    question = shipped.get("fund-bias-variance-tradeoff")
    assert question is not None
    result = RubricGrader().grade(
        Rubric.for_question(question), "Bias is when the model is too simple and underfits."
    )
    assert result.partly
    assert "say more about" in result.partly[0]
    assert 0 < result.score < 20


# --- answer-only packs -----------------------------------------------------------------


def test_an_answer_only_question_loads_and_is_graded_on_derived_points(
    fixture_bank: QuestionBank,
) -> None:
    question = fixture_bank.get("ao-precision")
    assert question is not None
    assert question.answer_only
    rubric = Rubric.for_question(question)
    assert rubric.derived
    good = RubricGrader().grade(
        rubric,
        "Precision is TP / (TP + FP), the share of predicted positives that are truly positive; "
        "it matters when a false alarm is costly.",
    )
    wrong = RubricGrader().grade(rubric, "Precision is the share of actual positives we catch.")
    assert good.score >= 70
    assert wrong.score < good.score
    assert set(wrong.covered) | set(wrong.missed) == {kp.point for kp in rubric.key_points}


def test_derived_points_skip_what_the_question_already_says() -> None:
    points = derive_key_points(
        "Why is the bulb off?", "The bulb is off because the switch opens the circuit."
    )
    assert points
    assert all("bulb" not in kp.phrasings[0].split() for kp in points)
    assert any("switch" in kp.phrasings[0] for kp in points)


def test_derived_points_keep_numbers_and_formulas() -> None:
    points = derive_key_points("What is F1?", "F1 = 2PR / (P + R), the harmonic mean; 1 is best.")
    phrasings = [p for kp in points for p in kp.phrasings]
    assert any("/" in p for p in phrasings)
    assert "1" not in phrasings or any("harmonic" in p for p in phrasings)


def test_a_sentence_with_a_wrong_claim_earns_no_half_credit_elsewhere(
    shipped: QuestionBank,
) -> None:
    question = shipped.get("reg-l1-vs-l2")
    assert question is not None
    result = RubricGrader().grade(
        Rubric.for_question(question),
        "L2 sets weights to exactly zero, so it does feature selection, while L1 only shrinks "
        "them.",
    )
    assert result.contradicted
    assert result.partly == ()
    assert result.score == 0


def test_answer_only_grading_credits_the_whole_model_answer_over_part_of_it() -> None:
    question = Question(
        id="ao-bulb",
        topic="circuits",
        difficulty=Difficulty.EASY,
        stage=Stage.THEORY,
        prompt="What is required to make a bulb light up?",
        answer="There is a closed path containing both the bulb and a battery.",
    )
    rubric = Rubric.for_question(question)
    grader = RubricGrader()
    whole = grader.grade(rubric, "The bulb and the battery must be in one closed path.").score
    part = grader.grade(rubric, "There must be a closed path.").score
    echo = grader.grade(rubric, "To make a bulb light up something is required.").score
    assert whole > part > echo


def test_small_words_of_a_point_do_not_make_a_swap(shipped: QuestionBank) -> None:
    """The "on" of "bad even on training data" is no word of the underfitting point."""
    score, wrong = grade(
        shipped,
        "fund-overfitting-underfitting",
        "Overfitting means the model does really well on training data but badly on test data "
        "because it learned the noise. Underfitting is when it's too simple.",
    )
    assert wrong == []
    assert score >= 15
