"""What a new user meets in the console: the daily pool suits a shared channel, scorecards say
plainly when nothing scored, and lines after a round belong to the channel again."""

from __future__ import annotations

import re
from pathlib import Path

from tests.adapters.console.test_console import run_console

_CONTEXT = re.compile(r"^\s*\((.+) · (easy|medium|hard) · ([a-z-]+)\)$")
_SHARED = {"theory", "system-design", "coding"}


def daily_stages(out: str) -> list[str]:
    """The stage of every daily question posted, in order."""
    lines = out.splitlines()
    stages = []
    for i, line in enumerate(lines):
        if "== Daily question ·" in line:
            found = next(m for m in map(_CONTEXT.match, lines[i:]) if m)
            stages.append(found.group(3))
    return stages


def test_the_daily_question_comes_from_shared_channel_stages_unless_set(tmp_path: Path) -> None:
    script = [":time 2026-03-02T08:00", "/interview daily set time=09:00 tz=UTC days=daily"]
    script += ["/interview daily status", *[":advance 1d"] * 8]
    script += ["/interview daily set stages=screening", ":advance 1d", ":advance 1d"]
    script += ["/interview daily set stages=fun", "/interview daily status"]
    result = run_console(tmp_path / "bot.db", "\n".join(script), "--tz", "UTC")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    stages = daily_stages(out)
    assert len(stages) == 10  # one each day the clock passed 09:00
    assert set(stages[:8]) <= _SHARED
    assert stages[8:] == ["screening", "screening"]
    assert "Stages: theory, system design, coding (the default)." in out
    assert "`fun` is not a stage: use screening, theory, coding, system-design" in out
    shown = [line.strip(" │") for line in out.splitlines() if "Stages:" in line]
    assert shown[-1] == "Stages: screening."  # the bad name changed nothing


def test_stages_all_draws_from_every_stage_and_default_goes_back(tmp_path: Path) -> None:
    script = [
        ":time 2026-03-02T08:00",
        "/interview daily set time=09:00 tz=UTC stages=all",
        "/interview daily set stages=default",
    ]
    result = run_console(tmp_path / "bot.db", "\n".join(script), "--tz", "UTC")
    assert result.returncode == 0, result.stderr
    assert "Stages: every stage." in result.stdout
    assert result.stdout.count("(the default).") == 1


def test_scorecards_say_so_when_nothing_scored_or_nothing_was_answered(tmp_path: Path) -> None:
    script = [
        "/interview mock 2",
        "/interview skip",
        "/interview skip",
        "/interview mock 1",
        "/interview skip",
        "/interview mock 2",
        "/interview end",
    ]
    result = run_console(tmp_path / "bot.db", "\n".join(script))
    assert result.returncode == 0, result.stderr
    cards = result.stdout.split("== Scorecard ==")[1:]
    assert len(cards) == 3
    assert "Strongest" not in result.stdout
    all_skipped, one_question, ended = cards
    assert "Topics: every answer scored 0, so none stands out." in all_skipped
    assert "/interview hint" in all_skipped
    assert "model answers" in all_skipped
    assert re.search(r"Topic: .+ \(0\)\.", one_question)
    assert "/interview hint" in one_question
    assert "No question was answered before the round ended, so there is no score." in ended
    assert "Total:" not in ended


def test_lines_after_a_round_ends_render_in_the_channel(tmp_path: Path) -> None:
    script = [
        "/interview mock 1",
        "/interview skip",
        "/interview group create readers",
        "/interview leaderboard week readers",
        "/interview privacy export",
    ]
    result = run_console(tmp_path / "bot.db", "\n".join(script))
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("(the round is over: back in #general)")
    assert "== Scorecard ==" in before
    assert after.strip()
    assert not [line for line in after.splitlines() if line.startswith("    │")]
    assert "readers" in after
