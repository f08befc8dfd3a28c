"""Calibrate a pack against answers people scored: how well the grader's scores follow theirs,
overall and per question, which key points never match, and which questions rank answers in
another order than the people did. Pack authors use it to tune their phrasings.

The labelled file is JSON lines {"question_id", "answer", "score"}; the score may be on any
scale (0-4, 0-10, 0-100), since rank correlations ignore it and the error is measured after
mapping the labels' range onto 0-100.

    interview-bot questions calibrate PACK LABELLED.jsonl [--json]
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.grading.agreement import spearman
from bot.grading.protocol import Grader, Rubric
from questions.bank import QuestionBank

# A question whose own ranking agrees less than this with the labels is flagged.
DISAGREEING_BELOW: Final = 0.3


class LabelledFileError(ValueError):
    """A labelled file that cannot be read, naming the line and the field."""


@dataclass(frozen=True)
class Scored:
    question_id: str
    answer: str
    label: float


@dataclass
class QuestionFit:
    question_id: str
    count: int
    spearman: float | None
    pearson: float | None
    mae: float
    unmatched_points: list[str] = field(default_factory=list)

    @property
    def disagrees(self) -> bool:
        return self.spearman is not None and self.spearman < DISAGREEING_BELOW


@dataclass
class Calibration:
    count: int
    spearman: float | None
    pearson: float | None
    mae: float
    questions: list[QuestionFit]

    def to_dict(self) -> dict[str, object]:
        return {
            "answers": self.count,
            "spearman": _round(self.spearman),
            "pearson": _round(self.pearson),
            "mae": round(self.mae, 1),
            "questions": [
                {
                    "question_id": q.question_id,
                    "answers": q.count,
                    "spearman": _round(q.spearman),
                    "pearson": _round(q.pearson),
                    "mae": round(q.mae, 1),
                    "disagrees": q.disagrees,
                    "unmatched_points": q.unmatched_points,
                }
                for q in self.questions
            ],
        }

    def to_text(self) -> str:
        lines = [
            f"{self.count} answers: Spearman {_fmt(self.spearman)}, Pearson {_fmt(self.pearson)}, "
            f"MAE {self.mae:.1f} (labels mapped to 0-100)",
            "",
            f"{'question':40} {'n':>4} {'spearman':>9} {'pearson':>8} {'mae':>6}",
        ]
        for q in self.questions:
            flag = "  <- ranks unlike the labels" if q.disagrees else ""
            lines.append(
                f"{q.question_id:40} {q.count:>4} {_fmt(q.spearman):>9} {_fmt(q.pearson):>8} "
                f"{q.mae:>6.1f}{flag}"
            )
        unmatched = [(q.question_id, p) for q in self.questions for p in q.unmatched_points]
        if unmatched:
            lines += ["", "key points no answer matched (add phrasings?):"]
            lines += [f"  {qid}: {point}" for qid, point in unmatched]
        return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def load_scored(path: Path) -> list[Scored]:
    """Read JSON lines; any problem names the line and the field."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LabelledFileError(f"{path}: cannot read file: {exc.strerror}") from None
    items: list[Scored] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            item = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise LabelledFileError(f"{where}: line is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise LabelledFileError(f"{where}: not valid JSON ({exc.msg})") from None
        items.append(_scored(where, item))
    if len(items) < 2:
        raise LabelledFileError(f"{path}: need at least two labelled answers")
    return items


def _scored(where: str, item: object) -> Scored:
    if not isinstance(item, dict):
        raise LabelledFileError(f"{where}: expected a JSON object")
    for name in ("question_id", "answer", "score"):
        if name not in item:
            raise LabelledFileError(f"{where}: field '{name}' is missing")
    question_id, answer, score = item["question_id"], item["answer"], item["score"]
    if not isinstance(question_id, str) or not question_id:
        raise LabelledFileError(f"{where}: field 'question_id' must be a non-empty string")
    if not isinstance(answer, str):
        raise LabelledFileError(f"{where}: field 'answer' must be a string")
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise LabelledFileError(f"{where}: field 'score' must be a number")
    return Scored(question_id, answer, float(score))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when one side does not vary."""
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return None if sxx == 0 or syy == 0 else sxy / math.sqrt(sxx * syy)


def _spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    try:
        return spearman(xs, ys)
    except ValueError:
        return None


def calibrate(bank: QuestionBank, items: Sequence[Scored], grader: Grader) -> Calibration:
    """Grade every labelled answer and compare; unknown questions are an error up front."""
    unknown = sorted({i.question_id for i in items if bank.get(i.question_id) is None})
    if unknown:
        raise LabelledFileError(f"questions not in the pack: {', '.join(unknown)}")
    low, high = min(i.label for i in items), max(i.label for i in items)
    span = (high - low) or 1.0
    by_question: dict[str, list[tuple[float, float]]] = defaultdict(list)
    matched: dict[str, set[str]] = defaultdict(set)
    rubrics: dict[str, Rubric] = {}
    for item in items:
        question = bank.get(item.question_id)
        assert question is not None
        rubric = rubrics.setdefault(item.question_id, Rubric.for_question(question))
        result = grader.grade(rubric, item.answer)
        matched[item.question_id].update(result.covered)
        label = 100 * (item.label - low) / span
        by_question[item.question_id].append((label, float(result.score)))
    fits: list[QuestionFit] = []
    for question_id, pairs in by_question.items():
        labels, scores = [p[0] for p in pairs], [p[1] for p in pairs]
        fits.append(
            QuestionFit(
                question_id=question_id,
                count=len(pairs),
                spearman=_spearman(labels, scores),
                pearson=pearson(labels, scores),
                mae=statistics.fmean(abs(a - b) for a, b in pairs),
                unmatched_points=[
                    kp.point
                    for kp in rubrics[question_id].key_points
                    if kp.point not in matched[question_id]
                ],
            )
        )
    every = [p for pairs in by_question.values() for p in pairs]
    labels, scores = [p[0] for p in every], [p[1] for p in every]
    return Calibration(
        count=len(every),
        spearman=_spearman(labels, scores),
        pearson=pearson(labels, scores),
        mae=statistics.fmean(abs(a - b) for a, b in every),
        questions=sorted(fits, key=lambda q: (q.spearman is None, q.spearman or 0.0)),
    )
