"""The per-point trace pack authors read: it must agree with the grade and show its evidence."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.agreement import SPLITS, load_labelled
from bot.grading.explain import HALF_MADE, MADE, MISSED, SAID_WRONGLY, explain
from questions.loader import load_bank
from questions.schema import Contradiction, KeyPoint

GRADER = RubricGrader()
RUBRIC = Rubric(
    prompt="Compare L1 and L2 regularisation.",
    key_points=(
        KeyPoint(
            point="L1 drives some weights to exactly zero",
            phrasings=["sparse solution", "weights exactly zero"],
        ),
        KeyPoint(
            point="L2 shrinks weights smoothly without zeroing them",
            phrasings=["shrinks weights smoothly", "ridge shrinks"],
            contradictions=[
                Contradiction(
                    claim="L2 sets weights to exactly zero",
                    phrasings=["l2 sets weights to zero", "ridge makes weights exactly zero"],
                    correction="That is L1; L2 shrinks them but rarely to zero",
                )
            ],
        ),
    ),
)


def test_a_made_point_names_the_phrasing_that_credits_it_and_its_sentence() -> None:
    answer = "Regularisation fights overfitting. With L1, many weights become exactly zero."
    made = explain(GRADER, RUBRIC, answer)[0]
    assert made.verdict == MADE
    assert made.phrasing == "weights exactly zero"
    assert made.sentence == "With L1, many weights become exactly zero"


def test_a_listed_mistake_is_shown_on_its_point_with_the_correction() -> None:
    traces = explain(GRADER, RUBRIC, "Ridge makes the weights exactly zero.")
    wrong = traces[1]
    assert wrong.verdict == SAID_WRONGLY
    assert wrong.wrong is not None
    assert "rarely to zero" in wrong.wrong
    assert wrong.phrasing is None


def test_empty_answers_and_keyword_lists_make_nothing() -> None:
    assert {t.verdict for t in explain(GRADER, RUBRIC, "   ")} == {MISSED}
    stuffed = explain(GRADER, RUBRIC, "lasso, ridge, weights, exactly zero, shrinks, smoothly")
    assert {t.verdict for t in stuffed} <= {MISSED, HALF_MADE}


@pytest.mark.parametrize("split", ["tuning", "dev3"])
def test_the_trace_agrees_with_the_grade_on_labelled_answers(split: str) -> None:
    bank = load_bank()
    for labelled in load_labelled(SPLITS[split])[::7]:
        question = bank.get(labelled.question_id)
        assert question is not None
        rubric = Rubric.for_question(question)
        result = GRADER.grade(rubric, labelled.answer)
        traces = explain(GRADER, rubric, labelled.answer)
        assert [t.point for t in traces if t.verdict == MADE] == list(result.covered)
        for trace in traces:
            if trace.verdict == MADE:
                # Every made point is credited by one of its own phrasings alone.
                assert trace.phrasing is not None, (labelled.question_id, trace.point)
        assert len([t for t in traces if t.verdict == SAID_WRONGLY]) == len(result.contradicted)
        assert len([t for t in traces if t.verdict == HALF_MADE]) == len(result.partly)
