"""Agreement beyond the set the grader was tuned on: the never-tuned holdout split when it is
present, and real students' answers from SemEval-2013 graded as answer-only packs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.grading import RubricGrader
from bot.grading.agreement import (
    ANSWER_CHECKS,
    SPLITS,
    TUNED_SPLITS,
    UNMENDED_KEY_POINTS,
    evaluate,
    load_labelled,
    unmended_bank,
)
from bot.grading.semeval import cosine, load_corpus, roc_auc, sample
from bot.grading.semeval import evaluate as semeval_evaluate
from questions.loader import load_bank

ROOT = Path(__file__).resolve().parents[3]
HOLDOUT = ROOT / "tests" / "data" / "graded_answers_holdout.yaml"
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2013-2way" / "train.tsv"
# A floor well under the 0.85 target, so the test flags a collapse, not noise.
HOLDOUT_FLOOR = 0.7


@pytest.mark.skipif(not HOLDOUT.exists(), reason="the holdout split is not in this checkout")
def test_the_grader_agrees_with_people_on_answers_it_was_never_tuned_on() -> None:
    report = evaluate(RubricGrader(), load_bank(), load_labelled(HOLDOUT))
    assert report.spearman >= HOLDOUT_FLOOR, report.to_dict(worst=10)


@pytest.mark.parametrize(("split", "at_least"), [("dev", 15), ("dev2", 6), ("dev3", 40)])
def test_a_dev_split_tunes_on_questions_no_other_split_uses(split: str, at_least: int) -> None:
    dev = load_labelled(ROOT / SPLITS[split])
    others = {
        a.question_id
        for name, path in SPLITS.items()
        if name != split and (ROOT / path).exists()
        for a in load_labelled(ROOT / path)
    }
    questions = {a.question_id for a in dev}
    assert split in TUNED_SPLITS
    assert len(questions) >= at_least
    assert not questions & others
    for question_id in questions:
        kinds = Counter(a.kind for a in dev if a.question_id == question_id)
        labels = Counter(a.label for a in dev if a.question_id == question_id)
        assert labels[2] >= 2, question_id
        assert kinds["keyword-stuffed"] == 1, question_id
        assert labels[0] + labels[1] >= 2, question_id  # the keyword list and a wrong answer


def test_roc_auc_counts_ties_as_half() -> None:
    assert roc_auc([3, 2, 1], [True, False, False]) == 1.0
    assert roc_auc([1, 2, 3], [True, False, False]) == 0.0
    assert roc_auc([1, 1], [True, False]) == 0.5
    with pytest.raises(ValueError, match="both"):
        roc_auc([1, 2], [True, True])


def test_cosine_baseline_compares_content_words() -> None:
    assert cosine(
        "the gap separates the terminals", "terminals separated by a gap"
    ) == pytest.approx(1)
    assert cosine("bulb", "battery") == 0.0


def test_a_malformed_corpus_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "c.tsv"
    header = "corpus\tquestion_id\tquestion\treference_answer\tstudent_answer\tlabel_2way\n"
    path.write_text(header + "beetle\tq1\tWhy?\tA gap.\tA gap.\tmaybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":2: field 'label_2way'"):
        load_corpus(path)


@pytest.mark.skipif(not SEMEVAL.exists(), reason="the SemEval-2013 data is not beside the repo")
def test_answer_only_grading_ranks_real_student_answers_above_chance() -> None:
    rows = sample(load_corpus(SEMEVAL), per_corpus=250)
    report = semeval_evaluate(rows, RubricGrader())
    assert set(report) == {"beetle", "sciEntsBank"}
    for halves in report.values():
        assert set(halves) == {"tuning", "holdout", "all"}
        assert halves["tuning"]["answers"] + halves["holdout"]["answers"] == 250
        assert halves["all"]["answers"] == 250
        assert halves["all"]["auc"] > 0.6  # chance is 0.5; the full-corpus run is in benchmarks/
        for figures in halves.values():
            assert figures["gain"] == pytest.approx(
                figures["auc"] - figures["cosine_auc"], abs=2e-4
            )


def test_the_unmended_key_points_are_the_never_tuned_questions_as_they_were() -> None:
    bank = load_bank()
    unmended = unmended_bank(bank, ROOT / UNMENDED_KEY_POINTS)
    never_tuned = {
        a.question_id
        for name, path in SPLITS.items()
        if name not in TUNED_SPLITS
        for a in load_labelled(ROOT / path)
    }
    assert {q.id for q in unmended.questions} == never_tuned
    changed = 0
    for question in unmended.questions:
        shipped = bank.get(question.id)
        assert shipped is not None
        assert question.prompt == shipped.prompt
        assert question.answer == shipped.answer
        changed += question.key_points != shipped.key_points
    assert changed >= len(never_tuned) // 2  # most were mended since


def test_grading_against_unmended_key_points_uses_them() -> None:
    bank = load_bank()
    unmended = unmended_bank(bank, ROOT / UNMENDED_KEY_POINTS)
    checks = [
        a
        for path in sorted((ROOT / ANSWER_CHECKS).glob("*.yaml"))
        for a in load_labelled(path)
        if unmended.get(a.question_id) is not None
    ]
    before = evaluate(RubricGrader(), unmended, checks)
    after = evaluate(RubricGrader(), bank, checks)
    assert before.count == after.count >= 300
    # The packs were mended against these very answers: they grade better against them.
    assert after.spearman > before.spearman > 0.3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key_points: [a, b]\n", "expected a mapping with a 'key_points' mapping"),
        ("key_points:\n  no-such-question: []\n", "'no-such-question' is not in the bank"),
        ("key_points:\n  eval-f1-score: [{phrasings: [x]}]\n", "eval-f1-score: Field required"),
    ],
)
def test_a_malformed_key_point_file_says_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "points.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        unmended_bank(load_bank(), path)
