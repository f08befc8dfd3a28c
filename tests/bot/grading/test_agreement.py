"""The grader agrees with people: hand-labelled answers, and the agreement maths itself."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bot.grading import GradeResult, Rubric, RubricGrader
from bot.grading.agreement import (
    CORE_KINDS,
    DEFAULT_PATH,
    KINDS,
    AgreementReport,
    LabelledAnswer,
    average_ranks,
    evaluate,
    load_labelled,
    main,
    spearman,
)
from bot.grading.rubric import KEYWORD_LIST_FACTOR
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import KeyPoint, Stage

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / DEFAULT_PATH
MIN_SPEARMAN = 0.7


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


@pytest.fixture(scope="module")
def labelled() -> list[LabelledAnswer]:
    return load_labelled(DATA)


@pytest.fixture(scope="module")
def report(bank: QuestionBank, labelled: list[LabelledAnswer]) -> AgreementReport:
    return evaluate(RubricGrader(), bank, labelled)


# --- the labelled set ----------------------------------------------------------------


def test_the_set_is_big_enough(labelled: list[LabelledAnswer]) -> None:
    assert len(labelled) >= 200
    assert len({a.question_id for a in labelled}) >= 25


def test_every_question_is_in_the_shipped_bank(
    bank: QuestionBank, labelled: list[LabelledAnswer]
) -> None:
    unknown = sorted({a.question_id for a in labelled if bank.get(a.question_id) is None})
    assert unknown == []


def test_every_kind_is_present_for_every_question(labelled: list[LabelledAnswer]) -> None:
    assert {a.kind for a in labelled} == set(KINDS)
    kinds: dict[str, set[str]] = defaultdict(set)
    for answer in labelled:
        kinds[answer.question_id].add(answer.kind)
    assert {
        q: sorted(set(CORE_KINDS) - k) for q, k in kinds.items() if not set(CORE_KINDS) <= k
    } == {}


def test_each_question_has_seven_to_ten_answers(labelled: list[LabelledAnswer]) -> None:
    counts = Counter(a.question_id for a in labelled)
    assert {q: n for q, n in counts.items() if not 7 <= n <= 10} == {}


def test_questions_span_topics_and_stages(
    bank: QuestionBank, labelled: list[LabelledAnswer]
) -> None:
    questions = [q for q in bank.questions if q.id in {a.question_id for a in labelled}]
    assert len({q.topic for q in questions}) >= 12
    assert {Stage.BEHAVIORAL, Stage.CODING, Stage.SYSTEM_DESIGN} <= {q.stage for q in questions}


def test_labels_follow_the_labelling_rules(labelled: list[LabelledAnswer]) -> None:
    assert all(0 <= a.label <= 4 for a in labelled)
    assert [a for a in labelled if a.kind == "keyword-stuffed" and a.label > 1] == []
    assert [a for a in labelled if a.kind == "negated" and a.label > 1] == []
    assert [a for a in labelled if a.kind in ("misconception", "swapped") and a.label > 1] == []
    assert [a for a in labelled if a.kind == "off-topic" and a.label != 0] == []
    assert all(a.answer.strip() for a in labelled)


# --- agreement -----------------------------------------------------------------------


def test_grader_ranks_answers_like_people(report: AgreementReport) -> None:
    assert report.count >= 200
    assert report.spearman >= MIN_SPEARMAN, report.to_dict(worst=10)


def test_no_keyword_list_beats_a_real_partial_answer(report: AgreementReport) -> None:
    by_question: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for graded in report.graded:
        item = graded.labelled
        by_question[item.question_id].append((item.kind, item.label, graded.score))
    beaten = [
        (question, stuffed, partial)
        for question, answers in by_question.items()
        for kind, _, stuffed in answers
        if kind == "keyword-stuffed"
        for other_kind, label, partial in answers
        if other_kind == "partial" and label >= 2 and stuffed > partial
    ]
    assert beaten == []
    assert report.keyword_beats_partial == 0


def test_kinds_are_ordered_as_an_interviewer_would(report: AgreementReport) -> None:
    means = report.mean_score_by_kind
    assert set(means) == set(KINDS)
    assert means["good"] > means["partial"]
    assert means["partial"] > max(means["off-topic"], means["negated"], means["keyword-stuffed"])


# --- what the grader does to agree with people ---------------------------------------


def _covered(bank: QuestionBank, question_id: str, answer: str) -> list[int]:
    question = bank.get(question_id)
    assert question is not None
    result = RubricGrader().grade(Rubric.for_question(question), answer)
    return [i for i, kp in enumerate(question.key_points) if kp.point in result.covered]


L1_SPARSITY = 1  # "L1 (lasso) drives some weights to exactly zero, ..." in reg-l1-vs-l2
KNN_SLOW = 5  # "Prediction is slow; use KD-trees, ..." in algo-knn


@pytest.mark.parametrize(
    ("answer", "credited"),
    [
        ("L1 gives you sparse models and feature selection.", True),
        ("Sparse models and feature selection aren't what L1 gives you.", False),
        ("L1 has nothing to do with sparse models or feature selection.", False),
        ("L1 drives weights to exactly zero, L2 doesn't.", True),
        ("L1 drives weights to exactly zero, not L2.", True),
    ],
)
def test_negation_denies_only_what_it_reaches(
    bank: QuestionBank, answer: str, credited: bool
) -> None:
    assert (L1_SPARSITY in _covered(bank, "reg-l1-vs-l2", answer)) is credited


def test_a_point_said_about_the_other_side_earns_nothing(bank: QuestionBank) -> None:
    swapped = "L2 is the one that drives weights to exactly zero and gives sparse models."
    right = "L1 is the one that drives weights to exactly zero and gives sparse models."
    assert L1_SPARSITY not in _covered(bank, "reg-l1-vs-l2", swapped)
    assert L1_SPARSITY in _covered(bank, "reg-l1-vs-l2", right)
    question = bank.get("reg-l1-vs-l2")
    assert question is not None
    assert RubricGrader().grade(Rubric.for_question(question), swapped).score == 0


def test_saying_the_opposite_of_a_point_earns_nothing(bank: QuestionBank) -> None:
    fast = "k-NN is very fast at prediction time because training does all the work."
    slow = "k-NN is slow at prediction time, so for big data I would use a KD-tree."
    assert KNN_SLOW not in _covered(bank, "algo-knn", fast)
    assert KNN_SLOW in _covered(bank, "algo-knn", slow)


def test_a_typo_is_forgiven_but_an_opposite_is_not() -> None:
    rubric = Rubric(
        prompt="What does the theorem need?",
        key_points=(KeyPoint(point="Finite variance", phrasings=["finite variance"]),),
    )
    grader = RubricGrader()
    assert grader.grade(rubric, "It needs data with finte variance.").covered
    assert not grader.grade(rubric, "It works even for data with infinite variance.").covered


@pytest.mark.parametrize(
    ("point", "opposite"),
    [("symmetric loss", "asymmetric loss"), ("normal point", "abnormal point")],
)
def test_a_word_behind_a_greek_or_latin_negating_prefix_is_no_typo(
    point: str, opposite: str
) -> None:
    rubric = Rubric(
        prompt="Describe it.",
        key_points=(KeyPoint(point=point, phrasings=[point]),),
    )
    grader = RubricGrader()
    assert grader.grade(rubric, f"This is a {point}.").covered
    assert not grader.grade(rubric, f"This is an {opposite}.").covered


def test_a_keyword_list_names_points_but_scores_almost_nothing(bank: QuestionBank) -> None:
    question = bank.get("reg-l1-vs-l2")
    assert question is not None
    result = RubricGrader().grade(
        Rubric.for_question(question), "lasso, ridge, sparsity, feature selection, weight decay"
    )
    assert result.reason == "keyword-list"
    assert result.covered
    # Naming the right concepts earns a token, never more than KEYWORD_LIST_FACTOR of full marks.
    assert 0 < result.score <= round(100 * KEYWORD_LIST_FACTOR)


def test_a_point_restated_in_own_words_earns_part_credit(bank: QuestionBank) -> None:
    question = bank.get("fund-bias-variance-tradeoff")
    assert question is not None
    result = RubricGrader().grade(
        Rubric.for_question(question), "Bias is when the model is too simple and underfits."
    )
    assert result.covered == ()
    assert 0 < result.score < 20


def test_denied_actions_do_not_make_a_star_story(bank: QuestionBank) -> None:
    question = bank.get("beh-technical-disagreement")
    assert question is not None
    answer = "I didn't talk to him privately and we never agreed, there was no experiment."
    result = RubricGrader().grade(Rubric.for_question(question), answer)
    assert result.star == {"situation": False, "task": False, "action": False, "result": False}
    assert result.score == 0


# --- evaluate with a grader whose scores are known -----------------------------------


class _FixedGrader:
    """Scores each answer by a lookup, so the report's arithmetic can be checked exactly."""

    def __init__(self, scores: dict[str, int]) -> None:
        self.scores = scores

    def grade(self, rubric: Rubric, answer: str) -> GradeResult:
        return GradeResult(score=self.scores[answer], covered=(), missed=(), advice="ok")


def test_evaluate_reports_means_and_keyword_wins(bank: QuestionBank) -> None:
    first, second = (q.id for q in bank.questions[:2])
    items = [
        LabelledAnswer(first, "good", 4, "a"),
        LabelledAnswer(first, "partial", 2, "b"),
        LabelledAnswer(first, "keyword-stuffed", 1, "c"),
        LabelledAnswer(second, "partial", 2, "d"),
        LabelledAnswer(second, "keyword-stuffed", 1, "e"),
        LabelledAnswer(second, "partial", 1, "f"),  # a weak partial is not a rival
    ]
    grader = _FixedGrader({"a": 90, "b": 30, "c": 40, "d": 50, "e": 20, "f": 10})
    result = evaluate(grader, bank, items)
    assert result.count == 6
    assert result.questions == 2
    assert result.mean_score_by_kind == {"good": 90, "partial": 30, "keyword-stuffed": 30}
    assert result.mean_score_by_label == {1: 70 / 3, 2: 40, 4: 90}
    assert result.keyword_beats_partial == 1
    assert [(w.question_id, w.keyword_score, w.partial_score) for w in result.keyword_wins] == [
        (first, 40, 30)
    ]
    labels, scores = [4, 2, 1, 2, 1, 1], [90, 30, 40, 50, 20, 10]
    assert result.spearman == pytest.approx(spearman(labels, scores))
    data = json.loads(json.dumps(result.to_dict(worst=2)))
    assert data["keyword_stuffed_beating_partial"] == 1
    assert len(data["largest_disagreements"]) == 2


def test_evaluate_rejects_unknown_questions(bank: QuestionBank) -> None:
    items = [
        LabelledAnswer("no-such-question", "good", 4, "x"),
        LabelledAnswer("no-such-question", "wrong", 0, "y"),
    ]
    with pytest.raises(KeyError, match="no-such-question"):
        evaluate(RubricGrader(), bank, items)


# --- Spearman ------------------------------------------------------------------------


def test_average_ranks_share_ties() -> None:
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([3, 1, 2]) == [3, 1, 2]
    assert average_ranks([7, 7, 7]) == [2, 2, 2]
    assert average_ranks([]) == []


def test_spearman_of_monotone_vectors() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    # Only order matters, not distance.
    assert spearman([1, 2, 3, 4], [1, 8, 27, 1000]) == pytest.approx(1.0)


def test_spearman_without_ties_matches_the_textbook_formula() -> None:
    x, y = [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]
    d2 = sum((a - b) ** 2 for a, b in zip(x, y, strict=True))
    assert spearman(x, y) == pytest.approx(1 - 6 * d2 / (5 * (25 - 1)))  # 0.8


def test_spearman_with_ties_uses_average_ranks() -> None:
    # y ranks: 1, 2, 3.5, 5, 3.5 -> Pearson with 1..5 is 8 / sqrt(10 * 9.5).
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))
    # Ties on both sides that cancel out.
    assert spearman([1, 1, 2, 2], [1, 2, 1, 2]) == pytest.approx(0.0)
    # Labels with many ties against distinct scores.
    # label ranks 1.5, 1.5, 3.5, 3.5, 5 against score ranks 2, 1, 3, 4, 5.
    assert spearman([0, 0, 1, 1, 2], [5, 1, 20, 30, 90]) == pytest.approx(9 / math.sqrt(90))


def test_spearman_is_undefined_for_degenerate_input() -> None:
    with pytest.raises(ValueError, match="pairs"):
        spearman([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="two"):
        spearman([1], [1])
    with pytest.raises(ValueError, match="same"):
        spearman([1, 1, 1], [1, 2, 3])


# --- loading and the command line ----------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"question_id": "x", "kind": "great", "label": 3, "answer": "a"}, "kind"),
        ({"question_id": "x", "kind": "good", "label": 5, "answer": "a"}, "label"),
        ({"question_id": "x", "kind": "good", "label": True, "answer": "a"}, "label"),
        ({"question_id": "x", "kind": "good", "answer": "a"}, "missing label"),
        ({"question_id": "x", "kind": "good", "label": 3, "answer": "a", "why": 1}, "unknown"),
        ({"question_id": "", "kind": "good", "label": 3, "answer": "a"}, "question_id"),
    ],
)
def test_load_labelled_names_the_bad_entry(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(json.dumps({"answers": [entry]}), encoding="utf-8")
    with pytest.raises(ValueError, match=f"#1: .*{message}"):
        load_labelled(path)


def test_load_labelled_needs_an_answers_list(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text("questions: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="answers"):
        load_labelled(path)


def test_command_prints_the_report_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(DATA), "--worst", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answers"] >= 200
    assert set(data["mean_score_by_kind"]) == set(KINDS)
    assert data["spearman"] >= MIN_SPEARMAN
    assert len(data["largest_disagreements"]) == 3


def test_command_defaults_to_the_shipped_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the default path still resolves from anywhere
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] >= 200


def test_command_reports_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([str(tmp_path / "missing.yaml")]) == 1
    assert "error" in capsys.readouterr().err


def test_one_root_behind_two_prefixes_is_no_typo() -> None:
    rubric = Rubric(
        prompt="How does attention feed a translation model?",
        key_points=(
            KeyPoint(point="The context goes to the decoder", phrasings=["context decoder"]),
        ),
    )
    grader = RubricGrader()
    assert grader.grade(rubric, "The context vector is fed to the decodr.").covered
    assert not grader.grade(rubric, "The context vector is fed to the encoder.").covered


@pytest.mark.parametrize(
    ("point", "other"),
    [("lower learning rate", "slower learning rate"), ("conditioning", "preconditioning")],
)
def test_a_word_with_letters_put_in_front_is_another_word(point: str, other: str) -> None:
    rubric = Rubric(prompt="Describe it.", key_points=(KeyPoint(point=point, phrasings=[point]),))
    grader = RubricGrader()
    assert grader.grade(rubric, f"It is about the {point}.").covered
    assert not grader.grade(rubric, f"It is about the {other}.").covered


def test_doing_it_again_is_still_doing_it() -> None:
    rubric = Rubric(
        prompt="How does the bootstrap work?",
        key_points=(
            KeyPoint(point="Sample with replacement", phrasings=["sample with replacement"]),
        ),
    )
    assert RubricGrader().grade(rubric, "Resample the rows with replacement.").covered
