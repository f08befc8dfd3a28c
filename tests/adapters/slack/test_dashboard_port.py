"""`interview-bot run` in Slack HTTP mode: `/interview web` answers privately in Slack, and
the link it gives opens on the same port as Slack's events endpoint and /healthz."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest

from adapters.web.runtime import dashboard_for
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.conftest import Bot, serving, token_env
from tests.adapters.slack.standin import FakeSlack
from tests.adapters.web.scenario import PUBLIC_URL, with_dashboard
from tests.support.harness import Harness


@pytest.fixture
async def bot(h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    token_env(clean_env, slack)
    with_dashboard(h)
    app = App(
        engine=h.engine,
        bank=h.bank,
        database=h.database,
        clock=h.clock,
        grader=RubricGrader(),
        web=h.web,
        units=h.uow,
    )
    dashboard = dashboard_for(app)
    assert dashboard is not None
    async with serving(h, slack, app, mount=dashboard.mount) as running:
        yield running


async def test_the_slack_port_serves_the_dashboard_behind_a_private_link(bot: Bot) -> None:
    sent = await bot.driver.command("web", user="UBOB")
    assert sent.status == 200
    told = await bot.slack.wait_for(lambda: bot.slack.ephemerals("UBOB"), what="the link")
    assert not [c for c in bot.slack.posts() if "dashboard" in c.raw]
    found = re.search(r"https://\S+/dashboard/me\?[^\s|>]+", html.unescape(told[-1].raw))
    assert found is not None, told[-1].raw
    assert found.group(0).startswith(PUBLIC_URL)
    path = urlsplit(found.group(0))
    base = f"http://127.0.0.1:{bot.runtime.port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/dashboard/me?{path.query}") as page:
            assert page.status == 200
            assert "<h1>Your progress</h1>" in await page.text()
        async with session.get(f"{base}/dashboard/me?{path.query}x") as forged:
            assert forged.status == 403
        async with session.get(f"{base}/healthz") as health:
            assert health.status == 200
