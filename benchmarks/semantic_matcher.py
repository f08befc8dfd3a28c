"""What the optional semantic matcher buys, as JSON, with and without it in the same run:
Spearman and the partial-answer checks on each labelled split, SemEval-2013 ROC AUC per corpus
on the tuning half of its questions, the held-out half and the whole file (each beside the
bag-of-words cosine baseline), the model's load time and embedding latency, and grading
latency per answer.

`--tune` sets the matcher's numbers on tuning data only and prints them: the restatement
threshold on the labelled tuning split, the answer-only blend on the tuning half of the SemEval
questions. The held-out half, the holdout and new-topics splits are only ever reported.

Needs the `semantic` extra (`pip install 'interview-bot[semantic]'`); without it, it says so.

    python benchmarks/semantic_matcher.py [--sample N] [--tune | --latency]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Final

from bot.grading import Rubric, RubricGrader
from bot.grading.agreement import LabelledAnswer, evaluate, load_labelled
from bot.grading.semantic import Blend, SemanticMatcher, load_semantic
from bot.grading.semeval import (
    StudentAnswer,
    cosine,
    half_of,
    load_corpus,
    roc_auc,
    rubrics_for,
    sample,
)
from bot.grading.text import normalise, split_sentences
from questions.bank import QuestionBank
from questions.loader import load_bank

ROOT: Final = Path(__file__).resolve().parents[1]
SPLITS: Final = {
    "tuning": ROOT / "tests" / "data" / "graded_answers.yaml",
    "holdout": ROOT / "tests" / "data" / "graded_answers_holdout.yaml",
    "new-topics": ROOT / "tests" / "data" / "graded_answers_new_topics.yaml",
}
SEMEVAL: Final = ROOT.parent / "shared" / "data" / "semeval2013-2way" / "train.tsv"
THRESHOLDS: Final = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 1.01)


def summary(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def cases(bank: QuestionBank, items: list[LabelledAnswer]) -> list[tuple[Rubric, str]]:
    found = []
    for item in items:
        question = bank.get(item.question_id)
        if question is not None:
            found.append((Rubric.for_question(question), item.answer))
    return found


def grading_latency(grader: RubricGrader, work: list[tuple[Rubric, str]]) -> dict[str, float]:
    """Per-answer grading time, rubrics and key points warm, each answer new to the grader."""
    for rubric in {rubric: None for rubric, _ in work}:
        grader.grade(rubric, "A warm-up answer that makes none of the points.")
    samples: list[float] = []
    for rubric, answer in work:
        start = time.perf_counter()
        grader.grade(rubric, answer)
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def embed_latency(matcher: SemanticMatcher, answers: list[str]) -> dict[str, float]:
    """Time to embed one answer's sentences and the whole answer, no cache."""
    samples: list[float] = []
    for answer in answers:
        text = normalise(answer)
        start = time.perf_counter()
        matcher.embed([text, *split_sentences(text)])
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def labelled_report(
    bank: QuestionBank, rules: RubricGrader, semantic: RubricGrader
) -> dict[str, object]:
    result: dict[str, object] = {}
    for name, path in SPLITS.items():
        if not path.exists():
            result[name] = "missing"
            continue
        items = load_labelled(path)
        both = {"rules": evaluate(rules, bank, items), "semantic": evaluate(semantic, bank, items)}
        result[name] = {
            "answers": len(items),
            "spearman_rules": round(both["rules"].spearman, 4),
            "spearman_semantic": round(both["semantic"].spearman, 4),
            "gain": round(both["semantic"].spearman - both["rules"].spearman, 4),
            "partials_below_15": {
                k: len(r.targets()["partials_below_15"])  # type: ignore[arg-type]
                for k, r in both.items()
            },
            "partials_not_above_wrong_or_keywords": {
                k: len(r.targets()["partials_not_above_wrong_or_keywords"])  # type: ignore[arg-type]
                for k, r in both.items()
            },
            "partials": both["rules"].targets()["partials"],
        }
    return result


def semeval_scores(rows: list[StudentAnswer], grader: RubricGrader) -> list[float]:
    return [
        float(grader.grade(rubric, row.answer).score)
        for rubric, row in zip(rubrics_for(rows), rows, strict=True)
    ]


def semeval_report(
    rows: list[StudentAnswer], columns: dict[str, list[float]]
) -> dict[str, dict[str, dict[str, float]]]:
    """AUC of each column of scores, per half and corpus, beside the cosine baseline."""
    baseline = [cosine(r.answer, r.reference) for r in rows]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[(half_of(row), row.corpus)].append(i)
        groups[("full", row.corpus)].append(i)
    report: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (half, corpus), index in sorted(groups.items()):
        labels = [rows[i].correct for i in index]
        figures: dict[str, float] = {"answers": len(index)}
        figures["cosine_auc"] = round(roc_auc([baseline[i] for i in index], labels), 4)
        for name, scores in columns.items():
            auc = roc_auc([scores[i] for i in index], labels)
            figures[f"auc_{name}"] = round(auc, 4)
            figures[f"gain_{name}"] = round(auc - figures["cosine_auc"], 4)
        report[half][corpus] = figures
    return dict(report)


def tune_threshold(bank: QuestionBank, matcher: SemanticMatcher) -> dict[str, float]:
    """Spearman on the labelled tuning split for each restatement threshold."""
    items = load_labelled(SPLITS["tuning"])
    found = {"rules": round(evaluate(RubricGrader(), bank, items).spearman, 4)}
    grader, first = RubricGrader(semantic=matcher), matcher.threshold
    for threshold in THRESHOLDS:
        matcher.threshold = threshold
        found[str(threshold)] = round(evaluate(grader, bank, items).spearman, 4)
    matcher.threshold = first
    return found


def tune_blend(
    rows: list[StudentAnswer], rules: list[float], matcher: SemanticMatcher
) -> dict[str, object]:
    """The blend with the best mean AUC over both corpora on the tuning half of the questions,
    scored as the rule-based score blended with the answer's closeness (no rounding or caps)."""
    tuning = [i for i, r in enumerate(rows) if half_of(r) == "tuning"]
    near = {
        i: matcher.similarities(
            rows[i].reference, normalise(rows[i].answer), split_sentences(normalise(rows[i].answer))
        )
        for i in tuning
    }
    corpora = sorted({rows[i].corpus for i in tuning})
    best: tuple[float, Blend] = (0.0, Blend())
    grid = itertools.product(
        (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
        (0.0, 0.2, 0.3, 0.4, 0.5),
        (0.6, 0.7, 0.8, 0.9),
        (0.0, 0.25, 0.5, 1.0),
    )
    for share, floor, ceiling, sentence in grid:
        blend = Blend(share, floor, ceiling, sentence)
        aucs = []
        for corpus in corpora:
            index = [i for i in tuning if rows[i].corpus == corpus]
            scores = [blend.apply(rules[i] / 100, *near[i]) for i in index]
            aucs.append(roc_auc(scores, [rows[i].correct for i in index]))
        if statistics.fmean(aucs) > best[0]:
            best = (statistics.fmean(aucs), blend)
    share, floor, ceiling, sentence = (
        best[1].share,
        best[1].floor,
        best[1].ceiling,
        best[1].sentence,
    )
    reference: dict[str, dict[str, float]] = {}
    for corpus in corpora:
        index = [i for i in tuning if rows[i].corpus == corpus]
        labels = [rows[i].correct for i in index]
        reference[corpus] = {
            "rules": round(roc_auc([rules[i] for i in index], labels), 4),
            "similarity_alone": round(roc_auc([near[i][0] for i in index], labels), 4),
            "cosine": round(
                roc_auc([cosine(rows[i].answer, rows[i].reference) for i in index], labels), 4
            ),
        }
    return {
        "tuning_half_auc": reference,
        "mean_tuning_auc": round(best[0], 4),
        "blend": {"share": share, "floor": floor, "ceiling": ceiling, "sentence": sentence},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--semeval", type=Path, default=SEMEVAL)
    parser.add_argument("--sample", type=int, default=0, help="SemEval answers per corpus")
    parser.add_argument("--tune", action="store_true", help="set the numbers on tuning data")
    parser.add_argument("--latency", action="store_true", help="load and latency figures only")
    args = parser.parse_args()
    start = time.perf_counter()
    matcher = load_semantic()
    if matcher is None:
        print(json.dumps({"semantic": "not installed: pip install 'interview-bot[semantic]'"}))
        return
    result: dict[str, object] = {"model_load_s": round(time.perf_counter() - start, 2)}
    result["threshold"] = matcher.threshold
    result["blend"] = matcher.blend.__repr__()
    bank = load_bank()
    rules, semantic = RubricGrader(), RubricGrader(semantic=matcher)
    rows = load_corpus(args.semeval) if args.semeval.exists() else []
    if args.sample:
        rows = sample(rows, args.sample)
    if args.tune:
        result["threshold_spearman_on_tuning"] = tune_threshold(bank, matcher)
        tuning = [r for r in rows if half_of(r) == "tuning"]
        if tuning:
            result["blend_on_semeval_tuning_half"] = tune_blend(
                tuning, semeval_scores(tuning, rules), matcher
            )
        print(json.dumps(result, indent=2))
        return
    every = [item for path in SPLITS.values() if path.exists() for item in load_labelled(path)]
    result["embed_one_answer"] = embed_latency(matcher, [i.answer for i in every])
    work = cases(bank, every)
    result["grading_rules"] = grading_latency(RubricGrader(), work)
    # A matcher of its own, so no answer's vectors are left from the runs above.
    fresh = SemanticMatcher(matcher.embed, matcher.threshold, matcher.blend)
    result["grading_semantic"] = grading_latency(RubricGrader(semantic=fresh), work)
    if args.latency:
        print(json.dumps(result, indent=2))
        return
    result["labelled"] = labelled_report(bank, rules, semantic)
    if rows:
        started = time.perf_counter()
        columns = {"rules": semeval_scores(rows, rules), "semantic": semeval_scores(rows, semantic)}
        result["semeval"] = semeval_report(rows, columns)
        result["semeval_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
