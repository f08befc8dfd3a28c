"""Each pack's listed misconceptions against sentences written to test them
(tests/data/misconception_checks/PACK.yaml): a wrong answer that asserts one is named, and a
right sentence, often in the same words the right way round, is accused of nothing.

The sentences are written for this check, not labelled by an interviewer, and take no part
in the agreement figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.questions.sentence_checks import DATA, GRADER, rubric_of, uncovered_packs

CHECKS = DATA / "misconception_checks"


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
    assert uncovered_packs(CHECKS, "contradictions:") == set()
