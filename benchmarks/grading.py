"""Grading speed on the shipped bank, as JSON.

Each question's model answer stands in for a typical candidate answer. The baseline, timed in
the same run on the same answers, is the cheapest possible rubric check (lower-case the answer
and look for each phrasing as a substring), so the ratio says what the real grader's
normalising, stemming, fuzzy matching and negation checks cost on this machine today.

    python benchmarks/grading.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank


def naive_grade(rubric: Rubric, answer: str) -> int:
    text = answer.lower()
    hit = sum(any(p.lower() in text for p in kp.phrasings) for kp in rubric.key_points)
    return round(100 * hit / len(rubric.key_points))


def time_each(
    func: Callable[[Rubric, str], object], cases: list[tuple[Rubric, str]], repeat: int
) -> list[float]:
    samples: list[float] = []
    for _ in range(repeat):
        for rubric, answer in cases:
            start = time.perf_counter()
            func(rubric, answer)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bank = load_bank()
    grader = RubricGrader()
    cases = [(Rubric.for_question(q), q.answer) for q in bank.questions]
    for rubric, answer in cases:  # warm caches: per-rubric phrasings, the stemmer
        grader.grade(rubric, answer)
    real = time_each(grader.grade, cases, args.repeat)
    naive = time_each(naive_grade, cases, args.repeat)
    long_answer = " ".join(q.answer for q in bank.questions)[:40_000]
    long_ms = min(time_each(grader.grade, [(cases[0][0], long_answer)], 5))
    real.sort()
    print(
        json.dumps(
            {
                "answers_graded": len(real),
                "median_ms": round(statistics.median(real), 3),
                "p95_ms": round(real[int(len(real) * 0.95) - 1], 3),
                "max_ms": round(real[-1], 3),
                "answer_40000_chars_ms": round(long_ms, 3),
                "baseline_substring_median_ms": round(statistics.median(naive), 4),
                "ratio_to_baseline": round(statistics.median(real) / statistics.median(naive), 1),
                "budget_p95_ms": 25,
                "within_budget": real[int(len(real) * 0.95) - 1] <= 25,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
