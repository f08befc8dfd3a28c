"""The command line as a person uses it: exit codes, one clear error line, JSON outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PACKS = ROOT / "tests" / "fixtures" / "packs"


def cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
        env=env,
    )


def test_questions_list_json_has_the_documented_fields() -> None:
    result = cli("questions", "list", "--json", "--packs", str(FIXTURE_PACKS), "--topic", "metrics")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["t-precision-recall", "t-confusion-matrix", "t-roc-auc"]
    assert set(rows[0]) == {"id", "topic", "difficulty", "stage", "prompt"}


def test_questions_list_unknown_topic_is_one_line() -> None:
    result = cli("questions", "list", "--packs", str(FIXTURE_PACKS), "--topic", "metrcs")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: unknown topic 'metrcs' (did you mean evaluation?)"


def test_validate_reports_each_problem_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions:\n  - id: Bad Id\n    topic: evaluation\n", encoding="utf-8")
    result = cli("questions", "validate", str(FIXTURE_PACKS / "test-pack.yaml"), str(broken))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ")
    assert any(f"{broken}:2: question 'Bad Id' field 'id'" in line for line in lines)
    assert any("field 'prompt': is required but missing" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_validate_good_packs_and_missing_path() -> None:
    ok = cli("questions", "validate", str(FIXTURE_PACKS))
    assert ok.returncode == 0
    assert ok.stdout.strip() == "ok: 6 questions in 3 topics"
    missing = cli("questions", "validate", "no/such/pack.yaml")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no such pack file or folder: no/such/pack.yaml"


def test_stats_counts_by_topic_difficulty_and_stage() -> None:
    result = cli("questions", "stats", "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0
    assert result.stdout.startswith("6 questions")
    assert "  evaluation             3" in result.stdout
    assert "by stage:" in result.stdout


def test_grade_reads_stdin_and_prints_json() -> None:
    answer = (
        "L1 penalises the absolute value of weights and gives sparsity, which is feature selection."
    )
    result = cli("grade", "t-l1-l2", "--packs", str(FIXTURE_PACKS), stdin=answer)
    assert result.returncode == 0, result.stderr
    graded = json.loads(result.stdout)
    assert {"score", "covered", "missed", "advice"} <= set(graded)
    assert 30 <= graded["score"] <= 70
    assert "L2 penalises squared weights and shrinks them smoothly" in graded["missed"]
    empty = json.loads(cli("grade", "t-l1-l2", "--packs", str(FIXTURE_PACKS), stdin="").stdout)
    assert empty["score"] == 0
    assert empty["reason"] == "empty"


def test_grade_explain_names_the_phrasing_and_sentence_behind_each_point() -> None:
    answer = "Ridge is the default. L1 pushes some weights to exactly zero. It has no real use."
    result = cli("grade", "t-l1-l2", "--explain", "--packs", str(FIXTURE_PACKS), stdin=answer)
    assert result.returncode == 0, result.stderr
    points = {p["point"]: p for p in json.loads(result.stdout)["points"]}
    made = points["L1 penalises absolute weights and yields sparsity"]
    assert made["verdict"] == "made"
    assert made["phrasing"] == "weights exactly zero"
    assert made["sentence"] == "L1 pushes some weights to exactly zero"
    assert points["L1 works as feature selection"]["verdict"] == "missed"


def test_grade_unknown_question() -> None:
    result = cli("grade", "nope", "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "error: no question with id 'nope'; 'interview-bot questions list' shows them"
    )


def test_db_upgrade_creates_the_schema_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = cli("db", "upgrade", "--db", url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().startswith("database is at revision ")
    assert cli("db", "upgrade", "--db", url).stdout == first.stdout


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://a@b/c", "error: unsupported database 'mysql'"),
        ("postgresql://nobody@127.0.0.1:1/none", "error: cannot reach the database"),
    ],
)
def test_db_upgrade_errors_are_one_line(url: str, message: str) -> None:
    result = cli("db", "upgrade", "--db", url)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_arguments_shows_help() -> None:
    result = cli()
    assert "console" in result.stdout + result.stderr
    assert "questions" in result.stdout + result.stderr


def test_export_and_import_round_trip_through_the_command_line(tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    script = "\n".join(
        ["/interview daily set time=09:00 tz=UTC", "/interview daily now", "Precision, I think."]
    )
    console = subprocess.run(
        [
            sys.executable,
            "-m",
            "adapters.cli",
            "console",
            "--db",
            source,
            "--packs",
            str(FIXTURE_PACKS),
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert console.returncode == 0, console.stderr
    exported = cli("export", "--workspace", "console:local", "--db", source)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert {"schedules", "daily_posts", "groups", "users", "answers"} <= set(data)
    assert data["answers"][0]["kind"] == "daily"
    backup = tmp_path / "backup.json"
    backup.write_text(exported.stdout, encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'target.db'}"
    imported = cli("import", str(backup), "--db", target)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported workspace console:local")
    again = cli("export", "--workspace", "console:local", "--db", target)
    assert json.loads(again.stdout) == data
    twice = cli("import", str(backup), "--db", target)
    assert twice.returncode == 1
    assert len(twice.stderr.strip().splitlines()) == 1


def test_questions_import_adds_a_workspace_pack(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'packs.db'}"
    team = ROOT / "tests" / "fixtures" / "team-pack"
    result = cli("questions", "import", str(team), "--workspace", "console:local", "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported pack 'team-pack' for console:local: 2 questions"
    again = cli(
        "questions",
        "import",
        str(team),
        "--workspace",
        "console:local",
        "--name",
        "team-pack",
        "--db",
        db,
    )
    assert again.stdout.strip() == "replaced pack 'team-pack' for console:local: 2 questions"
    console = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "console", "--db", db],
        input="/interview mock pack=team-pack 1\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    team_prompts = ("one feature store?", "precision at 10")
    assert any(prompt in console.stdout for prompt in team_prompts), console.stdout


def test_questions_import_errors_are_clear(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'packs.db'}"
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions:\n  - id: x1\n    topic: evaluation\n", encoding="utf-8")
    result = cli("questions", "import", str(broken), "--workspace", "console:local", "--db", db)
    assert result.returncode == 1
    assert f"{broken}:2: question 'x1' field 'difficulty': is required but missing" in result.stderr
    bad_ws = cli("questions", "import", str(broken), "--workspace", "nocolon", "--db", db)
    assert bad_ws.stderr.strip() == "error: --workspace must look like PLATFORM:ID, not 'nocolon'"
    shipped_name = cli(
        "questions",
        "import",
        str(ROOT / "tests" / "fixtures" / "team-pack"),
        "--workspace",
        "console:local",
        "--name",
        "ml",
        "--db",
        db,
    )
    assert shipped_name.returncode == 1
    assert "not the name of a shipped pack" in shipped_name.stderr


LINTED_PACK = """\
topics:
  - id: regularisation
    title: Regularisation
questions:
  - id: t-l1-sparsity
    topic: regularisation
    difficulty: easy
    stage: theory
    prompt: Why does L1 regularisation give sparse models?
    answer: >-
      The L1 penalty has a corner at zero, so the optimum often sits exactly at zero for weak
      features; L2 only shrinks weights towards zero. L2 gives sparse models too, in my view.
    key_points:
      - point: The L1 penalty drives some weights exactly to zero
        phrasings: [exactly to zero, corner at zero]
        contradictions:
          - claim: L2 gives sparse models
            phrasings: [l2 gives sparse models, zero]
            correction: L2 shrinks weights but rarely to exactly zero; sparsity comes from L1.
      - point: L2 only shrinks weights towards zero
        phrasings: [only shrinks weights, shrinks towards zero]
    hints: [Picture the penalty's shape where a weight crosses zero.]
"""


def test_validate_warns_of_misconceptions_never_named_and_answers_accused(tmp_path: Path) -> None:
    pack = tmp_path / "linted.yaml"
    pack.write_text(LINTED_PACK, encoding="utf-8")
    result = cli("questions", "validate", str(pack))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "ok: 1 questions in 1 topics"
    # A one-word phrasing is dropped, so that way of saying it is never named.
    assert any(
        "t-l1-sparsity: misconception 'L2 gives sparse models'" in line and "'zero'" in line
        for line in lines
    )
    assert not any("as 'l2 gives sparse models'" in line for line in lines)
    assert any(
        line.startswith("warning: t-l1-sparsity: the model answer is accused: You said")
        for line in lines
    )
