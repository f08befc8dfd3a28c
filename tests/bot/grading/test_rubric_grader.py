"""Behaviour of RubricGrader as a user sees it: scores, credited points, reasons and advice."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.grading import Grader, GradeResult, Rubric, RubricGrader
from bot.grading.rubric import MODEL_ANSWER_SHARE, STAR_SHARE
from questions.schema import FollowUp, KeyPoint, Question

L1_L2 = Question(
    id="l1-vs-l2",
    topic="regularisation",
    difficulty="medium",
    stage="theory",
    prompt="What is the difference between L1 and L2 regularisation?",
    answer=(
        "L1 adds the sum of absolute weights to the loss and drives some weights to exactly "
        "zero; L2 adds the squared weights and shrinks them smoothly towards zero."
    ),
    key_points=[
        KeyPoint(
            point="L1 penalises the absolute values of the weights, L2 their squares",
            phrasings=[
                "sum of absolute weights",
                "absolute value of the weights",
                "squared weights",
                "square of the weights",
            ],
        ),
        KeyPoint(
            point="L1 drives some weights to exactly zero: sparse models, feature selection",
            phrasings=[
                "drives weights to zero",
                "sets coefficients to exactly zero",
                "sparse weights",
                "sparsity",
                "feature selection",
            ],
            weight=2.0,
        ),
        KeyPoint(
            point="L2 shrinks all weights smoothly towards zero (weight decay)",
            phrasings=["shrinks weights", "weight decay", "small weights"],
        ),
        KeyPoint(
            point="L2 is differentiable everywhere and copes better with correlated features",
            phrasings=[
                "differentiable everywhere",
                "correlated features",
                "not differentiable at zero",
            ],
        ),
    ],
    follow_ups=[
        FollowUp(
            prompt="When would you pick elastic net?",
            key_points=[
                KeyPoint(
                    point="Groups of correlated features where you still want sparsity",
                    phrasings=["correlated features", "groups of features"],
                )
            ],
        )
    ],
)

PRECISION_RECALL = Question(
    id="precision-vs-recall",
    topic="evaluation",
    difficulty="easy",
    stage="theory",
    prompt="Explain precision and recall. When would you favour one over the other?",
    answer=(
        "Precision is TP / (TP + FP): of what we flagged, how much was right. Recall is "
        "TP / (TP + FN): of the real positives, how many we found. Moving the decision "
        "threshold trades one for the other; favour recall when missing a positive is costly."
    ),
    key_points=[
        KeyPoint(
            point="Precision: the share of predicted positives that are correct",
            phrasings=["tp / (tp + fp)", "predicted positives that are correct", "flagged correct"],
        ),
        KeyPoint(
            point="Recall: the share of actual positives the model finds",
            phrasings=["tp / (tp + fn)", "positives the model finds", "sensitivity"],
        ),
        KeyPoint(
            point="Raising or lowering the decision threshold trades one against the other",
            phrasings=["decision threshold", "trade-off", "raising the threshold"],
        ),
        KeyPoint(
            point="The choice depends on the cost of false positives versus false negatives",
            phrasings=["cost of false negatives", "cost of false positives", "missing a positive"],
            weight=2.0,
        ),
    ],
)

EXPLAIN_TO_COLLEAGUE = Question(
    id="explain-to-non-technical-colleague",
    topic="behavioral",
    difficulty="medium",
    stage="behavioral",
    prompt=(
        "Tell me about a time you explained a complex technical concept to a non-technical "
        "colleague."
    ),
    answer=(
        "Set the scene, say what you had to get across, describe how you adapted it (plain "
        "words, an analogy, checking understanding) and what happened as a result."
    ),
    key_points=[
        KeyPoint(
            point="Adapted the explanation to the audience and avoided jargon",
            phrasings=["avoided jargon", "without jargon", "plain language", "no jargon"],
        ),
        KeyPoint(
            point="Used an analogy, a concrete example or a visual",
            phrasings=["analogy", "concrete example", "drew a diagram"],
        ),
        KeyPoint(
            point="Checked understanding and invited questions",
            phrasings=["checked understanding", "explain it back", "invited questions"],
        ),
        KeyPoint(
            point="Described the concrete outcome",
            phrasings=["as a result", "the outcome", "in the end"],
        ),
    ],
    follow_ups=[
        FollowUp(
            prompt="What would you do differently next time?",
            key_points=[KeyPoint(point="A concrete change", phrasings=["next time"])],
        )
    ],
)

STRONG_L1_L2 = (
    "L1 regularisation adds the sum of absolute weights to the loss, while L2 adds the squared "
    "weights. Because of the kink at zero, L1 drives many weights to exactly zero, so you get "
    "sparsity and a kind of built-in feature selection. L2 instead shrinks all weights smoothly "
    "towards zero; in neural networks this is called weight decay. L2 is differentiable "
    "everywhere and copes better with correlated features, which L1 picks between arbitrarily."
)

TYPICAL_L1_L2 = STRONG_L1_L2 + (
    " In practice I would tune the strength of the penalty with cross-validation, and elastic "
    "net mixes both when you want some sparsity but also stability among groups of correlated "
    "inputs. It is worth remembering that the scale of the features matters a lot, so "
    "standardise them first, otherwise the penalty hits some coefficients harder than others."
)

STAR_ANSWER = (
    "At my last job our team had built a churn model, and the head of sales did not trust its "
    "predictions. I was responsible for explaining how the model worked before the quarterly "
    "planning. I avoided jargon and used an analogy to a weather forecast, and I drew a diagram "
    "of how the features fed into the score. I then asked her to explain it back to me and "
    "invited questions. As a result, sales adopted the model and churn in the pilot region "
    "dropped by 12%, and I learned to start from the decision the listener has to make."
)


def point(question: Question, index: int) -> str:
    return question.key_points[index].point


def rubric_of(*phrasings: str, behavioral: bool = False) -> Rubric:
    """A one-point rubric, to test how a single phrasing is matched."""
    return Rubric(
        prompt="Explain how this model behaves.",
        key_points=(KeyPoint(point="the point", phrasings=list(phrasings)),),
        behavioral=behavioral,
    )


def credits(rubric: Rubric, answer: str) -> bool:
    return "the point" in RubricGrader().grade(rubric, answer).covered


@pytest.fixture
def grader() -> RubricGrader:
    return RubricGrader()


@pytest.fixture
def l1_l2() -> Rubric:
    return Rubric.for_question(L1_L2)


# --- contract ------------------------------------------------------------------------


def test_rubric_grader_is_a_grader() -> None:
    assert isinstance(RubricGrader(), Grader)


def test_rubrics_are_hashable_and_equal_by_content() -> None:
    first, second = Rubric.for_question(L1_L2), Rubric.for_question(L1_L2)
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second, Rubric.for_question(PRECISION_RECALL)}) == 2


def test_rubric_for_question_copies_the_question() -> None:
    rubric = Rubric.for_question(EXPLAIN_TO_COLLEAGUE)
    assert rubric.prompt == EXPLAIN_TO_COLLEAGUE.prompt
    assert rubric.key_points == tuple(EXPLAIN_TO_COLLEAGUE.key_points)
    assert rubric.behavioral is True
    assert rubric.model_answer == EXPLAIN_TO_COLLEAGUE.answer
    assert Rubric.for_question(L1_L2).behavioral is False


def test_follow_up_rubric_uses_its_own_points_and_inherits_behavioral() -> None:
    follow_up = Rubric.for_follow_up(L1_L2, L1_L2.follow_ups[0])
    assert follow_up.prompt == "When would you pick elastic net?"
    assert [kp.point for kp in follow_up.key_points] == [
        "Groups of correlated features where you still want sparsity"
    ]
    assert follow_up.behavioral is False
    assert follow_up.model_answer is None
    behavioral = Rubric.for_follow_up(EXPLAIN_TO_COLLEAGUE, EXPLAIN_TO_COLLEAGUE.follow_ups[0])
    assert behavioral.behavioral is True


def test_rubric_needs_key_points() -> None:
    with pytest.raises(ValueError, match="key point"):
        Rubric(prompt="Why?", key_points=())


def test_grade_result_to_dict_is_json_ready(grader: RubricGrader) -> None:
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), STAR_ANSWER)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["score"] == result.score
    assert data["covered"] == list(result.covered)
    assert data["star"] == {"situation": True, "task": True, "action": True, "result": True}
    assert set(data) == {
        "score",
        "covered",
        "missed",
        "advice",
        "reason",
        "truncated",
        "star",
        "contradicted",
        "partly",
    }


def test_grade_result_rejects_impossible_values() -> None:
    with pytest.raises(ValueError, match="score"):
        GradeResult(score=101, covered=(), missed=(), advice="ok")
    with pytest.raises(ValueError, match="single line"):
        GradeResult(score=50, covered=(), missed=(), advice="one\ntwo")
    with pytest.raises(ValueError, match="reason"):
        GradeResult(score=50, covered=(), missed=(), advice="ok", reason="lazy")


# --- coverage and score --------------------------------------------------------------


def test_strong_answer_scores_high_and_covers_everything(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    result = grader.grade(l1_l2, STRONG_L1_L2)
    assert result.score >= 75
    assert result.covered == tuple(kp.point for kp in L1_L2.key_points)
    assert result.missed == ()
    assert result.reason is None
    assert result.truncated is False
    assert result.star is None
    assert result.advice == "Strong answer: you covered every key point."


def test_partial_answer_scores_in_between_and_lists_missed_points(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    answer = (
        "L1 regularisation penalises the absolute value of the weights and L2 penalises the "
        "squared weights. Both are added to the loss to keep the model simple and reduce "
        "overfitting. L2 is also known as weight decay."
    )
    result = grader.grade(l1_l2, answer)
    assert result.covered == (point(L1_L2, 0), point(L1_L2, 2))
    assert result.missed == (point(L1_L2, 1), point(L1_L2, 3))
    # 2 of 5 weight units, moved a little by how close the wording is to the model answer
    assert abs(result.score - 40) <= 100 * MODEL_ANSWER_SHARE
    assert 15 < result.score < 75


def test_score_is_weighted_coverage(grader: RubricGrader, l1_l2: Rubric) -> None:
    # Only the weight-2 point out of a total weight of 5.
    answer = "The main thing to know is that L1 drives many of the weights to exactly zero."
    result = grader.grade(l1_l2, answer)
    assert result.covered == (point(L1_L2, 1),)
    assert abs(result.score - 40) <= 100 * MODEL_ANSWER_SHARE


def test_advice_names_the_heaviest_missed_point(grader: RubricGrader, l1_l2: Rubric) -> None:
    answer = "L1 adds the absolute value of the weights to the loss, L2 the squared weights."
    result = grader.grade(l1_l2, answer)
    assert point(L1_L2, 1) in result.advice  # weight 2 beats the earlier weight-1 points


def test_advice_breaks_weight_ties_by_rubric_order(grader: RubricGrader, l1_l2: Rubric) -> None:
    answer = "L1 drives many weights to exactly zero, which gives you sparse weights."
    result = grader.grade(l1_l2, answer)
    assert point(L1_L2, 0) in result.advice


def test_precision_recall_paraphrases_are_credited(grader: RubricGrader) -> None:
    answer = (
        "Precision is tp / (tp + fp), so it tells you how many predicted positives are "
        "actually correct. Recall is tp / (tp + fn), the fraction of real positives that the "
        "model finds. There is a trade-off: raising the threshold usually increases precision "
        "and lowers recall. You favour recall when the cost of false negatives is high, for "
        "example missing a positive in cancer screening."
    )
    result = grader.grade(Rubric.for_question(PRECISION_RECALL), answer)
    assert result.missed == ()
    assert result.score >= 75


# --- rule 1: phrasings ---------------------------------------------------------------


def test_phrasing_matches_in_any_order_with_inflections() -> None:
    rubric = rubric_of("drives weights to zero")
    assert credits(rubric, "With L1, many weights are driven all the way to zero.")
    assert credits(rubric, "Zero is where L1 drives most weights in the end.")


def test_phrasing_must_match_within_one_sentence() -> None:
    rubric = rubric_of("drives weights to zero")
    assert not credits(rubric, "L1 drives the optimisation hard. Many weights end up at zero.")
    assert not credits(rubric, "L1 drives the optimisation hard\nmany weights end up at zero")


def test_short_phrasings_need_every_content_token() -> None:
    rubric = rubric_of("weight decay")
    assert credits(rubric, "This is what people call weight decay in deep learning.")
    assert not credits(rubric, "The weight of each feature changes during training here.")


def test_long_phrasings_need_three_quarters_of_their_tokens() -> None:
    # Four content tokens: penalty, grows, quadratically, magnitude -> three needed.
    rubric = rubric_of("the penalty grows quadratically with the magnitude")
    assert credits(rubric, "The penalty grows quadratically as weights get larger.")
    assert not credits(rubric, "The penalty grows when weights get larger.")


def test_typos_and_spelling_variants_are_forgiven() -> None:
    rubric = rubric_of("regularization reduces overfitting")
    assert credits(rubric, "Regularisation reduces overfitting on small data sets.")
    assert credits(rubric, "Regularisaton reduces overfiting on small data sets.")
    assert credits(rubric, "Regularizing the model reduces overfitting a lot.")


def test_fuzzy_matching_only_applies_to_long_tokens() -> None:
    rubric = rubric_of("l1 norm")
    assert credits(rubric, "You add the L1 norm of the weights to the loss.")
    assert not credits(rubric, "You add the L1 nrom of the weights to the loss.")


def test_typo_in_a_real_answer_is_credited(grader: RubricGrader, l1_l2: Rubric) -> None:
    answer = "With L1 the optimiser sets many coeficients to exactly zero, which is handy."
    assert point(L1_L2, 1) in grader.grade(l1_l2, answer).covered


def test_phrasing_without_content_tokens_is_ignored() -> None:
    rubric = rubric_of("it is what it is")
    assert not credits(rubric, "It is what it is, and that is all there is to say about it.")
    assert credits(rubric_of("it is what it is", "sparsity"), "L1 leads to sparsity of weights.")


# --- rule 2: negation ----------------------------------------------------------------


def test_negated_mention_is_not_credited(grader: RubricGrader, l1_l2: Rubric) -> None:
    result = grader.grade(l1_l2, "L1 has nothing to do with sparsity.")
    assert point(L1_L2, 1) not in result.covered


def test_contrast_word_cancels_the_negation(grader: RubricGrader, l1_l2: Rubric) -> None:
    result = grader.grade(l1_l2, "It does not overfit, but it causes sparsity.")
    assert point(L1_L2, 1) in result.covered


@pytest.mark.parametrize(
    "answer",
    [
        "L1 doesn't produce sparsity in the weights.",
        "L1 doesnt produce sparsity in the weights.",
        "L1 doesn’t produce sparsity in the weights.",
        "L1 never produces sparsity in the weights.",
        "You get a model without sparsity in the weights.",
        "L1 isn't about sparsity of the weights at all.",
    ],
)
def test_negation_cues(answer: str) -> None:
    assert not credits(rubric_of("sparsity"), answer)


def test_negation_only_counts_shortly_before_the_match() -> None:
    rubric = rubric_of("sparsity")
    assert credits(rubric, "I do not think this is hard to see: the L1 penalty leads to sparsity.")
    assert credits(rubric, "Sparsity is what you get with L1, not with L2.")


def test_negation_in_another_sentence_does_not_count() -> None:
    assert credits(rubric_of("sparsity"), "L2 does not do this. L1 gives sparsity.")


@pytest.mark.parametrize(
    ("phrasing", "answer"),
    [
        ("own yes/no column for each category", "I'd give each category its own yes/no column."),
        ("answers a yes or no question", "The classifier answers a yes or no question per label."),
        ("error stays no matter the model", "That error stays no matter how good the model is."),
    ],
)
def test_a_set_phrase_in_a_phrasing_needs_no_negation_in_the_answer(
    phrasing: str, answer: str
) -> None:
    assert credits(rubric_of(phrasing), answer)


def test_leading_no_answers_the_question_rather_than_negating() -> None:
    assert credits(rubric_of("sparsity"), "No, it is L1 that gives you sparsity.")


def test_negative_phrasing_needs_a_negation_and_skips_the_check(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    differentiable = point(L1_L2, 3)
    assert differentiable in grader.grade(l1_l2, "L1 is not differentiable at zero.").covered
    assert differentiable not in grader.grade(l1_l2, "L1 is differentiable at zero.").covered


# --- rule 4: low-quality answers -----------------------------------------------------


@pytest.mark.parametrize("answer", ["", "   ", "\n\t", "\u200b\u200b", " \u200d\ufeff \n"])
def test_empty_answers_score_zero(grader: RubricGrader, l1_l2: Rubric, answer: str) -> None:
    result = grader.grade(l1_l2, answer)
    assert result.score == 0
    assert result.reason == "empty"
    assert result.covered == ()
    assert len(result.missed) == 4
    assert result.advice


@pytest.mark.parametrize("answer", ["sparsity", "L1 gives sparsity", "sparsity and weight decay"])
def test_too_short_answers_are_capped(grader: RubricGrader, l1_l2: Rubric, answer: str) -> None:
    result = grader.grade(l1_l2, answer)
    assert result.score <= 15
    assert result.reason == "too-short"
    assert "sentences" in result.advice


@pytest.mark.parametrize(
    "answer",
    [
        "What is the difference between L1 and L2 regularisation?",
        "what's the difference between l1 and l2 regularization",
        "So the question is: what is the difference between L1 and L2 regularisation?",
    ],
)
def test_restating_the_question_scores_low(
    grader: RubricGrader, l1_l2: Rubric, answer: str
) -> None:
    result = grader.grade(l1_l2, answer)
    assert result.score <= 10
    assert result.reason == "restates-question"
    assert "own words" in result.advice


def test_restating_then_answering_is_not_a_restatement(grader: RubricGrader, l1_l2: Rubric) -> None:
    answer = "What is the difference between L1 and L2 regularisation? " + STRONG_L1_L2
    result = grader.grade(l1_l2, answer)
    assert result.reason is None
    assert result.score >= 75


@pytest.mark.parametrize(
    "answer",
    [
        "My favourite pizza topping is mushrooms and I usually eat it on Fridays with friends.",
        "The weather in Lisbon was lovely this spring, and we walked along the river every day.",
    ],
)
def test_off_topic_answers_score_low(grader: RubricGrader, l1_l2: Rubric, answer: str) -> None:
    result = grader.grade(l1_l2, answer)
    assert result.score <= 5
    assert result.reason == "off-topic"
    assert point(L1_L2, 1) in result.advice


def test_on_topic_answer_that_misses_everything_is_not_off_topic(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    answer = "L1 and L2 regularisation both add a penalty to the loss so the model generalises."
    result = grader.grade(l1_l2, answer)
    assert result.covered == ()
    assert result.reason is None
    assert result.score <= 100 * MODEL_ANSWER_SHARE


def test_the_same_points_said_closer_to_the_model_answer_score_higher(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    # Both make the same point and nothing else; one goes on in the model answer's words.
    close = grader.grade(l1_l2, "L1 drives some weights to exactly zero, it adds them to the loss.")
    far = grader.grade(l1_l2, "L1 drives some weights to exactly zero, as I learnt at university.")
    assert close.covered == far.covered == (point(L1_L2, 1),)
    assert close.partly == far.partly == ()
    assert close.score > far.score


def test_covering_every_point_still_scores_full_marks(grader: RubricGrader, l1_l2: Rubric) -> None:
    answer = (
        "L1 penalises the absolute value of the weights and drives some weights to exactly "
        "zero, giving sparse weights; L2 penalises the squared weights and shrinks weights "
        "smoothly (weight decay), and it is differentiable everywhere."
    )
    assert grader.grade(l1_l2, answer).score == 100


@pytest.mark.parametrize(
    "answer",
    [
        "sparsity, lasso, ridge, weight decay, feature selection",
        "sparsity\nlasso\nridge\nweight decay\nfeature selection",
        "- sparsity\n- lasso\n- ridge\n- weight decay\n- feature selection",
        "sparsity lasso ridge weight decay feature selection",
    ],
)
def test_keyword_lists_are_penalised(grader: RubricGrader, l1_l2: Rubric, answer: str) -> None:
    result = grader.grade(l1_l2, answer)
    assert result.reason == "keyword-list"
    assert result.advice == "Write full sentences that explain why, not just a list of terms."
    assert result.covered  # the points are still credited, just worth less
    assert result.score <= 40


def test_keyword_list_scores_well_below_sentences_with_the_same_points(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    keywords = (
        "sum of absolute weights, squared weights, sparsity, feature selection, weight decay, "
        "differentiable everywhere, correlated features"
    )
    listed = grader.grade(l1_l2, keywords)
    explained = grader.grade(l1_l2, STRONG_L1_L2)
    assert listed.covered == explained.covered
    assert listed.reason == "keyword-list"
    assert explained.score - listed.score >= 25


@pytest.mark.parametrize(
    "answer",
    [
        "- l1: abs weights -> sparse, feature selection\n- l2: squared weights -> weight decay, "
        "not sparse",
        "penalty = lam * sum(abs(w))  # l1, sparse\npenalty = lam * sum(w ** 2)  # l2, decay",
        # Headings and short terms, but two fragments that make statements of their own.
        "L1: abs. Sparse: yes. Ridge: no. L1 sets many of the weights to zero, "
        "L2 only shrinks them towards zero. Decay, lasso.",
        # Headings that each say what follows is about them.
        "- l1 penalty: abs weights, sparse models\n- l2 penalty: squared weights, smooth decay",
    ],
)
def test_terse_notes_that_state_relations_are_not_a_keyword_list(
    grader: RubricGrader, l1_l2: Rubric, answer: str
) -> None:
    assert grader.grade(l1_l2, answer).reason != "keyword-list"


ANTI_JOIN = Rubric(
    prompt="Write a query for the customers who have never placed an order.",
    key_points=(
        KeyPoint(
            point="NOT EXISTS with a correlated subquery",
            phrasings=["not exists subquery", "correlated subquery"],
        ),
        KeyPoint(point="NOT IN returns no rows if the subquery holds a NULL", phrasings=["x"]),
    ),
)


def test_sql_operators_in_a_list_are_terms_not_negations(grader: RubricGrader) -> None:
    listed = grader.grade(
        ANTI_JOIN, "anti-join, LEFT JOIN, IS NULL, NOT EXISTS, correlated subquery, NOT IN, NULL"
    )
    assert listed.reason == "keyword-list"
    # A note that says what the operator does is still a statement.
    said = grader.grade(
        ANTI_JOIN,
        "NOT IN breaks when the subquery has a NULL, it does not return any row; use NOT EXISTS "
        "with a correlated subquery",
    )
    assert said.reason is None


def test_bullet_points_with_full_sentences_are_not_a_keyword_list(
    grader: RubricGrader, l1_l2: Rubric
) -> None:
    answer = (
        "- L1 adds the sum of absolute weights to the loss.\n"
        "- Because of that it drives many weights to exactly zero, which is sparsity.\n"
        "- L2 shrinks weights smoothly, which is why it is called weight decay.\n"
        "- L2 is differentiable everywhere, so it is easier to optimise."
    )
    result = grader.grade(l1_l2, answer)
    assert result.reason is None
    assert result.score == 100


# --- rule 5: behavioral --------------------------------------------------------------


def test_star_answer_with_all_parts_scores_well(grader: RubricGrader) -> None:
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), STAR_ANSWER)
    assert result.star == {"situation": True, "task": True, "action": True, "result": True}
    assert result.missed == ()
    assert result.score >= 90
    assert result.reason is None


def test_star_answer_without_result_names_it_in_advice(grader: RubricGrader) -> None:
    answer = STAR_ANSWER.split(" As a result")[0]
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), answer)
    assert result.star == {"situation": True, "task": True, "action": True, "result": False}
    assert "Result" in result.advice
    assert "Situation" not in result.advice
    # 3 of 4 key points, and 3 of 4 STAR parts add that share of half of what is left.
    assert result.score == round(100 * (3 / 4 + (1 - 3 / 4) * STAR_SHARE * 3 / 4))
    assert result.missed == (point(EXPLAIN_TO_COLLEAGUE, 3),)


def test_behavioral_structure_adds_to_coverage_and_never_halves_it(grader: RubricGrader) -> None:
    # Three key points, but no situation, task or result cues.
    answer = (
        "I avoided jargon completely and used an analogy about cooking. I invited questions "
        "and had her explain it back."
    )
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), answer)
    assert result.star == {"situation": False, "task": False, "action": True, "result": False}
    assert len(result.covered) == 3
    assert result.score == round(100 * (3 / 4 + (1 - 3 / 4) * STAR_SHARE * 1 / 4))
    assert "Situation" in result.advice
    assert "Task" in result.advice
    assert "Result" in result.advice


def test_behavioral_notes_keep_what_their_points_earn(grader: RubricGrader) -> None:
    """Notes carry no story cues; they lose no credit for it, they only gain none."""
    notes = "- no jargon at all\n- analogy: cooking\n- asked her to explain it back"
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), notes)
    assert result.star is not None
    assert not any(result.star.values())
    assert len(result.covered) == 3
    assert result.score == 75


def test_behavioral_story_about_something_else_is_off_topic(grader: RubricGrader) -> None:
    answer = (
        "At my last job I was responsible for the summer party. I booked a restaurant and "
        "ordered a cake. Afterwards everyone said it was the best party in years."
    )
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), answer)
    # A complete STAR story earns nothing when it is about something else.
    assert result.star == {"situation": True, "task": True, "action": True, "result": True}
    assert result.reason == "off-topic"
    assert result.score <= 5


def test_non_behavioral_rubric_reports_no_star(grader: RubricGrader, l1_l2: Rubric) -> None:
    assert grader.grade(l1_l2, STAR_ANSWER).star is None


def test_empty_behavioral_answer_reports_no_star_parts(grader: RubricGrader) -> None:
    result = grader.grade(Rubric.for_question(EXPLAIN_TO_COLLEAGUE), "")
    assert result.star == {"situation": False, "task": False, "action": False, "result": False}


# --- rule 6: advice ------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "sparsity",
        STRONG_L1_L2,
        "sparsity\nlasso\nridge",
        "L1 has nothing\nto do with sparsity\n\nreally",
        STAR_ANSWER,
    ],
)
@pytest.mark.parametrize("question", [L1_L2, EXPLAIN_TO_COLLEAGUE])
def test_advice_is_exactly_one_line(grader: RubricGrader, question: Question, answer: str) -> None:
    advice = grader.grade(Rubric.for_question(question), answer).advice
    assert advice.strip()
    assert "\n" not in advice
    assert "\r" not in advice


_ANSWER_WORDS = [*STRONG_L1_L2.split(), "not", "but", "\n", "-", ",", "\u200b"]


@settings(max_examples=300, deadline=None)
@given(
    answer=st.text(max_size=400) | st.lists(st.sampled_from(_ANSWER_WORDS)).map(" ".join),
    behavioral=st.booleans(),
)
def test_any_text_gets_a_well_formed_grade(answer: str, behavioral: bool) -> None:
    question = EXPLAIN_TO_COLLEAGUE if behavioral else L1_L2
    result = RubricGrader().grade(Rubric.for_question(question), answer)
    assert 0 <= result.score <= 100
    assert "\n" not in result.advice
    assert result.advice.strip()
    assert sorted(result.covered + result.missed) == sorted(kp.point for kp in question.key_points)
    assert (result.star is not None) is behavioral


# --- rules 7 and 8: size and speed ---------------------------------------------------


def test_long_answer_is_truncated_and_fast(l1_l2: Rubric) -> None:
    grader = RubricGrader()
    answer = (TYPICAL_L1_L2 + "\n") * (40_000 // len(TYPICAL_L1_L2) + 1)
    answer = answer[:40_000]
    grader.grade(l1_l2, STRONG_L1_L2)  # compile the rubric outside the measurement
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        result = grader.grade(l1_l2, answer)
        timings.append(time.perf_counter() - start)
    assert result.truncated is True
    assert result.score >= 75
    assert min(timings) < 0.3


def test_short_answer_is_not_truncated(grader: RubricGrader, l1_l2: Rubric) -> None:
    assert grader.grade(l1_l2, STRONG_L1_L2).truncated is False


def test_max_chars_is_respected(l1_l2: Rubric) -> None:
    # The sparsity sentence comes after the cut, so it must not be credited.
    answer = "L2 adds the squared weights to the loss. " + "L1 gives sparsity. " * 5
    result = RubricGrader(max_chars=45).grade(l1_l2, answer)
    assert result.truncated is True
    assert result.covered == (point(L1_L2, 0),)


def test_max_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        RubricGrader(max_chars=0)


def test_typical_answer_grades_in_under_5_ms(grader: RubricGrader, l1_l2: Rubric) -> None:
    assert 100 <= len(TYPICAL_L1_L2.split()) <= 200
    grader.grade(l1_l2, TYPICAL_L1_L2)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        grader.grade(l1_l2, TYPICAL_L1_L2)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.015  # the benchmark reports the real figures


# --- saying the opposite with the right words ----------------------------------------


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        ("There is no training step, it just keeps the data.", True),
        ("It doesn't need scaling because all the work is done in training.", False),
    ],
)
def test_a_negated_phrasing_needs_its_words_inside_the_negation(
    answer: str, credited: bool
) -> None:
    assert credits(rubric_of("no training"), answer) is credited


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        ("I'd monitor the prediction distribution every day.", True),
        ("Looking at the prediction distribution is pointless.", False),
        ("Prediction distributions are irrelevant because predictions always change.", False),
        ("It is pointless to retrain blindly, so I monitor the prediction distribution.", True),
    ],
)
def test_a_dismissal_denies_what_it_judges(answer: str, credited: bool) -> None:
    assert credits(rubric_of("prediction distribution"), answer) is credited


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        ("It is minus the log probability of the true class.", True),
        ("It compares the true class, but on the logits instead of the probability.", False),
        ("Train on all but one fold and evaluate on the held-out fold.", True),
    ],
)
def test_a_phrasing_must_not_straddle_a_contrast(answer: str, credited: bool) -> None:
    rubric = rubric_of("log probability of the true class", "train on folds and evaluate")
    assert credits(rubric, answer) is credited


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        ("It was my mistake: I shipped without talking to users.", True),
        ("We made a mistake in the rollout plan.", True),
        ("Companies punish failure, so everyone hides their mistakes.", False),
    ],
)
def test_a_first_person_phrasing_must_be_about_the_speaker(answer: str, credited: bool) -> None:
    assert credits(rubric_of("my mistake", behavioral=True), answer) is credited


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        # A short opener, then its speaker.
        ("Looking back, I would have brought the store managers in earlier.", True),
        ("Looking back, the managers should have been brought in earlier.", False),
        ("Everyone was looking back at old reports, I found the new data.", False),
    ],
)
def test_a_first_person_phrasing_may_open_the_speakers_sentence(
    answer: str, credited: bool
) -> None:
    assert credits(rubric_of("looking back i would", behavioral=True), answer) is credited


def test_an_index_in_a_formula_is_not_the_speaker() -> None:
    """ "i" in "max_i |x_i|" or "dp[i-1]" indexes; the phrasing needs no first-person answer."""
    rubric = rubric_of("rel(i) minus max sim(i, j)")
    assert credits(rubric, "Score = rel minus the max sim to the picked items.")


def test_a_point_is_about_the_side_it_names_anywhere(grader: RubricGrader) -> None:
    favour_recall = "Favour recall when missing a positive is costly"
    rubric = Rubric(
        prompt="Define precision and recall. When would you care more about one?",
        key_points=(
            KeyPoint(
                point="Precision is the share of flagged items that are right",
                phrasings=["flagged right"],
            ),
            KeyPoint(point="Recall is the share of positives found", phrasings=["positives found"]),
            KeyPoint(point=favour_recall, phrasings=["missing a positive"]),
        ),
    )
    swapped = "You'd care about precision when missing a positive is costly, like screening."
    right = "You'd care about recall when missing a positive is costly, like screening."
    assert favour_recall not in grader.grade(rubric, swapped).covered
    assert favour_recall in grader.grade(rubric, right).covered
