"""The Slack stand-in, and the real adapter serving HTTP in-process on the test engine."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from adapters.slack.runtime import SlackRuntime, start_slack
from bot.app.root import App
from bot.grading import RubricGrader
from bot.inbox import Inbox
from tests.adapters.slack.driver import SIGNING_SECRET, SlackDriver
from tests.adapters.slack.standin import BOT_TOKEN, FakeSlack
from tests.support.harness import Harness

SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_ADMIN_USER_IDS",
    "INTERVIEW_BOT_PUBLIC_URL",
    "INTERVIEW_BOT_ENCRYPTION_KEY",
)
EVIL_NAME = "<!channel> Mallory <@UADMIN>"


def subprocess_env() -> dict[str, str]:
    """This process's environment without anything that configures a bot, for a bot started
    as a subprocess to be configured by its test alone."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SLACK_VARS and k != "DATABASE_URL" and not k.startswith("INTERVIEW_BOT_")
    }
    if env.get("PYTHONPATH"):
        # The bot runs in the test's temporary directory: a relative entry ("PYTHONPATH=.")
        # would name that directory and quietly load the installed checkout instead of this one.
        entries = env["PYTHONPATH"].split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(e) for e in entries if e)
    return env


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SLACK_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.add_user("UALICE", "Alice")
    fake.add_user("UBOB", "Bob")
    fake.add_user("UADMIN", "Ada", is_admin=True)
    fake.add_user("UNOBODY", "Nobody")
    fake.add_user("ULISTED", "Lee")
    fake.add_user("UEVIL", EVIL_NAME)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@dataclass
class Bot:
    h: Harness
    slack: FakeSlack
    runtime: SlackRuntime
    driver: SlackDriver
    inbox: Inbox | None = None

    async def settle(self) -> None:
        """Wait until the work started by every acked request is done."""
        await self.runtime.sync()  # what the receiving process acked is queued by now
        assert await self.runtime.work.wait_idle(15), "engine work did not finish"
        if self.inbox is not None:
            await self.inbox.flush()

    @property
    def kept(self) -> int:
        """Requests kept in the inbox, by bolt's middleware or by the receiver's front desk."""
        by_bolt = self.inbox.kept if self.inbox is not None else 0
        return by_bolt + self.runtime.acked_by_receiver


def token_env(monkeypatch: pytest.MonkeyPatch, slack: FakeSlack) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SLACK_ADMIN_USER_IDS", "ULISTED")


@pytest.fixture
async def bot(h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    token_env(clean_env, slack)
    async with serving(h, slack, app_on(h, inbox=inbox_on(h))) as running:
        yield running


def app_on(h: Harness, **extra: Any) -> App:
    """The app the adapter serves: the harness's engine and database, the rubric grader."""
    return App(
        engine=h.engine,
        bank=h.bank,
        database=h.database,
        clock=h.clock,
        grader=RubricGrader(),
        **extra,
    )


def inbox_on(h: Harness) -> Inbox:
    return Inbox(h.uow, h.clock, chats=h.engine.chats)


@asynccontextmanager
async def serving(
    h: Harness, slack: FakeSlack, app: App, mount: Callable[[web.Application], None] | None = None
) -> AsyncIterator[Bot]:
    """The adapter serving `app` over HTTP on loopback, with a driver signed for the stand-in;
    `mount` adds routes beside Slack's (the dashboard)."""
    runtime = await start_slack(app, mode="http", host="127.0.0.1", port=0, mount=mount)
    h.engine.chats.register("slack", runtime.chat)
    try:
        async with SlackDriver(f"http://127.0.0.1:{runtime.port}", slack) as driver:
            yield Bot(h, slack, runtime, driver, app.inbox)
    finally:
        await runtime.stop()
