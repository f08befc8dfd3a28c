"""`interview-bot web` refuses to start without its settings, with one line naming them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def web(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_BOT_")}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "web", "--db", f"sqlite:///{tmp_path}/x.db"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no .env from the checkout
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, "the dashboard needs INTERVIEW_BOT_WEB_SECRET (16+ characters) and"),
        (
            {"INTERVIEW_BOT_WEB_SECRET": "short", "INTERVIEW_BOT_PUBLIC_URL": "https://x.test"},
            "INTERVIEW_BOT_WEB_SECRET needs at least 16 characters",
        ),
        (
            {"INTERVIEW_BOT_WEB_SECRET": "x" * 20, "INTERVIEW_BOT_PUBLIC_URL": "bot.example.com"},
            "use an http:// or https:// URL",
        ),
    ],
)
def test_missing_or_bad_settings_stop_it_with_one_line(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    result = web(tmp_path, **env)
    assert result.returncode == 1
    assert said in result.stderr
    assert "Traceback" not in result.stderr
