"""What the optional semantic matcher buys, as JSON: Spearman on each labelled split with and
without it, and grading latency per answer both ways, in the same run.

Needs the `semantic` extra (`pip install 'interview-bot[semantic]'`); without it, it says so.

    python benchmarks/semantic_matcher.py [--threshold 0.62]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Final

from bot.grading import Rubric, RubricGrader
from bot.grading.agreement import LabelledAnswer, evaluate, load_labelled
from bot.grading.semantic import DEFAULT_THRESHOLD, load_semantic
from questions.bank import QuestionBank
from questions.loader import load_bank

ROOT: Final = Path(__file__).resolve().parents[1]
SPLITS: Final = {
    "tuning": ROOT / "tests" / "data" / "graded_answers.yaml",
    "holdout": ROOT / "tests" / "data" / "graded_answers_holdout.yaml",
}


def timings(grader: RubricGrader, bank: QuestionBank, items: list[LabelledAnswer]) -> list[float]:
    cases = []
    for item in items:
        question = bank.get(item.question_id)
        if question is not None:
            cases.append((Rubric.for_question(question), item.answer))
    for rubric, answer in cases[:20]:
        grader.grade(rubric, answer)
    samples: list[float] = []
    for rubric, answer in cases:
        start = time.perf_counter()
        grader.grade(rubric, answer)
        samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    start = time.perf_counter()
    matcher = load_semantic(args.threshold)
    if matcher is None:
        print(json.dumps({"semantic": "not installed: pip install 'interview-bot[semantic]'"}))
        return
    load_s = time.perf_counter() - start
    bank = load_bank()
    rules, semantic = RubricGrader(), RubricGrader(semantic=matcher)
    result: dict[str, object] = {"model_load_s": round(load_s, 2), "threshold": args.threshold}
    every: list[LabelledAnswer] = []
    for name, path in SPLITS.items():
        if not path.exists():
            result[name] = "missing"
            continue
        items = load_labelled(path)
        every.extend(items)
        base = evaluate(rules, bank, items).spearman
        with_model = evaluate(semantic, bank, items).spearman
        result[name] = {
            "spearman_rules": round(base, 4),
            "spearman_semantic": round(with_model, 4),
            "gain": round(with_model - base, 4),
        }
    result["latency_rules"] = summary(timings(rules, bank, every))
    result["latency_semantic"] = summary(timings(semantic, bank, every))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
