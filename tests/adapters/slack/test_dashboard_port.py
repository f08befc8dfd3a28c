"""`interview-bot run` in Slack HTTP mode: `/interview web` answers privately in Slack, and
the link it gives opens on the same port as Slack's events endpoint and /healthz, or on
INTERVIEW_BOT_WEB_PORT when that is set."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from adapters.web.runtime import dashboard_for
from tests.adapters.slack.conftest import Bot, app_on, serving, token_env
from tests.adapters.slack.driver import SlackDriver
from tests.adapters.slack.standin import FakeSlack
from tests.adapters.slack.test_subprocess import _free_port, running_bot
from tests.adapters.web.scenario import PUBLIC_URL, with_dashboard
from tests.support.harness import Harness


@pytest.fixture
async def bot(h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    token_env(clean_env, slack)
    with_dashboard(h)
    app = app_on(h, web=h.web, units=h.uow)
    dashboard = dashboard_for(app)
    assert dashboard is not None
    async with serving(h, slack, app, mount=dashboard.mount) as running:
        yield running


def link_in(text: str) -> str:
    """The dashboard link in a Slack message's text (mrkdwn escapes its ampersands)."""
    found = re.search(r"https?://\S+?/dashboard/me\?[^\s|>]+", html.unescape(text))
    assert found is not None, text
    return found.group(0)


async def test_the_slack_port_serves_the_dashboard_behind_a_private_link(bot: Bot) -> None:
    sent = await bot.driver.command("web", user="UBOB")
    assert sent.status == 200
    told = await bot.slack.wait_for(lambda: bot.slack.ephemerals("UBOB"), what="the link")
    assert not [c for c in bot.slack.posts() if "dashboard" in c.raw]
    link = link_in(told[-1].raw)
    assert link.startswith(PUBLIC_URL)
    path = urlsplit(link)
    base = f"http://127.0.0.1:{bot.runtime.port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/dashboard/me?{path.query}") as page:
            assert page.status == 200
            assert "<h1>Your progress</h1>" in await page.text()
        async with session.get(f"{base}/dashboard/me?{path.query}x") as forged:
            assert forged.status == 403
        async with session.get(f"{base}/healthz") as health:
            assert health.status == 200


@pytest.mark.slow
async def test_run_serves_the_dashboard_on_its_own_port_when_one_is_set(
    tmp_path: Path, slack: FakeSlack
) -> None:
    web_port = _free_port()
    env = {
        "INTERVIEW_BOT_WEB_SECRET": "a subprocess secret, long enough",
        "INTERVIEW_BOT_PUBLIC_URL": f"http://127.0.0.1:{web_port}",
        "INTERVIEW_BOT_WEB_PORT": str(web_port),
    }
    async with running_bot(tmp_path, slack, env) as bot, SlackDriver(bot.url, slack) as driver:
        assert (await driver.command("web", user="UBOB")).status == 200
        told = await slack.wait_for(lambda: slack.ephemerals("UBOB"), what="the link")
        found = re.search(
            r"http://127\.0\.0\.1:\d+/dashboard/me\?[^\s|>]+", html.unescape(told[-1].raw)
        )
        assert found is not None, told[-1].raw
        async with aiohttp.ClientSession() as session:
            async with session.get(found.group(0)) as page:
                assert page.status == 200
                assert "<h1>Your progress</h1>" in await page.text()
            async with session.get(f"http://127.0.0.1:{web_port}/healthz") as health:
                assert health.status == 200
            async with session.get(f"{bot.url}/dashboard/") as elsewhere:
                assert elsewhere.status == 404  # not beside Slack when it has a port of its own
