"""What the pack sentence checks share: the shipped bank, loaded once, one grader, the rubric a
check key names, and the pack files a check folder must cover."""

from __future__ import annotations

from pathlib import Path

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank

DATA = Path(__file__).parents[1] / "data"
PACKS = Path(__file__).parents[2] / "questions" / "packs"
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


def uncovered_packs(checks: Path, marker: str) -> set[str]:
    """Pack files whose text holds `marker` ("key_points:") but have no file in `checks`."""
    listing = {p.stem for p in PACKS.rglob("*.yaml") if marker in p.read_text()}
    return listing - {p.stem for p in checks.glob("*.yaml")}
