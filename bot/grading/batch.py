"""Grade many answers in one process: JSON lines in, one JSON line out per input, in order.

A line that cannot be graded (not JSON, a missing field, an unknown question, not UTF-8, too
long) gets an error object in its place, so one bad line never loses the others.

    interview-bot grade --batch [--packs PATH...] < answers.jsonl > grades.jsonl
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Final

from bot.grading.protocol import Grader, Rubric
from questions.bank import QuestionBank

# A line longer than this is refused whole; the grader reads only its first characters anyway.
MAX_LINE_BYTES: Final = 1 << 20
FIELDS: Final = ("question_id", "answer")


class BatchLineError(ValueError):
    """One input line that cannot be graded, with the reason a person can act on."""


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str | None]]:
    """Numbered lines of text; None for a line that is too long or not UTF-8 (its number is
    kept so the output stays in step with the input). Blank lines are skipped."""
    number = 0
    while True:
        chunk = stream.readline(limit + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # drop the rest of the long line
                chunk = stream.readline(limit)
            yield number, None
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            yield number, "\x00not-utf-8"
            continue
        if text.strip():
            yield number, text


def parse_line(text: str) -> tuple[str, str]:
    """The question id and answer of one input line, or a BatchLineError saying what is wrong."""
    if text == "\x00not-utf-8":
        raise BatchLineError("line is not UTF-8 text")
    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BatchLineError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(item, dict):
        raise BatchLineError('expected a JSON object {"question_id": ..., "answer": ...}')
    missing = [f for f in FIELDS if f not in item]
    if missing:
        raise BatchLineError(f"missing field {', '.join(missing)}")
    question_id, answer = item["question_id"], item["answer"]
    if not isinstance(question_id, str) or not question_id:
        raise BatchLineError("field question_id must be a non-empty string")
    if not isinstance(answer, str):
        raise BatchLineError("field answer must be a string")
    return question_id, answer


class BatchGrader:
    """Grades lines against one bank, compiling each question's rubric once."""

    def __init__(self, bank: QuestionBank, grader: Grader) -> None:
        self._bank = bank
        self._grader = grader
        self._rubrics: dict[str, Rubric] = {}

    def grade_line(self, number: int, text: str | None) -> dict[str, object]:
        try:
            if text is None:
                raise BatchLineError(f"line is longer than {MAX_LINE_BYTES} bytes")
            question_id, answer = parse_line(text)
            rubric = self._rubric(question_id)
        except BatchLineError as exc:
            return {"line": number, "error": str(exc)}
        result = self._grader.grade(rubric, answer)
        return {
            "line": number,
            "question_id": question_id,
            "score": result.score,
            "covered": list(result.covered),
            "missed": list(result.missed),
            "contradicted": list(result.contradicted),
            "partly": list(result.partly),
            "advice": result.advice,
            "reason": result.reason,
            "truncated": result.truncated,
        }

    def _rubric(self, question_id: str) -> Rubric:
        rubric = self._rubrics.get(question_id)
        if rubric is None:
            question = self._bank.get(question_id)
            if question is None:
                raise BatchLineError(f"no question with id {question_id!r}")
            rubric = self._rubrics[question_id] = Rubric.for_question(question)
        return rubric


def run_batch(source: IO[bytes], sink: IO[str], bank: QuestionBank, grader: Grader) -> int:
    """Grade every line of source into sink; return how many lines got an error object."""
    batch = BatchGrader(bank, grader)
    failed = 0
    for number, text in read_lines(source):
        graded = batch.grade_line(number, text)
        failed += "error" in graded
        sink.write(json.dumps(graded, ensure_ascii=False) + "\n")
    sink.flush()
    return failed
