"""Batch grading and pack calibration, as a pack author drives them from the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.grading import RubricGrader
from bot.grading.batch import run_batch
from bot.grading.calibrate import LabelledFileError, calibrate, load_scored
from questions.loader import load_bank

ROOT = Path(__file__).resolve().parents[3]
PACK = Path(__file__).parent / "fixtures" / "answer-only.yaml"


def cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def batch(lines: list[bytes]) -> list[dict[str, object]]:
    out = io.StringIO()
    run_batch(io.BytesIO(b"\n".join(lines) + b"\n"), out, load_bank([PACK]), RubricGrader())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_batch_grades_each_line_in_order_and_keeps_bad_lines_in_place() -> None:
    good = json.dumps({"question_id": "ao-l1-l2", "answer": "L1 gives a sparse model."})
    wrong = json.dumps({"question_id": "ao-l1-l2", "answer": "L2 sets weights to exactly zero."})
    results = batch(
        [
            good.encode(),
            b"not json",
            json.dumps({"question_id": "nope", "answer": "x"}).encode(),
            json.dumps({"question_id": "ao-l1-l2"}).encode(),
            b"\xff\xfe binary",
            json.dumps({"question_id": "ao-l1-l2", "answer": "\x00" * 50}).encode(),
            wrong.encode(),
        ]
    )
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert results[0]["covered"] == ["L1 drives weights to exactly zero, giving sparsity"]
    assert "JSON" in str(results[1]["error"])
    assert "nope" in str(results[2]["error"])
    assert "answer" in str(results[3]["error"])
    assert "UTF-8" in str(results[4]["error"])
    assert results[5]["score"] == 0
    assert results[6]["contradicted"] == ["You said L2 sets weights to exactly zero: that is L1"]
    assert {"score", "covered", "missed", "contradicted", "advice"} <= set(results[6])


def test_batch_refuses_a_huge_line_and_goes_on() -> None:
    huge = json.dumps({"question_id": "ao-l1-l2", "answer": "sparse " * 300_000}).encode()
    after = json.dumps({"question_id": "ao-l1-l2", "answer": "L1 gives a sparse model."})
    results = batch([huge, after.encode()])
    assert "longer than" in str(results[0]["error"])
    assert results[1]["score"] > 0


def test_batch_grades_hundreds_of_answers_per_second() -> None:
    line = json.dumps(
        {
            "question_id": "ao-precision",
            "answer": "Precision is TP/(TP+FP), the share of "
            "flagged cases that are real; it matters when false alarms are costly.",
        }
    ).encode()
    start = time.perf_counter()
    results = batch([line] * 300)
    assert len(results) == 300
    assert time.perf_counter() - start < 3  # a generous floor: about 100 per second


def test_grade_batch_on_the_command_line() -> None:
    stdin = b'{"question_id": "ao-l1-l2", "answer": "L1 gives a sparse model."}\n{oops\n'
    result = cli("grade", "--batch", "--packs", str(PACK), stdin=stdin)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["score"] > 0
    assert "error" in second
    assert b"1 line(s) could not be graded" in result.stderr


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


LABELLED = [
    {
        "question_id": "ao-l1-l2",
        "answer": "L1 drives weights to exactly zero so the model is "
        "sparse; L2 shrinks squared weights smoothly.",
        "score": 9,
    },
    {"question_id": "ao-l1-l2", "answer": "L1 gives a sparse model.", "score": 5},
    {"question_id": "ao-l1-l2", "answer": "L2 sets weights to exactly zero.", "score": 0},
    {
        "question_id": "ao-precision",
        "answer": "Precision is TP/(TP+FP), the share of predicted "
        "positives that are truly positive.",
        "score": 8,
    },
    {
        "question_id": "ao-precision",
        "answer": "Precision is the share of actual positives found.",
        "score": 1,
    },
]


def test_calibration_reports_agreement_and_unmatched_points(tmp_path: Path) -> None:
    path = write(tmp_path, [json.dumps(item) for item in LABELLED])
    report = calibrate(load_bank([PACK]), load_scored(path), RubricGrader())
    assert report.count == 5
    assert report.spearman is not None
    assert report.spearman > 0.8
    fits = {q.question_id: q for q in report.questions}
    assert fits["ao-l1-l2"].spearman == pytest.approx(1.0)
    assert any("false alarm" in p for p in fits["ao-precision"].unmatched_points)
    assert "Spearman" in report.to_text()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question_id": "ao-l1-l2", "answer": "x"}', "line 2|:2: field 'score' is missing"),
        ('{"question_id": "ao-l1-l2", "answer": "x", "score": "high"}', ":2: field 'score'"),
        ('{"question_id": "ao-l1-l2", "answer": 3, "score": 1}', ":2: field 'answer'"),
        ("[1, 2]", ":2: expected a JSON object"),
        ("{broken", ":2: not valid JSON"),
    ],
)
def test_a_malformed_labelled_file_names_line_and_field(
    tmp_path: Path, line: str, message: str
) -> None:
    path = write(tmp_path, [json.dumps(LABELLED[0]), line])
    with pytest.raises(LabelledFileError, match=message.split("|")[-1]):
        load_scored(path)


def test_calibrate_on_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, [json.dumps(item) for item in LABELLED])
    result = cli("questions", "calibrate", str(PACK), str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answers"] == 5
    assert {q["question_id"] for q in data["questions"]} == {"ao-l1-l2", "ao-precision"}
    bad = write(tmp_path, [json.dumps(LABELLED[0]), '{"question_id": "zzz", "answer": "a"}'])
    failed = cli("questions", "calibrate", str(PACK), str(bad))
    assert failed.returncode == 1
    assert b":2: field 'score' is missing" in failed.stderr


def test_validate_names_questions_graded_on_derived_points() -> None:
    result = cli("questions", "validate", str(PACK))
    assert result.returncode == 0
    assert b"key points derived from the model answer: ao-precision" in result.stdout
