"""Each pack's key points against sentences written to test them
(tests/data/paraphrase_checks/PACK.yaml): a sentence that makes the point in a candidate's own
words - plain, terse, non-native, a formula - earns the point, and one that only uses its words
(a wrong claim, a mention, the opposite) does not.

The sentences are written for this check, not labelled by an interviewer, and take no part in
the agreement figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.questions.sentence_checks import DATA, GRADER, rubric_of, uncovered_packs

CHECKS = DATA / "paraphrase_checks"


@pytest.mark.parametrize("path", sorted(CHECKS.glob("*.yaml")), ids=lambda p: p.stem)
def test_points_made_in_other_words_are_credited_and_mentions_are_not(path: Path) -> None:
    checks: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text())
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
            said = [str(text) for text in entry.get("said", [])]
            not_said = [str(text) for text in entry.get("not_said", [])]
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
    assert uncovered_packs(CHECKS, "key_points:") == set()
