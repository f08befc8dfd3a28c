"""`interview-bot run --platform slack --mode http` as a real process, spoken to over HTTP.

The process runs with its daily scheduler, an embedded SQLite file and the shipped question
bank; its Web API is the stand-in. A process cannot move time, so reveals are covered
in-process with a ManualClock (test_in_process.py).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from adapters.slack.mrkdwn import escape
from questions.bank import QuestionBank
from questions.loader import load_bank
from tests.adapters.slack.conftest import EVIL_NAME, SLACK_VARS, subprocess_env
from tests.adapters.slack.driver import SIGNING_SECRET, SlackDriver
from tests.adapters.slack.standin import BOT_TOKEN, Call, FakeSlack, Fault
from tests.support.harness import answer_covering

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 60


@dataclass
class Process:
    url: str
    db: Path
    log: Path

    def answers(self) -> int:
        with sqlite3.connect(self.db) as conn:
            return int(conn.execute("select count(*) from answers").fetchone()[0])

    def daily_posted(self) -> bool:
        """The engine has recorded its daily post (status and thread), so replies can match it."""
        with sqlite3.connect(self.db) as conn:
            row = conn.execute("select count(*) from daily_posts where status = 'posted'")
            return bool(row.fetchone()[0])

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).parent / "interview-bot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from adapters.cli import main; main()"]


@asynccontextmanager
async def running_bot(
    tmp_path: Path, slack: FakeSlack, extra_env: dict[str, str] | None = None
) -> AsyncIterator[Process]:
    port = _free_port()
    db = tmp_path / "bot.db"
    log = tmp_path / "bot.log"
    env = subprocess_env()
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SLACK_ADMIN_USER_IDS": "ULISTED",
        "DATABASE_URL": f"sqlite:///{db}",
        "INTERVIEW_BOT_LOG_LEVEL": "DEBUG",
        "INTERVIEW_BOT_WARM_GRADER": "0",  # nothing here waits on a first compile
    }
    env |= extra_env or {}
    args = [*_command(), "run", "--platform", "slack", "--mode", "http"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *args, cwd=tmp_path, env=env, stdout=err, stderr=err
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if proc.returncode is not None:
                    raise AssertionError(f"bot exited at start:\n{log.read_text()}")
                try:
                    async with session.get(f"{url}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"bot did not start:\n{log.read_text()}")
                await asyncio.sleep(0.1)
        yield Process(url, db, log)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _waiting_on_user(slack: FakeSlack, thread: str) -> bool:
    """The thread ends with a question (it has buttons) or the scorecard."""
    posts = slack.in_thread(thread)
    return bool(posts) and (bool(posts[-1].buttons()) or posts[-1].header == "Scorecard")


@pytest.fixture(scope="module")
def shipped_bank() -> QuestionBank:
    return load_bank(None)


def good_answer(bank: QuestionBank, asked: Call) -> str:
    if asked.header.startswith(("Question", "Daily")):
        matches = [q for q in bank.questions if escape(q.prompt) in asked.raw]
        return answer_covering(bank, max(matches, key=lambda q: len(q.prompt)).id)
    return "I would compare against a baseline on held-out data and check the assumptions."


async def test_mock_rounds_over_http_by_thread_and_modal(
    tmp_path: Path, slack: FakeSlack, shipped_bank: QuestionBank
) -> None:
    async with running_bot(tmp_path, slack) as bot, SlackDriver(bot.url, slack) as driver:
        # Thread replies, with a 429 on the way and a retried event.
        slack.fail_next("chat.postMessage", Fault(status=429, retry_after=1))
        assert (await driver.command("mock 2", user="UEVIL")).status == 200
        intro = (await slack.wait_for(lambda: [c for c in slack.posts() if c.header]))[0]
        assert "<!channel>" not in intro.args["text"]
        assert escape(EVIL_NAME) in intro.args["text"]
        thread = intro.ts
        retried = False
        for _ in range(10):
            await slack.wait_for(lambda: _waiting_on_user(slack, thread), what="the next step")
            asked = slack.in_thread(thread)[-1]
            if asked.header == "Scorecard":
                break
            before = len(slack.in_thread(thread))
            event = driver.reply_event(thread, good_answer(shipped_bank, asked), user="UEVIL")
            event_id = driver.new_id("EvSub")
            assert (await driver.event(event, event_id=event_id)).status == 200
            if not retried:  # Slack's retry of the same event: acked, never counted again
                retried = True
                assert (await driver.event(event, event_id=event_id, retry=1)).status == 200

            def answered(before: int = before) -> bool:
                return len(slack.in_thread(thread)) > before

            await slack.wait_for(answered, what="feedback")
        assert slack.in_thread(thread)[-1].header == "Scorecard"
        assert [c.status for c in slack.of("chat.postMessage", ok_only=False)].count(429) == 1
        scored = [
            c
            for c in slack.in_thread(thread)
            if c.header.startswith(("Score:", "Follow-up score:"))
        ]
        assert len(scored) == bot.answers()

        # The modal.
        assert (await driver.command("mock 1", user="UBOB")).status == 200
        bob_intro = await slack.wait_for(
            lambda: [c for c in slack.posts() if c.header == "Mock interview for Bob"]
        )
        bob_thread = bob_intro[0].ts
        question = await slack.wait_for(lambda: slack.in_thread(bob_thread))
        assert (await driver.click(question[0], "Answer", user="UBOB")).status == 200
        opened = await slack.wait_for(lambda: slack.of("views.open"), what="views.open")
        answer = good_answer(shipped_bank, question[0])
        assert (await driver.submit(opened[0], answer, user="UBOB")).status == 200
        await slack.wait_for(
            lambda: [c for c in slack.in_thread(bob_thread) if c.header.startswith("Score:")],
            what="the modal answer's feedback",
        )
        assert bot.answers() == len(scored) + 1  # the modal's answer was graded and kept

        # Refused requests.
        body = driver.event_body(driver.reply_event(thread, "forged"))
        forged = await driver.send(body, "application/json", secret="wrong")
        stale = await driver.send(body, "application/json", timestamp=int(time.time()) - 600)
        assert (forged.status, stale.status) == (401, 401)

        # Admins only.
        await driver.command("daily set time=09:00 tz=UTC", user="UNOBODY")
        refusal = await slack.wait_for(lambda: slack.ephemerals("UNOBODY"), what="the refusal")
        assert "Only workspace admins" in refusal[0].shown

    log = bot.stderr()
    assert BOT_TOKEN not in log
    assert SIGNING_SECRET not in log


async def test_daily_now_with_thread_answers_and_ack_times(
    tmp_path: Path, slack: FakeSlack, shipped_bank: QuestionBank
) -> None:
    async with running_bot(tmp_path, slack) as bot, SlackDriver(bot.url, slack) as driver:
        await driver.command("daily set time=09:00 tz=UTC days=daily", user="UADMIN")
        await slack.wait_for(lambda: slack.ephemerals("UADMIN"), what="the schedule")
        slack.delays["chat.postMessage"] = 2.0  # the daily post hangs on a slow API
        now = await driver.command("daily now", user="UADMIN")
        during = await driver.command("help", user="UBOB")
        assert now.elapsed_s < 0.5
        assert during.elapsed_s < 0.5
        post = (
            await slack.wait_for(
                lambda: [c for c in slack.posts() if c.header.startswith("Daily question")],
                what="the daily post",
            )
        )[0]
        slack.delays.clear()
        await slack.wait_for(bot.daily_posted, what="the engine to record its post")
        answer = good_answer(shipped_bank, post)

        acks: list[float] = []
        users = [f"UPERF{i:03d}" for i in range(50)]
        for user in users:
            slack.add_user(user, user.title())
        for user in users:
            sent = await driver.reply(post.ts, answer, user=user)
            assert sent.status == 200
            acks.append(sent.elapsed_s)
        await slack.wait_for(
            lambda: (
                len([c for c in slack.of("chat.postEphemeral") if c.args["user"] in users])
                == len(users)
            ),
            within=60,
            what="feedback to all 50 answerers",
        )
        assert all(c.thread_ts == post.ts for c in slack.ephemerals(users[0]))
        assert bot.answers() == 50
        median = statistics.median(acks) * 1000
        p95 = sorted(acks)[int(len(acks) * 0.95) - 1] * 1000
        print(f"\nthread reply request -> HTTP 200: median {median:.1f} ms, p95 {p95:.1f} ms")
        assert median < 250


async def test_missing_settings_stop_start_up_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env |= {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    proc = await asyncio.create_subprocess_exec(
        *_command(),
        "run",
        "--platform",
        "slack",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(proc.communicate(), START_TIMEOUT_S)
    assert proc.returncode != 0
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert "SLACK_BOT_TOKEN is not set" in lines[0]
    assert SIGNING_SECRET not in lines[0]
