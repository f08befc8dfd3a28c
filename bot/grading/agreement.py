"""How far a grader agrees with people: grade hand-labelled answers and compare with the labels.

The labelled set holds candidate answers that an interviewer scored 0-4. A grader agrees with
people when it ranks answers in the same order, so the headline figure is Spearman's rank
correlation between labels and scores. The report also gives the mean score per kind of answer
(good, partial, wrong, ...) and counts keyword-stuffed answers that outscore a real partial
answer to the same question, the cheapest way to game a rubric.

    python -m bot.grading.agreement [PATH] [--worst N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml
from pydantic import ValidationError

from bot.grading.protocol import Grader, Rubric
from bot.grading.rubric import RubricGrader
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import Question

DEFAULT_PATH: Final = Path("tests/data/graded_answers.yaml")
# Every labelled split, by name. The grader is tuned on the tuning split and on the dev splits
# (questions no other split uses, written once the split before them was nearly solved; dev2
# was first graded as a fresh check, then tuned on); the others are never tuned on and are
# reported apart.
SPLITS: Final[dict[str, Path]] = {
    "tuning": DEFAULT_PATH,
    "dev": Path("tests/data/graded_answers_dev.yaml"),
    "dev2": Path("tests/data/graded_answers_dev2.yaml"),
    # Questions of the newer topics no other split uses, in varied voices: graded once as a
    # fresh check, then tuned on.
    "dev3": Path("tests/data/graded_answers_dev3.yaml"),
    "holdout": Path("tests/data/graded_answers_holdout.yaml"),
    # Answers to questions of the topics added with the bank's second version (LLMs, RAG,
    # recommenders, causal inference, ...).
    "new-topics": Path("tests/data/graded_answers_new_topics.yaml"),
}
TUNED_SPLITS: Final = frozenset({"tuning", "dev", "dev2", "dev3"})
# Whole answers per pack file that the packs are mended against (tests/questions): tuned data,
# reported apart from the splits. They may answer a never-tuned split's questions, never with
# that split's answers.
ANSWER_CHECKS: Final = Path("tests/data/answer_checks")
# The never-tuned splits' questions' key points as they stood before any pack was mended
# against whole answers: with their answer checks, how the grader reads key points nobody
# fitted to answers, as a team's own pack would be.
UNMENDED_KEY_POINTS: Final = Path("tests/data/unmended_key_points.yaml")
_REPO_ROOT: Final = Path(__file__).resolve().parents[2]

KINDS: Final[tuple[str, ...]] = (
    "good",
    "partial",
    "wrong",
    "off-topic",
    "keyword-stuffed",
    "negated",
    "rambling",
    "misconception",
    "swapped",
)
# Kinds every question of the shipped set has; the last two are added where they fit.
CORE_KINDS: Final = KINDS[:7]
# Answers that assert something false with confidence: they must score low.
MISTAKEN: Final = frozenset({"misconception", "swapped"})
MISTAKEN_MAX_SCORE: Final = 20
# A real partial answer (label 2) earns at least this, and more than any wrong or
# keyword-only answer to the same question.
PARTIAL_MIN_SCORE: Final = 15
BELOW_PARTIAL: Final = frozenset({"wrong", "keyword-stuffed", *MISTAKEN})
KEYWORD_STUFFED: Final = "keyword-stuffed"
PARTIAL: Final = "partial"
# A "real partial answer" is one written as an answer, labelled at least partial by a person.
PARTIAL_LABEL: Final = 2
MIN_LABEL: Final = 0
MAX_LABEL: Final = 4


@dataclass(frozen=True)
class LabelledAnswer:
    """One candidate answer and the 0-4 score an interviewer gave it."""

    question_id: str
    kind: str
    label: int
    answer: str


@dataclass(frozen=True)
class GradedAnswer:
    labelled: LabelledAnswer
    score: int
    reason: str | None


@dataclass(frozen=True)
class KeywordWin:
    """A keyword-stuffed answer that scored above a real partial answer to the same question."""

    question_id: str
    keyword_score: int
    partial_score: int
    partial_label: int


@dataclass(frozen=True)
class AgreementReport:
    count: int
    questions: int
    spearman: float
    # Mean of the Spearman figures of the questions whose labels and scores both vary.
    mean_question_spearman: float | None
    mean_score_by_kind: dict[str, float]
    mean_score_by_label: dict[int, float]
    keyword_beats_partial: int
    keyword_wins: tuple[KeywordWin, ...]
    graded: tuple[GradedAnswer, ...]

    def worst(self, n: int) -> list[GradedAnswer]:
        """The n answers whose score rank is furthest from their label rank."""
        if n <= 0 or not self.graded:
            return []
        label_ranks = average_ranks([g.labelled.label for g in self.graded])
        score_ranks = average_ranks([g.score for g in self.graded])
        order = sorted(
            range(len(self.graded)),
            key=lambda i: abs(label_ranks[i] - score_ranks[i]),
            reverse=True,
        )
        return [self.graded[i] for i in order[:n]]

    def targets(self) -> dict[str, object]:
        """The issue's targets: partial answers above wrong ones, misconceptions low."""
        by_question: dict[str, list[GradedAnswer]] = defaultdict(list)
        for g in self.graded:
            by_question[g.labelled.question_id].append(g)
        low_partials: list[str] = []
        beaten: list[str] = []
        for question_id, answers in by_question.items():
            rivals = [a.score for a in answers if a.labelled.kind in BELOW_PARTIAL]
            for a in answers:
                if a.labelled.label != PARTIAL_LABEL or a.labelled.kind in BELOW_PARTIAL:
                    continue
                if a.score < PARTIAL_MIN_SCORE:
                    low_partials.append(f"{question_id}: {a.score}")
                if rivals and a.score <= max(rivals):
                    beaten.append(f"{question_id}: {a.score} <= {max(rivals)}")
        mistaken = [g for g in self.graded if g.labelled.kind in MISTAKEN]
        too_high = [
            f"{g.labelled.question_id}: {g.score}" for g in mistaken if g.score > MISTAKEN_MAX_SCORE
        ]
        return {
            "partials": sum(
                1
                for g in self.graded
                if g.labelled.label == PARTIAL_LABEL and g.labelled.kind not in BELOW_PARTIAL
            ),
            "partials_below_15": low_partials,
            "partials_not_above_wrong_or_keywords": beaten,
            "misconceptions": len(mistaken),
            "misconceptions_above_20": too_high,
        }

    def to_dict(self, worst: int = 0) -> dict[str, object]:
        data: dict[str, object] = {
            "answers": self.count,
            "questions": self.questions,
            "spearman": round(self.spearman, 4),
            "mean_question_spearman": (
                None
                if self.mean_question_spearman is None
                else round(self.mean_question_spearman, 4)
            ),
            "mean_score_by_kind": {k: round(v, 1) for k, v in self.mean_score_by_kind.items()},
            "mean_score_by_label": {
                str(k): round(v, 1) for k, v in self.mean_score_by_label.items()
            },
            "keyword_stuffed_beating_partial": self.keyword_beats_partial,
            "targets": self.targets(),
            "keyword_wins": [
                {
                    "question_id": w.question_id,
                    "keyword_score": w.keyword_score,
                    "partial_score": w.partial_score,
                    "partial_label": w.partial_label,
                }
                for w in self.keyword_wins
            ],
        }
        if worst > 0:
            data["largest_disagreements"] = [
                {
                    "question_id": g.labelled.question_id,
                    "kind": g.labelled.kind,
                    "label": g.labelled.label,
                    "score": g.score,
                    "reason": g.reason,
                    "answer": g.labelled.answer[:160],
                }
                for g in self.worst(worst)
            ]
        return data


# --- loading -------------------------------------------------------------------------


def load_labelled(path: Path | str) -> list[LabelledAnswer]:
    """Read a labelled set: a YAML mapping whose `answers` list holds the labelled answers."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise ValueError(f"{path}: expected a mapping with an 'answers' list")
    return [_entry(path, index, item) for index, item in enumerate(data["answers"], start=1)]


def _entry(path: Path, index: int, item: object) -> LabelledAnswer:
    where = f"{path}: answer #{index}"
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a mapping")
    missing = [f for f in ("question_id", "kind", "label", "answer") if f not in item]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    extra = sorted(set(item) - {"question_id", "kind", "label", "answer"})
    if extra:
        raise ValueError(f"{where}: unknown field {', '.join(map(str, extra))}")
    question_id, kind, label, answer = (
        item["question_id"],
        item["kind"],
        item["label"],
        item["answer"],
    )
    if not isinstance(question_id, str) or not question_id:
        raise ValueError(f"{where}: question_id must be a non-empty string")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if isinstance(label, bool) or not isinstance(label, int) or not MIN_LABEL <= label <= MAX_LABEL:
        raise ValueError(f"{where}: label must be an integer from {MIN_LABEL} to {MAX_LABEL}")
    if not isinstance(answer, str):
        raise ValueError(f"{where}: answer must be a string")
    return LabelledAnswer(question_id, kind, label, answer)


def unmended_bank(bank: QuestionBank, path: Path | str = UNMENDED_KEY_POINTS) -> QuestionBank:
    """The questions a key-point file names, as the bank holds them but with its key points."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("key_points"), dict):
        raise ValueError(f"{path}: expected a mapping with a 'key_points' mapping")
    questions: list[Question] = []
    for question_id, points in data["key_points"].items():
        question = bank.get(question_id)
        if question is None:
            raise ValueError(f"{path}: question {question_id!r} is not in the bank")
        try:
            questions.append(
                Question.model_validate({**question.model_dump(), "key_points": points})
            )
        except ValidationError as exc:
            raise ValueError(f"{path}: {question_id}: {exc.errors()[0]['msg']}") from exc
    return QuestionBank(bank.topics, questions)


# --- statistics ----------------------------------------------------------------------


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rho: the Pearson correlation of average ranks, so ties are handled exactly.

    Raises ValueError when it is undefined: different lengths, fewer than two pairs, or a
    side whose values are all equal.
    """
    if len(xs) != len(ys):
        raise ValueError(f"need pairs: got {len(xs)} and {len(ys)} values")
    if len(xs) < 2:
        raise ValueError("need at least two pairs")
    rx, ry = average_ranks(xs), average_ranks(ys)
    mean_x, mean_y = statistics.fmean(rx), statistics.fmean(ry)
    dx = [r - mean_x for r in rx]
    dy = [r - mean_y for r in ry]
    sxx = sum(d * d for d in dx)
    syy = sum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        raise ValueError("undefined when every value on one side is the same")
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


# --- evaluation ----------------------------------------------------------------------


def evaluate(
    grader: Grader, bank: QuestionBank, labelled: Iterable[LabelledAnswer]
) -> AgreementReport:
    """Grade every labelled answer against its question's rubric and compare with the labels."""
    rubrics: dict[str, Rubric] = {}
    graded: list[GradedAnswer] = []
    for item in labelled:
        rubric = rubrics.get(item.question_id)
        if rubric is None:
            question = bank.get(item.question_id)
            if question is None:
                raise KeyError(f"question {item.question_id!r} is not in the bank")
            rubric = rubrics[item.question_id] = Rubric.for_question(question)
        result = grader.grade(rubric, item.answer)
        graded.append(GradedAnswer(item, result.score, result.reason))
    if len(graded) < 2:
        raise ValueError("need at least two labelled answers")

    by_question: dict[str, list[GradedAnswer]] = defaultdict(list)
    by_kind: dict[str, list[int]] = defaultdict(list)
    by_label: dict[int, list[int]] = defaultdict(list)
    for g in graded:
        by_question[g.labelled.question_id].append(g)
        by_kind[g.labelled.kind].append(g.score)
        by_label[g.labelled.label].append(g.score)

    per_question: list[float] = []
    wins: list[KeywordWin] = []
    for question_id, answers in by_question.items():
        # Every label or every score equal: no ranking to agree with, so no figure.
        with contextlib.suppress(ValueError):
            per_question.append(
                spearman([a.labelled.label for a in answers], [a.score for a in answers])
            )
        wins.extend(_keyword_wins(question_id, answers))

    return AgreementReport(
        count=len(graded),
        questions=len(by_question),
        spearman=spearman([g.labelled.label for g in graded], [g.score for g in graded]),
        mean_question_spearman=statistics.fmean(per_question) if per_question else None,
        mean_score_by_kind={k: statistics.fmean(by_kind[k]) for k in KINDS if k in by_kind},
        mean_score_by_label={k: statistics.fmean(v) for k, v in sorted(by_label.items())},
        keyword_beats_partial=len(wins),
        keyword_wins=tuple(wins),
        graded=tuple(graded),
    )


def _keyword_wins(question_id: str, answers: list[GradedAnswer]) -> list[KeywordWin]:
    """Keyword-stuffed answers scoring above a partial answer labelled PARTIAL_LABEL or more."""
    partials = [
        a for a in answers if a.labelled.kind == PARTIAL and a.labelled.label >= PARTIAL_LABEL
    ]
    wins: list[KeywordWin] = []
    for stuffed in (a for a in answers if a.labelled.kind == KEYWORD_STUFFED):
        beaten = [p for p in partials if stuffed.score > p.score]
        if beaten:
            lowest = min(beaten, key=lambda p: p.score)
            wins.append(KeywordWin(question_id, stuffed.score, lowest.score, lowest.labelled.label))
    return wins


# --- command line --------------------------------------------------------------------


def _resolve(path: Path) -> Path:
    if path.exists() or path.is_absolute():
        return path
    fallback = _REPO_ROOT / path
    return fallback if fallback.exists() else path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.grading.agreement",
        description="Grade a hand-labelled answer set and print how well the grader agrees.",
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--worst", type=int, default=0, metavar="N", help="also list the N largest disagreements"
    )
    args = parser.parse_args(argv)
    path = _resolve(args.path)
    try:
        labelled = load_labelled(path)
        report = evaluate(RubricGrader(), load_bank(), labelled)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report.to_dict(worst=args.worst), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
