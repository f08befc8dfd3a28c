"""Crediting partial answers and holding wrong ones down, on answers like the labelled sets':
conditions and prevented harms are no denials, one direction word is no swap, word order
tells two points with the same words apart, and a confident misconception caps the score. A
negation after "and you" leaves the clause before it alone, and common paraphrases of ML terms
("step size", "e to the power of", "NMS") meet the rubric's wording."""

from __future__ import annotations

import pytest

from bot.grading import GradeResult, Rubric, RubricGrader
from bot.grading.rubric import WRONG_CLAIM_CAP
from bot.grading.text import content_stems, normalise, tokenize
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import KeyPoint

PERPLEXITY_EXP = "Perplexity is the exponential of the cross-entropy"
IOU_NMS = "It drives anchor assignment in training and non-max suppression"
ADAM_VS_SGD = (
    "Versus SGD - less tuning, handles sparse gradients, faster convergence; AdamW is common"
)


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


def grade(bank: QuestionBank, question_id: str, answer: str) -> GradeResult:
    question = bank.get(question_id)
    assert question is not None
    return RubricGrader().grade(Rubric.for_question(question), answer)


# --- no wrong claim where there is none ------------------------------------------------


def test_a_negation_inside_a_condition_denies_nothing(bank: QuestionBank) -> None:
    answer = (
        'The danger is when the "small" table isn\'t actually small: the driver has to collect '
        "it and every executor holds a copy, so you can run out of memory."
    )
    result = grade(bank, "bd-broadcast-join", answer)
    assert result.contradicted == ()
    assert "Too large or misestimated broadcasts overload the driver and executors" in (
        result.covered
    )


def test_a_flat_denial_outside_a_condition_still_counts(bank: QuestionBank) -> None:
    result = grade(
        bank,
        "bd-broadcast-join",
        "One side is never small enough for executor memory, so broadcasting does not help.",
    )
    assert result.contradicted


def test_a_flat_denial_without_until_still_counts(bank: QuestionBank) -> None:
    answer = "The user and item towers don't score by dot product."
    assert grade(bank, "rec-two-tower-retrieval", answer).contradicted


def test_denying_a_prevented_harm_agrees_with_the_point(bank: QuestionBank) -> None:
    answer = (
        "Dropout switches off random neurons at each training step so that neurons can't "
        "co-adapt. At test time it is disabled."
    )
    assert grade(bank, "reg-dropout", answer).contradicted == ()


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        # What the subject does not do denies nothing of the subject itself.
        (
            "eval-probability-calibration",
            "Temperature scaling does not change the ranking, so the AUC stays the same.",
        ),
        # Refusing a leak agrees with the point that names it.
        ("ts-future-leakage", "Do not tune on the test period; keep it for the final check."),
        # A negation bounded by "until" says when, not whether.
        (
            "rec-two-tower-retrieval",
            "The two towers never talk to each other until the final dot product, so item "
            "embeddings can be precomputed.",
        ),
    ],
)
def test_a_right_sentence_with_a_negation_is_no_denial(
    bank: QuestionBank, question_id: str, answer: str
) -> None:
    assert grade(bank, question_id, answer).contradicted == ()


@pytest.mark.parametrize(
    "answer",
    [
        "The global model adds category and store as static features.",
        "Backtest the global model against local baselines per segment.",
    ],
)
def test_a_point_about_the_global_model_is_no_swap_with_per_series_models(
    bank: QuestionBank, answer: str
) -> None:
    assert grade(bank, "ts-global-models", answer).contradicted == ()


def test_a_subject_dismissed_is_still_denied(bank: QuestionBank) -> None:
    answer = "Mean or median imputation isn't useful, just drop the rows with missing values."
    assert grade(bank, "data-missing-values", answer).contradicted


def test_denying_the_remedy_of_a_prevention_point_is_a_wrong_claim(bank: QuestionBank) -> None:
    answer = (
        "A feature store is basically a data warehouse for the raw data. It doesn't really help "
        "with training-serving skew, that's a monitoring problem."
    )
    assert grade(bank, "sd-feature-store", answer).contradicted


def test_one_direction_word_said_of_something_else_is_no_swap(bank: QuestionBank) -> None:
    answer = (
        "As you increase model complexity bias goes down and variance goes up, so test error is "
        "U-shaped and you want the complexity at the bottom of the U."
    )
    result = grade(bank, "fund-bias-variance-tradeoff", answer)
    assert result.contradicted == ()


def test_both_directions_paired_with_the_wrong_sides_are_still_a_swap(
    bank: QuestionBank,
) -> None:
    answer = "More complexity raises bias and lowers variance, so simple models overfit."
    assert grade(bank, "fund-bias-variance-tradeoff", answer).contradicted


# --- word order ------------------------------------------------------------------------


def test_word_order_tells_skip_gram_from_cbow(bank: QuestionBank) -> None:
    swapped = (
        "In CBOW the centre word is used to predict each of the context words, and skip-gram "
        "averages the context words to predict the centre word. Skip-gram is the faster one."
    )
    right = "Skip-gram: the centre word is used to predict each of the context words."
    assert grade(bank, "nlp-word2vec", swapped).covered == ()
    assert "Skip-gram predicts each context word from the centre word" in (
        grade(bank, "nlp-word2vec", right).covered
    )


# --- a confident misconception ---------------------------------------------------------


def test_a_misconception_caps_an_answer_that_echoes_other_points(bank: QuestionBank) -> None:
    answer = (
        "You should always trust the aggregated numbers, because they use all of the data and "
        "the subgroups are too small. A strong correlation in the total shows the treatment "
        "causes the outcome. A randomised trial avoids the problem anyway."
    )
    result = grade(bank, "causal-simpsons-paradox", answer)
    assert result.contradicted
    assert result.covered
    assert result.score <= WRONG_CLAIM_CAP


def test_a_slip_in_an_otherwise_full_answer_is_not_capped(bank: QuestionBank) -> None:
    answer = (
        "During training, dropout zeroes each unit's activation with probability p, with a new "
        "random mask for every example and step. Because any neuron might vanish, the network "
        "can't rely on fragile co-adapted groups of neurons, so it learns more redundant, robust "
        "features. You can also see it as training a huge number of thinned sub-networks that "
        "share weights. At inference dropout is turned off; kept activations are divided by the "
        "drop probability during training. In practice it slows convergence a bit, and it's "
        "most useful in big dense layers and transformers."
    )
    result = grade(bank, "reg-dropout", answer)
    assert result.contradicted
    assert result.score > WRONG_CLAIM_CAP


# --- a point made in other words -------------------------------------------------------


def test_a_point_said_after_naming_the_other_side_as_an_object_earns_half(
    bank: QuestionBank,
) -> None:
    answer = (
        "Lasso will just pick one of the two more or less at random and set the other to zero. "
        "Elastic net mixes L1 and L2 so it keeps both of them together."
    )
    result = grade(bank, "reg-correlated-features", answer)
    assert any("Elastic net has a grouping effect" in note for note in result.partly)
    # "pick ... at random" is the rubric's "picks one arbitrarily" in everyday words.
    assert "Lasso keeps one feature arbitrarily, so its selection is unstable" in result.covered
    assert result.score >= 15


def test_an_answer_that_swapped_the_sides_gets_no_benefit_of_the_doubt(
    bank: QuestionBank,
) -> None:
    answer = (
        "Random forests build the trees one after another, each one fixing the errors of the "
        "last, and gradient boosting trains independent trees in parallel on bootstrap samples "
        "and averages them. So boosting mainly reduces variance and the forest reduces bias."
    )
    result = grade(bank, "algo-random-forest-vs-boosting", answer)
    assert result.contradicted
    assert result.partly == ()


def test_everyday_words_for_a_rubric_term_match_it(bank: QuestionBank) -> None:
    answer = (
        "If the model says 80% for a bunch of emails, then around 80% of them should really be "
        "spam. You can check it by grouping predictions into buckets and comparing with the "
        "real rate in each bucket."
    )
    result = grade(bank, "eval-probability-calibration", answer)
    assert "Measure with a reliability diagram and ECE" in result.covered


def test_non_hyphenated_is_one_word() -> None:
    assert tokenize(normalise("Non-convex, non linear and nonzero; none of it")) == [
        "nonconvex",
        "nonlinear",
        "and",
        "nonzero",
        "none",
        "of",
        "it",
    ]


# --- classic misconceptions the packs now name -----------------------------------------


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        (
            "code-kfold-cross-validation",
            "You don't need to split anything really: fit the model once on all of X and y, "
            "then split the predictions into k parts, compute the score on each part and "
            "average those. Scaling should be done once on the whole dataset beforehand.",
        ),
        (
            "beh-failed-project",
            "There was one recommender project where the engineers deployed it wrong, but the "
            "model itself was great. I think the lesson is that other teams need to be more "
            "technical. I'd do it exactly the same way again.",
        ),
        (
            "ask-success-measures",
            "I'd ask whether I can skip the performance review process, since I prefer not to "
            "be measured. Asking about metrics isn't really necessary.",
        ),
    ],
)
def test_a_named_misconception_holds_the_answer_down(
    bank: QuestionBank, question_id: str, answer: str
) -> None:
    result = grade(bank, question_id, answer)
    assert result.contradicted
    assert result.score <= WRONG_CLAIM_CAP


def test_complexity_classes_are_told_apart() -> None:
    assert normalise("O(n^2) or O(n²) versus O(n), O(1) and O(log n)") == (
        "quadratic or quadratic versus linear, constant and logarithmic"
    )


def test_calling_the_brute_force_optimal_earns_nothing(bank: QuestionBank) -> None:
    answer = (
        "No, you can't really beat checking every pair, every pair has to be looked at in the "
        "worst case, so O(n^2) is optimal for this problem."
    )
    result = grade(bank, "dsa-two-sum", answer)
    assert result.covered == ()
    assert result.score < 15


def test_an_optimisation_answer_in_plain_words_earns_half_points(bank: QuestionBank) -> None:
    answer = (
        "Convex means it has one valley, so wherever you start going downhill you end up at "
        "the best point. Non-convex has many valleys, you can end up in a bad one depending "
        "on where you start."
    )
    result = grade(bank, "loss-convex-vs-nonconvex", answer)
    assert len(result.partly) == 2
    assert result.score >= 15


def test_a_long_hyphenated_modifier_names_an_idea_without_claiming_it(
    bank: QuestionBank,
) -> None:
    question = bank.get("opt-saddle-points-local-minima")
    assert question is not None
    answer = "The stuck-in-a-bad-local-minimum story is largely a low-dimensional intuition."
    assert RubricGrader().grade(Rubric.for_question(question), answer).contradicted == ()
    claim = "Training usually gets stuck in bad local minima."
    assert RubricGrader().grade(Rubric.for_question(question), claim).contradicted


def test_most_likely_is_most_probable(bank: QuestionBank) -> None:
    assert normalise("the data most likely, it is likely") == "the data most probable, it is likely"
    answer = "MLE = find theta that makes the data most likely."
    assert "MLE maximises the likelihood, i.e. minimises the negative log-likelihood" in (
        grade(bank, "stats-mle-vs-map", answer).covered
    )


def test_switching_back_is_flipping_back(bank: QuestionBank) -> None:
    answer = (
        "Blue-green is having two identical setups, you switch everyone over in one go, and if "
        "something breaks you switch back."
    )
    result = grade(bank, "cloud-release-strategies", answer)
    assert (
        "Blue-green switches all traffic between two environments and flips back to roll back"
        in (result.covered)
    )


# --- "and you don't" denies only what follows -------------------------------------------


def test_a_negation_after_and_you_does_not_deny_the_clause_before(bank: QuestionBank) -> None:
    answer = (
        "Adam is momentum plus RMSProp: it keeps an average of the gradients and one of their "
        "squares. It usually trains faster than SGD and you don't have to tune the learning "
        "rate nearly as much."
    )
    result = grade(bank, "opt-adam-rmsprop", answer)
    assert result.contradicted == ()
    assert ADAM_VS_SGD in result.covered
    assert result.score >= 15


def test_a_flat_denial_of_the_point_is_still_a_wrong_claim(bank: QuestionBank) -> None:
    answer = "Adam does not converge faster than SGD, and it does not handle sparse gradients."
    assert grade(bank, "opt-adam-rmsprop", answer).contradicted


# --- paraphrases of common terms -------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "point", "answer"),
    [
        (
            "nlp-perplexity",
            PERPLEXITY_EXP,
            "Perplexity is e to the power of the cross-entropy, so lower loss means lower "
            "perplexity.",
        ),
        ("nlp-perplexity", PERPLEXITY_EXP, "Perplexity is e^H where H is the cross-entropy."),
        ("cv-iou", IOU_NMS, "NMS uses it to throw away duplicate boxes of the same object."),
        (
            "cv-iou",
            IOU_NMS,
            "Non-maximum suppression uses it to throw away duplicate boxes of the same object.",
        ),
    ],
)
def test_a_common_paraphrase_meets_the_rubric_wording(
    bank: QuestionBank, question_id: str, point: str, answer: str
) -> None:
    """ "e to the power of" is the exponential, "NMS" is non-max suppression."""
    assert point in grade(bank, question_id, answer).covered


@pytest.mark.parametrize(
    ("phrasing", "answer"),
    [
        # "He" before an initialisation is Kaiming He's, not the pronoun.
        ("kaiming for relu", "For ReLU layers you use He initialisation."),
        ("chunks lose context", "Small pieces lose the context around the answer."),
        ("average of past gradients", "It keeps an average of the previous gradients."),
    ],
)
def test_another_name_for_the_same_thing_meets_the_phrasing(phrasing: str, answer: str) -> None:
    point = "The point"
    rubric = Rubric(prompt="Explain it.", key_points=(KeyPoint(point=point, phrasings=[phrasing]),))
    assert point in RubricGrader().grade(rubric, answer).covered


def test_step_size_is_the_learning_rate() -> None:
    rubric = Rubric(
        prompt="How does gradient descent update the weights?",
        key_points=(
            KeyPoint(
                point="Each step moves against the gradient, scaled by the learning rate",
                phrasings=["scaled by the learning rate", "learning rate times the gradient"],
            ),
        ),
    )
    answer = "It moves every weight against its gradient, scaled by the step size you choose."
    assert RubricGrader().grade(rubric, answer).score == 100


@pytest.mark.parametrize(("short", "long"), [("vocab", "vocabulary"), ("evenly", "uniformly")])
def test_everyday_forms_share_a_stem(short: str, long: str) -> None:
    assert content_stems(short) == content_stems(long)


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        # "Without X, Y" says what X prevents; it denies nothing of X.
        ("llm-rlhf-vs-dpo", "Without the KL penalty the policy drifts away from the reference."),
        (
            "dl-network-anatomy",
            "Without non-linear activations, stacked linear layers collapse into one.",
        ),
        # "X does not need Y" says what X works without; it does not dismiss X.
        ("prob-hmm-three-problems", "Baum-Welch does not need labelled states."),
        # A denied comparison denies nothing of what it compares with.
        ("sd-batch-vs-stream", "Batch does not have lower latency than streaming."),
        ("nlp-word2vec", "CBOW does not handle rare words better than skip-gram."),
    ],
)
def test_a_negation_that_is_no_denial_of_the_point(
    bank: QuestionBank, question_id: str, answer: str
) -> None:
    assert grade(bank, question_id, answer).contradicted == ()


def test_a_subject_dismissed_by_need_with_no_object_is_still_denied() -> None:
    point = "Scale the features before k-NN"
    rubric = Rubric(
        prompt="How do you prepare data for k-NN?",
        key_points=(KeyPoint(point=point, phrasings=["scale the features"]),),
    )
    grade = RubricGrader().grade
    assert grade(rubric, "Scaling the features is something you do not need.").contradicted
    assert not grade(rubric, "Scaling the features does not need a library.").contradicted
