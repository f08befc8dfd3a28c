"""Acknowledged means kept: `interview-bot run` killed with SIGKILL, or stopped with SIGTERM.

The bot runs as its own process against the Slack stand-in, on SQLite or PostgreSQL. After a
burst of acknowledged thread answers it is killed outright while its replies are still on
their way (the stand-in is slow to answer, and a caller that hangs up gets nothing done); the
restarted process must grade every answer once and send every answerer exactly one private
feedback. SIGTERM must take nothing new, finish what was acked, and exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from questions.bank import QuestionBank
from storage import inbox_file
from storage.database import create_engine
from storage.migrate import upgrade
from tests.adapters.slack.conftest import subprocess_env
from tests.adapters.slack.driver import SIGNING_SECRET, SlackDriver
from tests.adapters.slack.standin import BOT_TOKEN, FakeSlack
from tests.adapters.slack.test_subprocess import _command, _free_port, good_answer, shipped_bank
from tests.support.databases import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.slow

__all__ = ["shipped_bank"]

START_TIMEOUT_S = 60
LEASE_S = 1.5
ANSWERS = 150


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database of its own: a SQLite file, or a new PostgreSQL database (migrated,
    since the bot only migrates an embedded one itself)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    await require_postgres()
    name = f"inbox_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    try:
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@dataclass
class Bot:
    proc: asyncio.subprocess.Process
    url: str
    log: Path


async def launch(tmp_path: Path, slack: FakeSlack, database_url: str, name: str) -> Bot:
    port = _free_port()
    log = tmp_path / f"{name}.log"
    env = subprocess_env()
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "INTERVIEW_BOT_LOG_LEVEL": "INFO",
        "INTERVIEW_BOT_INBOX_LEASE_SECONDS": str(LEASE_S),
        "INTERVIEW_BOT_WARM_GRADER": "0",  # nothing here waits on a first compile
    }
    args = [*_command(), "run", "--platform", "slack", "--mode", "http"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *args, cwd=tmp_path, env=env, stdout=err, stderr=err
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.returncode is not None:
                raise AssertionError(f"bot exited at start:\n{log.read_text()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return Bot(proc, url, log)
            if time.monotonic() > deadline:
                raise AssertionError(f"bot did not start:\n{log.read_text()}")
            await asyncio.sleep(0.1)


async def stop(bot: Bot) -> None:
    if bot.proc.returncode is None:
        bot.proc.kill()
        await bot.proc.wait()


async def scalar(database_url: str, sql: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def kept(database_url: str, where: str = "") -> int:
    """Items in the inbox: a SQLite database keeps them in a file of its own beside it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        database_url = f"sqlite:///{inbox_file.beside(url.database)}"
    return await scalar(database_url, f"select count(*) from inbox{where}")


async def daily_post(driver: SlackDriver, slack: FakeSlack, database_url: str) -> str:
    """Schedule and post today's question in C1; the thread answers go to."""
    await driver.command("daily set time=09:00 tz=UTC days=daily", user="UADMIN")
    await slack.wait_for(lambda: slack.ephemerals("UADMIN"), what="the schedule", within=20)
    await driver.command("daily now", user="UADMIN")
    posts = await slack.wait_for(
        lambda: [c for c in slack.posts() if c.header.startswith("Daily question")],
        what="the daily post",
        within=20,
    )
    deadline = time.monotonic() + 20
    sql = "select count(*) from daily_posts where status = 'posted'"
    while not await scalar(database_url, sql):
        assert time.monotonic() < deadline, "the daily post was never recorded"
        await asyncio.sleep(0.1)
    return str(posts[0].ts)


async def answer_all(driver: SlackDriver, thread: str, answer: str, users: list[str]) -> None:
    gate = asyncio.Semaphore(30)

    async def one(user: str) -> None:
        async with gate:
            sent = await driver.reply(thread, answer, user=user)
            assert sent.status == 200, sent.body

    await asyncio.gather(*(one(user) for user in users))


def feedback_counts(slack: FakeSlack, thread: str, users: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(users, 0)
    for call in slack.ephemerals():
        if call.args["user"] in counts and call.thread_ts == thread:
            counts[call.args["user"]] += 1
    return counts


async def test_answers_acked_before_a_sigkill_are_graded_once_after_a_restart(
    tmp_path: Path, slack: FakeSlack, shipped_bank: QuestionBank, database_url: str
) -> None:
    users = [f"UKILL{n:03d}" for n in range(ANSWERS)]
    for user in users:
        slack.add_user(user, user.title())
    first = await launch(tmp_path, slack, database_url, "first")
    try:
        async with SlackDriver(first.url, slack) as driver:
            thread = await daily_post(driver, slack, database_url)
            post = next(c for c in slack.posts() if c.ts == thread)
            # Slack is slow to answer: replies are still on their way when the process dies.
            slack.delays["chat.postEphemeral"] = 3.0
            await answer_all(driver, thread, good_answer(shipped_bank, post), users)
        first.proc.send_signal(signal.SIGKILL)
        assert await first.proc.wait() == -signal.SIGKILL
        assert not any(feedback_counts(slack, thread, users).values())  # none reached Slack
    finally:
        await stop(first)
    # Every acked answer is still kept (none had finished). Handled items are removed a little
    # later, in batches, so the set-up commands' items may still be there too: taking them again
    # is a no-op.
    graded_before = await scalar(database_url, "select count(*) from answers")
    assert await kept(database_url, " where kind = 'message'") == ANSWERS
    slack.delays.clear()

    second = await launch(tmp_path, slack, database_url, "second")
    try:
        await slack.wait_for(
            lambda: all(feedback_counts(slack, thread, users).values()),
            within=90,
            what="feedback to every answerer after the restart",
        )
        await asyncio.sleep(2 * LEASE_S + 1)  # time for any second attempt to show
        counts = feedback_counts(slack, thread, users)
        assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n != 1}
        rows = await scalar(database_url, "select count(*) from answers")
        distinct = await scalar(database_url, "select count(distinct event_ref) from answers")
        assert rows == distinct == ANSWERS, (rows, distinct, graded_before)
        assert await kept(database_url) == 0
        # ... and no replies are held for them any more (SQLite holds them in the main file).
        assert await scalar(database_url, "select count(*) from inbox") == 0
        second.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.proc.wait(), 30) == 0
    finally:
        await stop(second)
    assert "Traceback" not in second.log.read_text()


async def test_sigterm_takes_nothing_new_finishes_what_was_acked_and_exits_0(
    tmp_path: Path, slack: FakeSlack, shipped_bank: QuestionBank
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    users = [f"UTERM{n:03d}" for n in range(40)]
    for user in users:
        slack.add_user(user, user.title())
    bot = await launch(tmp_path, slack, database_url, "bot")
    try:
        async with SlackDriver(bot.url, slack) as driver:
            thread = await daily_post(driver, slack, database_url)
            post = next(c for c in slack.posts() if c.ts == thread)
            answer = good_answer(shipped_bank, post)
            slack.delays["chat.postEphemeral"] = 1.0  # work is still in flight at SIGTERM
            await answer_all(driver, thread, answer, users)
            bot.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            late = await driver.reply(thread, answer, user="UBOB")
            assert late.status == 503  # not acked: Slack sends it to a replica that stays
            started = time.monotonic()
            assert await asyncio.wait_for(bot.proc.wait(), 30) == 0
            assert time.monotonic() - started < 20
    finally:
        await stop(bot)
    assert set(feedback_counts(slack, thread, users).values()) == {1}
    assert await scalar(database_url, "select count(*) from answers") == len(users)
    assert await kept(database_url) == 0
    assert await scalar(database_url, "select count(*) from inbox") == 0
    assert "Traceback" not in bot.log.read_text()
