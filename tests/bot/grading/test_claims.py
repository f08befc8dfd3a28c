"""A listed misconception said in words close to its own statement, or with its words said
again later in a sentence, is a wrong claim; reported, conditioned or about the other side of
a comparison, it is not."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.lint import pack_warnings
from bot.grading.rubric import WRONG_CLAIM_CAP
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import Contradiction, KeyPoint, Question, Topic


def wrongly(point: str, phrasings: list[str], claim: str, said: str, correction: str) -> KeyPoint:
    """A key point with one listed misconception, said in one phrasing."""
    wrong = Contradiction(claim=claim, phrasings=[said], correction=correction)
    return KeyPoint(point=point, phrasings=phrasings, contradictions=[wrong])


PERPLEXITY = Rubric(
    prompt="What is the perplexity of a language model?",
    key_points=(
        KeyPoint(
            point="Perplexity is the exponential of the cross-entropy",
            phrasings=["exponential of the cross-entropy"],
        ),
        wrongly(
            "Lower perplexity is better",
            ["lower is better"],
            "A higher perplexity means a better language model",
            "maximise perplexity",
            "Lower perplexity is better",
        ),
    ),
)
BLEU_ROUGE = Rubric(
    prompt="How do BLEU and ROUGE differ?",
    key_points=(
        wrongly(
            "BLEU measures n-gram precision with a brevity penalty",
            ["brevity penalty", "n-gram precision"],
            "BLEU measures recall of the reference n-grams",
            "bleu is recall-based",
            "BLEU is precision-based",
        ),
        KeyPoint(
            point="ROUGE measures recall of the reference n-grams",
            phrasings=["recall of the reference"],
        ),
    ),
)
NULLS = Rubric(
    prompt="How does SQL COUNT treat NULL?",
    key_points=(
        wrongly(
            "COUNT(*) counts rows while COUNT(col) counts only non-NULL values",
            ["only non-null values", "skips null values"],
            "COUNT(col) counts NULLs too",
            "count(col) counts nulls",
            "COUNT(col) skips NULLs",
        ),
    ),
)


@pytest.fixture(scope="module")
def shipped() -> QuestionBank:
    return load_bank()


def wrong_claims(rubric: Rubric, answer: str) -> list[str]:
    return list(RubricGrader().grade(rubric, answer).contradicted)


def test_a_misconception_in_its_own_words_is_named_and_capped() -> None:
    answer = (
        "Perplexity is the exponential of the cross-entropy, so a higher perplexity means a "
        "better model."
    )
    result = RubricGrader().grade(PERPLEXITY, answer)
    assert result.contradicted == (
        "You said A higher perplexity means a better language model: Lower perplexity is better",
    )
    assert result.score <= WRONG_CLAIM_CAP


def test_a_misconception_reported_as_one_is_no_claim() -> None:
    answer = (
        "A common misconception is that a higher perplexity means a better model; in fact "
        "lower is better."
    )
    assert wrong_claims(PERPLEXITY, answer) == []


@pytest.mark.parametrize(
    "answer",
    [
        "A common misconception is that COUNT(col) counts NULLs; it skips them.",
        "People often think COUNT(col) counts NULLs, but it skips them.",
        "Many assume COUNT(col) counts nulls. It skips them, unlike COUNT(*).",
        "Most people think COUNT(col) counts nulls, but it skips them.",
        "It's a myth that count(col) counts nulls.",
    ],
)
def test_a_misconception_reported_as_others_belief_is_no_claim_in_its_phrasing(
    answer: str,
) -> None:
    assert wrong_claims(NULLS, answer) == []


@pytest.mark.parametrize(
    "answer",
    [
        "COUNT(col) counts NULLs, which is why it looks wrong to people.",
        "I think COUNT(col) counts NULLs.",
        "Most databases say COUNT(col) counts NULLs.",
        "The reverse of what people think: COUNT(col) counts NULLs.",
    ],
)
def test_a_misconception_asserted_beside_the_word_wrong_or_a_belief_is_still_a_claim(
    answer: str,
) -> None:
    assert wrong_claims(NULLS, answer) == [
        "You said COUNT(col) counts NULLs too: COUNT(col) skips NULLs"
    ]


def test_a_claim_that_names_the_error_itself_is_still_a_claim(shipped: QuestionBank) -> None:
    question = shipped.get("prob-tosses-until-first-heads")
    assert question is not None
    answer = "The gambler's fallacy is right: after many tails a head is due."
    result = RubricGrader().grade(Rubric.for_question(question), answer)
    assert any("heads is due soon" in said for said in result.contradicted)


OFF_POLICY = Rubric(
    prompt="What is the difference between on-policy and off-policy learning?",
    key_points=(
        wrongly(
            "Off-policy learns a target policy from data another policy collected",
            ["learns from data another policy collected"],
            "Off-policy means the agent has no policy",
            "off-policy means there is no policy",
            "An off-policy agent still acts with a behaviour policy",
        ),
    ),
)


@pytest.mark.parametrize(
    "answer",
    [
        "Off-policy doesn't mean there is no policy: it acts with one and learns another.",
        "Off-policy does not mean that there is no policy at all.",
    ],
)
def test_a_denied_denial_is_no_claim(answer: str) -> None:
    assert wrong_claims(OFF_POLICY, answer) == []


@pytest.mark.parametrize(
    "answer",
    [
        "Off-policy means there is no policy at all.",
        "It is not hard: off-policy means there is no policy.",
    ],
)
def test_a_claim_with_its_own_denial_is_still_made(answer: str) -> None:
    assert wrong_claims(OFF_POLICY, answer) == [
        "You said Off-policy means the agent has no policy: An off-policy agent still acts "
        "with a behaviour policy"
    ]


def test_the_claim_said_of_the_other_side_is_no_claim() -> None:
    answer = "ROUGE measures recall of the reference n-grams, and BLEU uses a brevity penalty."
    assert wrong_claims(BLEU_ROUGE, answer) == []
    said = wrong_claims(BLEU_ROUGE, "BLEU measures recall of the reference n-grams.")
    assert "You said BLEU measures recall of the reference n-grams: BLEU is precision-based" in said


def test_a_claim_whose_words_come_again_later_is_found() -> None:
    answer = "NULL is just like zero, and COUNT(col) counts NULLs like any other value."
    assert wrong_claims(NULLS, answer) == [
        "You said COUNT(col) counts NULLs too: COUNT(col) skips NULLs"
    ]
    assert wrong_claims(NULLS, "COUNT(*) counts rows, but COUNT(col) skips NULL values.") == []


def test_swapped_word2vec_variants_are_a_wrong_claim(shipped: QuestionBank) -> None:
    question = shipped.get("nlp-word2vec")
    assert question is not None
    rubric = Rubric.for_question(question)
    swapped = (
        "With CBOW the centre word is used to predict the neighbours, and skip-gram averages "
        "the context to predict the centre word."
    )
    right = (
        "Skip-gram predicts each context word from the centre word, and CBOW averages the "
        "context to predict the centre word."
    )
    assert wrong_claims(rubric, swapped) != []
    assert wrong_claims(rubric, right) == []


@pytest.mark.parametrize(
    ("question_id", "wrong", "right"),
    [
        (
            "cv-iou",
            "IoU is the overlap divided by the area of the predicted box only.",
            "IoU is the overlap divided by the area of the union of the predicted box and the "
            "ground-truth box.",
        ),
        (
            "rec-cf-user-item",
            "Item-based filtering finds the users most like you and recommends what they liked.",
            "User-based filtering finds the most similar users and recommends what they liked, "
            "and item-based filtering recommends items similar to what you bought.",
        ),
        (
            # "He" names Kaiming He's initialisation here, not a person in the story.
            "dl-weight-initialisation",
            "He init is made for tanh layers, while Glorot is designed for ReLU networks.",
            "Glorot suits tanh layers, and He initialisation is meant for ReLU networks.",
        ),
        (
            "stats-mle-vs-map",
            "If the prior is Gaussian you get L1, and with a Laplace prior you get L2.",
            "If the prior is Gaussian you get L2, and with a Laplace prior you get L1.",
        ),
        (
            # "Opposite" turns the claim's own words round.
            "opt-gradient-descent-update",
            "Each update takes a step along the gradient, which lowers the loss every time.",
            "We step opposite to the gradient to lower the loss.",
        ),
        (
            # Counting rows and skipping NULLs share the claim's words, not its sense.
            "sql-null-semantics",
            "COUNT(col) includes the NULL rows like any other value.",
            "COUNT(*) counts all rows but COUNT(col) skips nulls.",
        ),
        (
            "nlp-tf-idf",
            "It puts the highest weight on words found in the most documents.",
            "It puts the highest weight on words frequent in this document but rare elsewhere.",
        ),
    ],
)
def test_swapped_or_one_sided_definitions_in_the_pack_are_caught(
    shipped: QuestionBank, question_id: str, wrong: str, right: str
) -> None:
    question = shipped.get(question_id)
    assert question is not None
    rubric = Rubric.for_question(question)
    assert wrong_claims(rubric, wrong) != []
    assert wrong_claims(rubric, right) == []


def test_a_claim_set_aside_is_no_claim() -> None:
    rubric = Rubric(
        prompt="How does DPO differ from RLHF?",
        key_points=(
            wrongly(
                "DPO trains the policy directly on preference pairs",
                ["directly on preference pairs"],
                "DPO trains a separate reward model",
                "dpo trains a reward model",
                "DPO needs no separate reward model",
            ),
        ),
    )
    assert wrong_claims(rubric, "DPO trains a reward model first, then the policy.") != []
    set_aside = [
        "Unlike RLHF, which trains a reward model, DPO learns from preference pairs directly.",
        "Instead of having DPO train a reward model, we fit the policy on preference pairs.",
    ]
    for answer in set_aside:
        assert wrong_claims(rubric, answer) == [], answer


CLUSTERING = Rubric(
    prompt="How do k-means and k-medoids differ?",
    key_points=(
        wrongly(
            "k-medoids uses actual points as centres, so outliers pull it less",
            ["actual points as centres"],
            "k-means is robust to outliers",
            "k-means is robust to outliers",
            "A mean is pulled towards outliers",
        ),
        wrongly(
            "An LSTM has more parameters than a GRU",
            ["lstm has more gates"],
            "A GRU has more parameters than an LSTM",
            "gru has more parameters than lstm",
            "The LSTM's extra gate gives it more parameters",
        ),
    ),
)


@pytest.mark.parametrize(
    "answer",
    [
        "k-medoids is more robust to outliers than k-means.",
        "Medoids are far more robust to outliers than plain k-means is.",
        # The comparison the claim makes, said the right way round.
        "An LSTM has more parameters than a GRU.",
    ],
)
def test_what_a_thing_is_compared_with_is_not_said_to_be_so(answer: str) -> None:
    assert not RubricGrader().grade(CLUSTERING, answer).contradicted


@pytest.mark.parametrize(
    "answer",
    [
        "K-means is robust to outliers, so I would not worry about them.",
        # A claim that itself compares is still made with its "than".
        "A GRU has more parameters than an LSTM because it is newer.",
    ],
)
def test_a_claim_said_outright_or_in_its_own_comparison_is_named(answer: str) -> None:
    assert RubricGrader().grade(CLUSTERING, answer).contradicted


HINGE = Rubric(
    prompt="How do hinge loss and logistic loss differ?",
    key_points=(
        wrongly(
            "Hinge loss gives raw scores, not probabilities",
            ["raw scores"],
            "Hinge loss gives probabilities",
            "hinge loss gives probabilities",
            "It gives margins; probabilities need calibration",
        ),
    ),
)


def test_a_claim_word_set_aside_inside_the_match_is_not_asserted() -> None:
    right = "Hinge loss gives raw scores instead of calibrated probabilities."
    assert not RubricGrader().grade(HINGE, right).contradicted
    wrong = "Hinge loss gives probabilities instead of raw scores."
    assert RubricGrader().grade(HINGE, wrong).contradicted


READING = Rubric(
    prompt="How do you keep up with machine learning research?",
    key_points=(
        wrongly(
            "Keep a sustainable routine and filter what to read",
            ["keep a routine"],
            "You must read every new paper",
            "read every paper",
            "Nobody can; filter by relevance and go deep on a few",
        ),
    ),
)


def test_what_is_set_aside_a_few_words_back_is_not_asserted() -> None:
    right = "I keep a routine rather than trying to read every paper."
    assert not RubricGrader().grade(READING, right).contradicted
    # A comma ends what was set aside: what follows it is said.
    wrong = "Instead of a routine, I read every paper that comes out."
    assert RubricGrader().grade(READING, wrong).contradicted


RELEASES = Rubric(
    prompt="Compare shadow, canary and blue-green releases.",
    key_points=(
        wrongly(
            "A canary is a safety check, not an A/B test",
            ["small share of real traffic"],
            "A canary is the same as an A/B test",
            "canary is an a/b test",
            "A canary checks safety; measuring impact needs an A/B test",
        ),
    ),
)


def test_steps_in_a_sequence_are_not_one_claim() -> None:
    grade = RubricGrader().grade
    right = "I'd go shadow first, then canary, then a proper A/B test."
    assert not grade(RELEASES, right).contradicted
    assert grade(RELEASES, "A canary is an A/B test, so it proves the impact.").contradicted


# --- a claim said of one thing -----------------------------------------------------------

GRADER = RubricGrader()
SAID_OF_ARIMA = Contradiction(
    claim="ARIMA forecasts with a weighted average of past observations",
    phrasings=["weighted average of past observations"],
    correction="That is exponential smoothing; ARIMA regresses on its lags and past errors",
    said_of="ARIMA",
)
ARIMA_ETS = Rubric(
    prompt="Compare ARIMA with exponential smoothing.",
    key_points=(
        KeyPoint(
            point="Exponential smoothing weights past observations by decaying weights",
            phrasings=["weights decay exponentially"],
            contradictions=[SAID_OF_ARIMA],
        ),
        KeyPoint(
            point="ARIMA regresses the differenced series on its lags and past errors",
            phrasings=["lagged values and past errors"],
        ),
    ),
)


@pytest.mark.parametrize(
    "answer",
    [
        "ARIMA forecasts with a weighted average of past observations.",
        "The ARIMA model is just a weighted average of past observations.",
        "Honestly, ARIMA just takes a weighted average of past observations.",
        "In ARIMA the forecast is a weighted average of past observations.",
        "Frobenius and ARIMA are both a weighted average of past observations.",
    ],
)
def test_a_claim_said_of_its_thing_is_named(answer: str) -> None:
    assert GRADER.grade(ARIMA_ETS, answer).contradicted


@pytest.mark.parametrize(
    "answer",
    [
        "Exponential smoothing forecasts with a weighted average of past observations, and "
        "ARIMA with lagged values and past errors.",
        "Unlike ARIMA, exponential smoothing takes a weighted average of past observations.",
        "A weighted average of past observations is exponential smoothing, not ARIMA.",
        "Exponential smoothing is a weighted average of past observations; ARIMA is not.",
        # The claim's words spread over two clauses, each with its own subject.
        "ARIMA is a weighted model and exponential smoothing is an average of past observations.",
        "ARIMA regresses on lags, exponential smoothing takes a weighted average of past "
        "observations.",
    ],
)
def test_a_claim_said_of_one_thing_is_not_made_of_another(answer: str) -> None:
    result = GRADER.grade(ARIMA_ETS, answer)
    assert not result.contradicted
    assert result.score > 0


def test_without_its_thing_the_same_words_are_a_claim_anywhere() -> None:
    """The old reading, which said_of exists to narrow."""
    anywhere = Contradiction(**{**SAID_OF_ARIMA.model_dump(), "said_of": None})
    point = ARIMA_ETS.key_points[0].model_copy(update={"contradictions": [anywhere]})
    rubric = Rubric(prompt=ARIMA_ETS.prompt, key_points=(point, ARIMA_ETS.key_points[1]))
    answer = "Unlike ARIMA, exponential smoothing takes a weighted average of past observations."
    assert GRADER.grade(rubric, answer).contradicted


def test_validate_tries_a_claim_said_of_one_thing_with_that_thing_as_subject() -> None:
    question = Question(
        id="t-arima-ets",
        topic="ts",
        difficulty="medium",
        stage="theory",
        prompt=ARIMA_ETS.prompt,
        answer="Exponential smoothing weights past observations by decaying weights; ARIMA "
        "regresses the differenced series on its lags and past errors.",
        key_points=list(ARIMA_ETS.key_points),
    )
    bank = QuestionBank(topics=[Topic(id="ts", title="Time series")], questions=[question])
    assert pack_warnings(bank) == []
    # The same phrasing said of nothing in particular is no claim about ARIMA.
    assert not GRADER.grade(ARIMA_ETS, "A weighted average of past observations.").contradicted


def test_a_claim_in_the_first_person_is_only_made_in_the_first_person() -> None:
    mine = Contradiction(
        claim="Playing the arm with the highest posterior mean is Thompson sampling",
        phrasings=["i play the arm with the highest mean"],
        correction="That is greedy; Thompson sampling plays the highest random draw",
    )
    rubric = Rubric(
        prompt="Implement Thompson sampling for a Bernoulli bandit.",
        key_points=(
            KeyPoint(
                point="Sample each arm's posterior and play the highest sample",
                phrasings=["play the highest sample"],
                contradictions=[mine],
            ),
        ),
    )
    assert GRADER.grade(rubric, "Each round I play the arm with the highest mean.").contradicted
    greedy = "A greedy bandit plays the arm with the highest mean; Thompson samples instead."
    assert not GRADER.grade(rubric, greedy).contradicted


F1 = Rubric(
    prompt="What is the F1 score?",
    key_points=(
        wrongly(
            "F1 is the harmonic mean of precision and recall",
            ["harmonic mean of precision and recall"],
            "F1 is the arithmetic mean of precision and recall",
            "(p+r)/2",
            "F1 is the harmonic mean, 2PR/(P+R)",
        ),
    ),
)


def test_a_wrong_formula_is_a_claim_only_as_written() -> None:
    assert wrong_claims(F1, "F1 is the harmonic mean of precision and recall: (P + R) / 2.")
    assert not wrong_claims(F1, "F1 is the harmonic mean of precision and recall, 2*p*r/(p+r).")


LOGISTIC = Rubric(
    prompt="What is the difference between a classification problem and a regression problem?",
    key_points=(
        wrongly(
            "Logistic regression is a classifier",
            ["logistic regression classifies"],
            "Logistic regression is a regression method",
            "logistic regression is a regression model",
            "Despite its name it is a classifier.",
        ),
    ),
)


def test_a_claim_that_says_a_word_twice_needs_it_said_twice() -> None:
    right = GRADER.grade(LOGISTIC, "Logistic regression is a classification model.")
    assert right.contradicted == ()
    wrong = GRADER.grade(
        LOGISTIC, "Logistic regression is a regression model, it outputs a number."
    )
    assert wrong.contradicted
