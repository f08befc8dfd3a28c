"""Answer-only questions (a prompt and a model answer, no key points): the score follows the
model answer's wording beyond the question, drops for an answer that says its opposite, and an
answer in other words is not written off as off-topic. The SemEval report keeps the half of
the questions that guided the weights apart from the half that reports them."""

from __future__ import annotations

from itertools import count

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.semeval import StudentAnswer, evaluate, half_of
from questions.schema import Difficulty, Question, Stage


def answer_only(prompt: str, model_answer: str) -> Rubric:
    question = Question(
        id="ao-test",
        topic="science",
        difficulty=Difficulty.EASY,
        stage=Stage.THEORY,
        prompt=prompt,
        answer=model_answer,
    )
    rubric = Rubric.for_question(question)
    assert rubric.derived
    return rubric


@pytest.fixture(scope="module")
def grader() -> RubricGrader:
    return RubricGrader()


@pytest.fixture(scope="module")
def switch() -> Rubric:
    return answer_only(
        "Why does the lamp stay dark when the switch is open?",
        "An open switch leaves a gap, so there is no closed path through the lamp and the cell.",
    )


@pytest.mark.parametrize(
    ("prompt", "model_answer", "right", "opposite"),
    [
        (
            "Why does the lamp stay dark when the switch is open?",
            "An open switch leaves a gap, so there is no closed path through the lamp and the "
            "cell.",
            "There is a gap at the switch, so the path is not closed.",
            "The switch is closed, so there is a closed path through the lamp and the cell.",
        ),
        (
            # The opposite said beside the word itself is no contradiction.
            "Do the two pebbles look alike?",
            "The pebbles are similar in colour but one is rough and one is smooth.",
            "They are similar in colour, but different in feel: one rough, one smooth.",
            "They are different in colour, and one is rough and one is smooth.",
        ),
    ],
)
def test_saying_the_opposite_of_the_model_answer_scores_below_saying_it(
    grader: RubricGrader, prompt: str, model_answer: str, right: str, opposite: str
) -> None:
    rubric = answer_only(prompt, model_answer)
    assert grader.grade(rubric, opposite).score < grader.grade(rubric, right).score


def test_words_beyond_the_question_count_more_than_the_question_said_back(
    grader: RubricGrader,
) -> None:
    rubric = answer_only(
        "Why do the two magnets push each other away?",
        "Their like poles face each other, and like poles repel.",
    )
    answer = "The poles facing each other are alike, and poles that are alike repel."
    echo = "The two magnets push each other away because they are magnets."
    assert grader.grade(rubric, answer).score > grader.grade(rubric, echo).score + 30


def test_a_word_in_another_form_of_the_model_answer_still_counts(grader: RubricGrader) -> None:
    rubric = answer_only(
        "How does tightening a guitar string change its sound?",
        "A tighter string vibrates faster, so its pitch is higher.",
    )
    reworded = grader.grade(rubric, "Once tightened, it vibrates more quickly: higher pitch.")
    vague = grader.grade(rubric, "Tightening the string changes how it sounds.")
    assert reworded.score > vague.score


def test_an_answer_in_other_words_is_not_written_off_as_off_topic(
    grader: RubricGrader, switch: Rubric
) -> None:
    # Few of its words are the model answer's, yet it says much of the same.
    result = grader.grade(switch, "Electricity cannot flow round an incomplete circuit.")
    assert result.reason == "off-topic"
    assert result.score > 5
    unrelated = grader.grade(switch, "My dog likes long walks in the park on sunny days.")
    assert unrelated.score <= 30


def _first(half: str, n: int) -> list[str]:
    found: list[str] = []
    for i in count():
        qid = f"q{i}"
        if half_of(StudentAnswer("science", qid, "", "", "", True)) == half:
            found.append(qid)
            if len(found) == n:
                return found
    raise AssertionError("unreachable")


def test_the_report_gives_each_half_and_all_with_the_baseline_on_the_same_answers(
    grader: RubricGrader,
) -> None:
    prompt = "Why does the lamp stay dark when the switch is open?"
    model = "An open switch leaves a gap, so there is no closed path."
    rows = [
        StudentAnswer("science", qid, prompt, model, text, correct)
        for half in ("tuning", "holdout")
        for qid in _first(half, 1)
        for text, correct in (
            ("The open switch makes a gap, so the path is not closed.", True),
            ("There is a gap, so no closed path goes through it.", True),
            ("The lamp is broken.", False),
            ("It needs a new cell.", False),
        )
    ]
    report = evaluate(rows, grader)["science"]
    assert list(report) == ["tuning", "holdout", "all"]
    assert [report[h]["answers"] for h in ("tuning", "holdout", "all")] == [4, 4, 8]
    for figures in report.values():
        assert 0.0 <= figures["cosine_auc"] <= 1.0
        assert figures["gain"] == pytest.approx(figures["auc"] - figures["cosine_auc"], abs=2e-4)
    assert report["tuning"]["auc"] == 1.0  # both right answers above both wrong ones
