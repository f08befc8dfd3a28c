"""A pair session in the console: two people, one terminal, `:user` to switch between them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.adapters.console.test_console import FIXTURE_PACKS, run_console

# One answer that says what either regularisation question wants, whichever is drawn.
ANSWER = (
    "L1 penalises absolute weights and yields sparsity, so L1 works as feature selection. "
    "L2 penalises squared weights and shrinks them smoothly; L2 suits many small effects or "
    "correlated features. Dropout randomly drops units during training, which prevents "
    "co-adaptation and acts like an ensemble; it is disabled at inference with scaling."
)

SESSION = f"""
:user alice
/interview pair regularisation
:user bob
/interview pair regularisation
:user alice
:press My notes
:user bob
{ANSWER}
:user alice
:press 1 covered
:press 3 missed
:press Finish
4 Clear on sparsity; name correlated features for L2.
:press Swap roles
{ANSWER}
:user bob
:press My notes
:press 2 half
:press Finish
5 great
"""


def test_two_members_run_a_pair_session_with_a_swap(tmp_path: Path) -> None:
    result = run_console(tmp_path / "bot.db", SESSION, "--packs", str(FIXTURE_PACKS))
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
