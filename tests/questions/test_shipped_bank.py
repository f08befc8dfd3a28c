"""The shipped bank agrees with its own grader, and no two questions ask the same thing."""

from __future__ import annotations

import itertools

import pytest
from rapidfuzz import fuzz

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank
from questions.schema import Question, word_count

BANK = load_bank()
GRADER = RubricGrader()


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_model_answer_earns_a_high_score_from_its_own_rubric(question: Question) -> None:
    result = GRADER.grade(Rubric.for_question(question), question.answer)
    assert result.score >= 70, (result.score, result.missed)


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_every_question_is_complete(question: Question) -> None:
    assert 80 <= word_count(question.answer) <= 250
    assert 3 <= len(question.key_points) <= 6
    assert all(len(kp.phrasings) >= 2 for kp in question.key_points)
    assert question.hints


def test_every_topic_has_at_least_four_questions_across_difficulties() -> None:
    counts = BANK.counts()["topic"]
    assert {t.id: counts.get(t.id, 0) for t in BANK.topics if counts.get(t.id, 0) < 4} == {}
    assert len(BANK) >= 150
    assert all(count >= 30 for count in BANK.counts()["difficulty"].values())


SEED_EXAMPLES = (
    "reg-l1-vs-l2",
    "reg-avoid-overfitting-neural-net",
    "data-mixed-features-regression",
    "code-kmeans-from-scratch",
    "sd-ecommerce-recommender",
    "beh-explain-to-non-technical",
    "fund-parametric-vs-nonparametric",
    "loss-convex-vs-nonconvex",
    "dl-when-to-use",
    "eval-false-positives-negatives",
    "algo-naive-bayes",
    "algo-kmeans-outliers",
)


def test_the_seeds_example_questions_are_in_the_bank() -> None:
    assert [qid for qid in SEED_EXAMPLES if BANK.get(qid) is None] == []


def test_no_near_duplicate_prompts() -> None:
    pairs = []
    for a, b in itertools.combinations(BANK.questions, 2):
        similarity = fuzz.token_set_ratio(a.prompt.lower(), b.prompt.lower())
        if similarity >= 85:
            pairs.append((a.id, b.id, round(similarity)))
    assert pairs == []


def test_a_one_line_answer_scores_low_on_every_question() -> None:
    weak = [
        q.id
        for q in BANK.questions
        if GRADER.grade(Rubric.for_question(q), "I think it depends on the situation.").score > 20
    ]
    assert weak == []
