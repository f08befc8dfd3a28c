"""A pair session in the console: two people, one terminal, `:user` to switch between them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.adapters.console.test_console import FIXTURE_PACKS, run_console

SCRIPT = Path(__file__).resolve().parents[2] / "fixtures" / "console" / "pair-interview.txt"


def test_two_members_run_a_pair_session_with_a_swap(tmp_path: Path) -> None:
    result = run_console(tmp_path / "bot.db", SCRIPT.read_text(), "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Pair interview: alice and bob ==" in out
    assert "== Round 1: alice interviews bob ==" in out
    notes = out.index("[interview-bot → only alice]")
    assert out.index("== Interviewer notes (only you see this) ==", notes) > notes
    assert "[1 covered]  [1 half]  [1 missed]" in out
    assert "alice's rating: 4/5 — Clear on sparsity" in out
    assert "alice: covered · bot: covered" in out
    assert "== Round 2: bob interviews alice ==" in out
    assert "[interview-bot → only bob]" in out
    assert "bob's rating: 5/5 — great" in out
    assert "== Pair interview finished ==" in out
    grades = [int(g) for g in re.findall(r"Bot's grade: (\d+)/100", out)]
    assert len(grades) == 2
    assert min(grades) >= 70, grades
    assert "Traceback" not in out + result.stderr


def test_a_request_nobody_takes_expires_after_30_minutes(tmp_path: Path) -> None:
    script = "\n".join(
        [":user carol", "/interview pair", ":advance 31m", ":user dan", "/interview pair"]
    )
    result = run_console(tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[interview-bot → only carol]" in out
    assert "Your pairing request expired after 30 minutes" in out
    assert "Pair interview:" not in out, "an expired request is never paired"
    assert out.count("You are in the pairing queue") == 2


def test_an_invitation_arrives_as_a_direct_message_and_is_accepted_from_it(
    tmp_path: Path,
) -> None:
    script = "\n".join(
        [
            ":user bob",
            "/interview stats",
            ":user alice",
            "/interview pair with bob",
            "/interview pair cancel",
            "/interview pair with bob",
            ":user bob",
            ":press Accept",
        ]
    )
    result = run_console(tmp_path / "bot.db", script, "--packs", str(FIXTURE_PACKS))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    invited = out.index("[interview-bot → direct message to bob]")
    assert out.index("== Peer mock interview invitation ==", invited) > invited
    assert "alice withdrew their pair interview invitation." in out
    withdrawn = out.index("alice withdrew the pair interview invitation.")
    assert out.rindex("[interview-bot edited ", 0, withdrawn) > invited, "the first DM is edited"
    assert "You accepted — the interview is in #" in out
    assert "== Pair interview: alice and bob ==" in out
    paired = out.index("[interview-bot → direct message to alice]")
    assert out.index("You are paired with bob", paired) > paired
    assert "Traceback" not in out + result.stderr
