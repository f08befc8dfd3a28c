"""Each pack's listed misconceptions against sentences written to test them
(tests/data/misconception_checks/PACK.yaml): a wrong answer that asserts one is named, and a
right sentence, often in the same words the right way round, is accused of nothing.

The sentences are written for this check, not labelled by an interviewer, and take no part
in the agreement figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank

CHECKS = Path(__file__).parents[1] / "data" / "misconception_checks"
BANK = load_bank()
GRADER = RubricGrader()


def rubric_of(key: str) -> Rubric:
    """A question id, or "id#N" for its N-th follow-up (from 0)."""
    question_id, _, index = key.partition("#")
    question = BANK.get(question_id)
    assert question is not None, f"unknown question {question_id!r}"
    if index:
        return Rubric.for_follow_up(question, question.follow_ups[int(index)])
    return Rubric.for_question(question)


@pytest.mark.parametrize("path", sorted(CHECKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_wrong_answers_are_named_and_right_sentences_are_not(path: Path) -> None:
    checks: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text())
    missed: list[str] = []
    accused: list[str] = []
    for key, groups in checks.items():
        rubric = rubric_of(key)
        missed += [
            f"{key}: {text}"
            for text in groups.get("wrong", [])
            if not GRADER.grade(rubric, text).contradicted
        ]
        accused += [
            f"{key}: {text} -> {said[0]}"
            for text in groups.get("right", [])
            if (said := GRADER.grade(rubric, text).contradicted)
        ]
    assert sum(len(g.get("wrong", [])) for g in checks.values()) > 0
    assert (missed, accused) == ([], [])


def test_every_pack_file_with_misconceptions_has_checks() -> None:
    packs = Path(__file__).parents[2] / "questions" / "packs"
    listing = {p.stem for p in packs.rglob("*.yaml") if "contradictions:" in p.read_text()}
    assert listing <= {p.stem for p in CHECKS.glob("*.yaml")}
