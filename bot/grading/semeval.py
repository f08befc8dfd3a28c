"""Agreement on answers real students wrote: the SemEval-2013 Task 7 corpora (Dzikovska et al.,
CC BY 4.0), graded as answer-only packs built from each question and its reference answer.

The figure is the area under the ROC curve of the score for answers people judged correct
against those judged incorrect, per corpus, beside a bag-of-words cosine baseline computed in
the same run: a grader that reads meaning should beat plain word overlap.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.grading.protocol import Grader, Rubric
from bot.grading.text import content_stems
from questions.schema import Difficulty, Question, Stage

COLUMNS: Final = (
    "corpus",
    "question_id",
    "question",
    "reference_answer",
    "student_answer",
    "label_2way",
)


@dataclass(frozen=True)
class StudentAnswer:
    corpus: str
    question_id: str
    question: str
    reference: str
    answer: str
    correct: bool


def load_corpus(path: Path) -> list[StudentAnswer]:
    """Read the tab-separated file; a bad row names its line and field."""
    rows: list[StudentAnswer] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing column {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            label = row["label_2way"]
            if label not in ("correct", "incorrect"):
                raise ValueError(f"{path}:{line}: field 'label_2way' is {label!r}")
            rows.append(
                StudentAnswer(
                    corpus=row["corpus"],
                    question_id=row["question_id"],
                    question=row["question"],
                    reference=row["reference_answer"],
                    answer=row["student_answer"],
                    correct=label == "correct",
                )
            )
    return rows


def sample(rows: Sequence[StudentAnswer], per_corpus: int, seed: int = 7) -> list[StudentAnswer]:
    """A fixed random sample per corpus, for quick checks."""
    by_corpus: dict[str, list[StudentAnswer]] = defaultdict(list)
    for row in rows:
        by_corpus[row.corpus].append(row)
    rng = random.Random(seed)
    picked: list[StudentAnswer] = []
    for corpus in sorted(by_corpus):
        items = by_corpus[corpus]
        picked.extend(rng.sample(items, min(per_corpus, len(items))))
    return picked


def half_of(row: StudentAnswer) -> str:
    """ "tuning" or "holdout", fixed by a hash of the question: weights are set on the tuning
    half of the questions and the other half reports what they do on questions never seen."""
    digest = hashlib.sha256(f"{row.corpus}/{row.question_id}".encode()).digest()
    return "tuning" if digest[0] % 2 == 0 else "holdout"


def question_of(row: StudentAnswer) -> Question:
    """An answer-only question: the prompt and the reference answer, no key points."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{row.corpus}-{row.question_id}".lower()).strip("-")
    return Question(
        id=slug[:80].strip("-"),
        topic="semeval",
        difficulty=Difficulty.MEDIUM,
        stage=Stage.THEORY,
        prompt=row.question,
        answer=row.reference,
    )


def cosine(a: str, b: str) -> float:
    """Bag-of-words cosine over content-word stems: the baseline to beat."""
    x, y = Counter(content_stems(a)), Counter(content_stems(b))
    dot = sum(x[w] * y[w] for w in x)
    norm = math.sqrt(sum(v * v for v in x.values())) * math.sqrt(sum(v * v for v in y.values()))
    return dot / norm if norm else 0.0


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Probability that a random positive outscores a random negative, ties counting half."""
    pos = [s for s, p in zip(scores, positive, strict=True) if p]
    neg = [s for s, p in zip(scores, positive, strict=True) if not p]
    if not pos or not neg:
        raise ValueError("need both correct and incorrect answers")
    ranked = sorted(neg)
    wins = 0.0
    for s in pos:
        below = bisect.bisect_left(ranked, s)
        ties = bisect.bisect_right(ranked, s) - below
        wins += below + ties / 2
    return wins / (len(pos) * len(neg))


def rubrics_for(rows: Iterable[StudentAnswer]) -> list[Rubric]:
    """Each answer's rubric, built once per question and shared by its answers."""
    built: dict[tuple[str, str], Rubric] = {}
    rubrics: list[Rubric] = []
    for row in rows:
        key = (row.corpus, row.question_id)
        if key not in built:
            built[key] = Rubric.for_question(question_of(row))
        rubrics.append(built[key])
    return rubrics


HALVES: Final = ("tuning", "holdout", "all")


def evaluate(
    rows: Iterable[StudentAnswer], grader: Grader
) -> dict[str, dict[str, dict[str, float]]]:
    """Per corpus and per half of its questions ("tuning", "holdout", and "all" of them):
    answers, AUC of the grader, AUC of the cosine baseline on the same answers, and the gain.
    Only the tuning half may guide a change to the grader; the holdout half is the figure."""
    graded: dict[tuple[str, str], list[tuple[float, float, bool]]] = defaultdict(list)
    rows = list(rows)
    for row, rubric in zip(rows, rubrics_for(rows), strict=True):
        triple = (
            float(grader.grade(rubric, row.answer).score),
            cosine(row.answer, row.reference),
            row.correct,
        )
        graded[(row.corpus, half_of(row))].append(triple)
        graded[(row.corpus, "all")].append(triple)
    report: dict[str, dict[str, dict[str, float]]] = {}
    for corpus in sorted({c for c, _ in graded}):
        report[corpus] = {h: _figures(graded[(corpus, h)]) for h in HALVES if graded[(corpus, h)]}
    return report


def _figures(triples: Sequence[tuple[float, float, bool]]) -> dict[str, float]:
    labels = [t[2] for t in triples]
    try:
        grader_auc = roc_auc([t[0] for t in triples], labels)
        baseline = roc_auc([t[1] for t in triples], labels)
    except ValueError:
        return {"answers": len(triples)}
    return {
        "answers": len(triples),
        "auc": round(grader_auc, 4),
        "cosine_auc": round(baseline, 4),
        "gain": round(grader_auc - baseline, 4),
    }
