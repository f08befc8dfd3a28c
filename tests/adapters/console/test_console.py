"""The console as a person uses it: piped scripts, simulated time, and a killed process."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURE_PACKS = ROOT / "tests" / "fixtures" / "packs"
SCRIPT = ROOT / "tests" / "fixtures" / "console" / "three-questions.txt"
CLI = [sys.executable, "-m", "adapters.cli"]


def run_console(db: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "console", "--db", f"sqlite:///{db}", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.slow
def test_a_piped_script_runs_a_three_question_round_to_its_scorecard(tmp_path: Path) -> None:
    result = run_console(tmp_path / "bot.db", SCRIPT.read_text(), "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for n in (1, 2, 3):
        assert f"== Question {n} of 3 ==" in out
    assert out.count("== Score: ") == 3
    assert "== Scorecard ==" in out
    assert "Total: " in out
    assert "Traceback" not in out + result.stderr


@pytest.mark.slow
def test_the_shipped_bank_runs_a_round_from_the_same_script(tmp_path: Path) -> None:
    result = run_console(tmp_path / "bot.db", SCRIPT.read_text())
    assert result.returncode == 0, result.stderr
    assert "== Question 3 of 3 ==" in result.stdout
    assert "== Scorecard ==" in result.stdout or "Follow-up to question 3" in result.stdout


def test_simulated_time_pauses_an_idle_round(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/interview mock 2",
            ":advance 31m",
            "/interview mock",
            ":press Resume",
            ":advance 2x",
            ":time nonsense",
        ]
    )
    result = run_console(tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "This round is paused" in out
    assert "== You have a paused round here ==" in out
    assert "Welcome back, you." in out
    assert "(use :advance 1d, :advance 3h or :advance 15m)" in out
    assert "(use :time YYYY-MM-DDTHH:MM" in out


def test_unknown_lines_and_commands_get_a_clear_word(tmp_path: Path) -> None:
    script = "\n".join(
        ["hello?", "/weather", ":fly", "/interview mock 0", "/interview mock metrcs"]
    )
    result = run_console(tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(no thread is open: start a round with /interview mock)" in out
    assert "(only /interview commands exist here" in out
    assert "(unknown console command ':fly'" in out
    assert "`0` is out of range" in out
    assert "Did you mean `evaluation`?" in out


def test_a_bad_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "console", "--db", "mysql://x@y/z"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "error: unsupported database 'mysql': use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


class Console:
    """An interactive console process whose output is read line by line with timeouts."""

    def __init__(self, db: Path) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [*CLI, "console", "--db", f"sqlite:///{db}", "--packs", str(FIXTURE_PACKS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never saw {text!r}; output was:\n" + "\n".join(self.seen))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


@pytest.fixture
def consoles() -> Iterator[list[Console]]:
    started: list[Console] = []
    yield started
    for console in started:
        if console.proc.poll() is None:
            console.proc.kill()
            console.proc.wait(timeout=30)


@pytest.mark.slow
def test_a_round_killed_mid_way_resumes_after_restart(
    tmp_path: Path, consoles: list[Console]
) -> None:
    db = tmp_path / "bot.db"
    first = Console(db)
    consoles.append(first)
    first.send("/interview mock 3 metrics")
    first.wait_for("== Question 1 of 3 ==")
    first.send(
        "A confusion matrix tabulates predictions against true labels "
        "with true positives and false negatives."
    )
    first.wait_for("== Score: ")
    first.send("/interview skip")
    first.wait_for("== Question 2 of 3 ==")
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL

    second = Console(db)
    consoles.append(second)
    second.wait_for("continues in thread")
    second.send("I am not sure, I would look it up.")
    second.wait_for("== Score: ")
    second.send("/interview end")
    line = second.wait_for("Q1 · ")
    assert "/100" in line or "skipped" in line
    second.wait_for("Q2 · ")
    second.close()
    assert second.proc.returncode == 0


@pytest.mark.slow
def test_two_weeks_of_daily_questions_in_the_console(tmp_path: Path) -> None:
    script = (ROOT / "tests" / "fixtures" / "console" / "two-weeks.txt").read_text()
    result = run_console(
        tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS), "--images", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    posted = [line.strip() for line in out.splitlines() if "== Daily question · " in line]
    assert len(posted) == 9, "Mon-Fri, Mon-Thu: no weekend posts"
    assert "Streak: 7 days." in out
    assert "Streak: 8 days." in out, "the freeze from day 7 covered the missed Wednesday"
    assert "Streak: 8 now · 8 longest · 0 freezes" in out
    assert "1. you — " in out
    assert "· 🔥8 · 8 answers" in out
    assert "== Leaderboard · night-owls · this week ==" in out
    assert (tmp_path / "activity-you.png").read_bytes().startswith(b"\x89PNG")
    assert out.count("== Answer reveal ==") >= 8
    assert "Traceback" not in out + result.stderr


def test_spaced_review_on_the_simulated_clock(tmp_path: Path) -> None:
    script = (ROOT / "tests" / "fixtures" / "console" / "spaced-review.txt").read_text()
    result = run_console(
        tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS), "--images", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    # Monday: the weak answer is not due yet, and says when it will be.
    monday, tuesday = out.split("(clock now 2026-03-03 09:00 UTC)")
    assert (
        "Nothing is due for review right now. Your next card is due tomorrow (Tue 03 Mar) "
        "at 09:00 UTC." in monday
    )
    assert "direct message" not in monday
    assert "Your next card is due in 8 days, on Tue 10 Mar at 09:00 UTC" in monday  # Bob
    # Tuesday: one nudge at 10:00, then the review round compares with Monday's answer.
    assert tuesday.count("[interview-bot → direct message to you]") == 1
    assert "1 card due for review: this round asks it." in tuesday
    assert "== Review for you ==" in tuesday
    # The weak answer scored under 40, the full one 100: the round says by how much it rose.
    compared = re.search(r"Last time you scored (\d+), now 100: up (\d+) points\.", tuesday)
    assert compared is not None
    before, rise = int(compared.group(1)), int(compared.group(2))
    assert before < 40  # the weak answer
    assert rise == 100 - before
    assert "== Compared with last time ==" in tuesday
    assert "Recalled this time" in tuesday
    # Well answered, it stays away: days of "nothing due", and no more nudges.
    assert tuesday.count("Nothing is due for review right now") == 3  # you twice, Bob on Friday
    assert "Review reminders off" in tuesday
    assert "retention 100% (1 review)" in tuesday
