"""Each pack's key points against sentences written to test them
(tests/data/paraphrase_checks/PACK.yaml): a sentence that makes the point in a candidate's own
words - plain, terse, non-native, a formula - earns the point, and one that only uses its words
(a wrong claim, a mention, the opposite) does not.

The sentences are written for this check, not labelled by an interviewer, and take no part in
the agreement figures."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank

CHECKS = Path(__file__).parents[1] / "data" / "paraphrase_checks"
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
def test_points_made_in_other_words_are_credited_and_mentions_are_not(path: Path) -> None:
    checks: dict[str, list[dict[str, object]]] = yaml.safe_load(path.read_text())
    unknown: list[str] = []
    missed: list[str] = []
    credited: list[str] = []
    for key, entries in checks.items():
        rubric = rubric_of(key)
        points = {point.point for point in rubric.key_points}
        for entry in entries:
            point = str(entry["point"])
            if point not in points:
                unknown.append(f"{key}: {point}")
                continue
            said = [str(text) for text in entry.get("said", [])]  # type: ignore[attr-defined]
            not_said = [str(text) for text in entry.get("not_said", [])]  # type: ignore[attr-defined]
            missed += [
                f"{key}: [{point}] {text}"
                for text in said
                if point not in GRADER.grade(rubric, text).covered
            ]
            credited += [
                f"{key}: [{point}] {text}"
                for text in not_said
                if point in GRADER.grade(rubric, text).covered
            ]
    assert sum(len(entries) for entries in checks.values()) > 0
    problems = (
        [f"no such point: {line}" for line in unknown]
        + [f"not credited: {line}" for line in missed]
        + [f"credited by a mere mention: {line}" for line in credited]
    )
    assert not problems, "\n" + "\n".join(problems)


def test_every_pack_file_with_key_points_has_checks() -> None:
    packs = Path(__file__).parents[2] / "questions" / "packs"
    listing = {p.stem for p in packs.rglob("*.yaml") if "key_points:" in p.read_text()}
    assert listing <= {p.stem for p in CHECKS.glob("*.yaml")}
