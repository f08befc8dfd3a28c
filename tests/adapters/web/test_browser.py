"""The dashboard in a real headless Chromium: a link printed by a console session, opened and
clicked through to the leaderboard, with screenshots kept as test artifacts.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; nothing is downloaded. Without
it these tests skip on a laptop, and fail in CI (CI or INTERVIEW_BOT_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("INTERVIEW_BOT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "tests" / "artifacts"
FIXTURE_PACKS = ROOT / "tests" / "fixtures" / "packs"
TWO_WEEKS = ROOT / "tests" / "fixtures" / "console" / "two-weeks.txt"
CLI = [sys.executable, "-m", "adapters.cli"]
LINK = re.compile(r"http://127\.0\.0\.1:\d+/dashboard/me\?\S+")


def _require_browser() -> Any:
    """Playwright's sync API, or a skip (a failure where a browser is required)."""
    required = bool(os.environ.get("CI")) or os.environ.get("INTERVIEW_BOT_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    else:
        if CHROMIUM.is_file():
            return sync_playwright
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if required:
        pytest.fail(f"browser tests are required here: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INTERVIEW_BOT_WEB_SECRET": "browser-test-secret-0123456789",
        "INTERVIEW_BOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }


def console_link(db: Path, port: int) -> str:
    """Two weeks of daily questions in the console, a second member, then `/interview web`."""
    start = (datetime.now(UTC) - timedelta(days=16)).strftime("%Y-%m-%dT12:00")
    lines = TWO_WEEKS.read_text().splitlines()
    weeks = [line for line in lines if not line.startswith((":time", "/interview daily status"))]
    answer = next(line for line in reversed(lines) if line.startswith("At my last job"))
    last = max(i for i, line in enumerate(weeks) if line == answer)
    script = [
        f":time {start}",
        *weeks[: last + 1],
        ":user bob",
        "/interview group join night-owls",
        answer.replace("weekly", "every week"),
        ":user you",
        *weeks[last + 1 :],
        "/interview web",
    ]
    result = subprocess.run(
        [*CLI, "console", "--db", f"sqlite:///{db}", "--packs", str(FIXTURE_PACKS)],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=_environment(port),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = LINK.search(result.stdout)
    assert found is not None, result.stdout[-2000:]
    return found.group(0)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`interview-bot web` on the console's database; yields the console's link."""
    db, port = tmp_path / "console.db", _free_port()
    link = console_link(db, port)
    server = subprocess.Popen(
        [
            *CLI,
            "web",
            "--db",
            f"sqlite:///{db}",
            "--port",
            str(port),
            "--packs",
            str(FIXTURE_PACKS),
        ],
        cwd=ROOT,
        env=_environment(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read() if server.stdout else ""
                    pytest.fail(f"the dashboard did not start: {output[-1500:]}")
                time.sleep(0.2)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield link, ARTIFACTS
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.slow
def test_a_console_link_opens_the_dashboard_and_clicks_through_to_the_leaderboard(
    served: tuple[str, Path],
) -> None:
    sync_playwright = _require_browser()
    link, artifacts = served
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(
                viewport={"width": 1100, "height": 900}, java_script_enabled=False
            )
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            response = page.goto(link)
            assert response is not None
            assert response.status == 200
            assert page.locator("h1").inner_text() == "Your progress"
            heatmap = page.locator("svg#activity")
            assert heatmap.get_attribute("role") == "img"
            assert heatmap.locator("rect").count() > 300
            assert page.get_by_text("Activity as a table").is_visible()
            assert page.locator("section[aria-labelledby=recent-h] blockquote").count() >= 1
            assert page.get_by_role("heading", name="Strongest", exact=True).is_visible()
            page.screenshot(path=str(artifacts / "dashboard-me.png"), full_page=True)
            page.screenshot(path=str(artifacts / "dashboard-me-top.png"))

            page.get_by_role("link", name="night-owls leaderboard").click()
            assert page.locator("h1").inner_text() == "night-owls · leaderboard"
            assert page.locator("[aria-current=page]").inner_text() == "This week"
            page.get_by_role("link", name="All time").click()
            assert page.locator("[aria-current=page]").inner_text() == "All time"
            rows = page.locator("table tbody tr")
            assert rows.count() == 2
            assert rows.nth(0).locator("td").nth(1).inner_text() == "you (you)"
            assert rows.nth(1).locator("td").nth(1).inner_text() == "bob"
            assert page.locator("tr.me").count() == 1
            assert page.locator("svg#board rect").count() == 2
            page.screenshot(path=str(artifacts / "dashboard-leaderboard.png"), full_page=True)

            page.get_by_role("link", name="bob").click()
            assert page.locator("h1").inner_text() == "bob's progress"
            assert page.locator("blockquote").count() == 0  # no one else's answer text

            phone = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
            phone.goto(link)
            phone.get_by_role("link", name="#general leaderboard").click()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
            phone.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)

            assert problems == []  # no failed request, no policy violation
            tampered = link.replace("s=", "s=x", 1)
            refused = page.goto(tampered)
            assert refused is not None
            assert refused.status == 403
            assert page.locator("h1").inner_text() == "This link doesn't work"
        finally:
            browser.close()
    print(f"\nscreenshots: {artifacts}")
