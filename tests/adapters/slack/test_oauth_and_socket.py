"""Multi-workspace install through bolt's OAuth flow on the bot's own database, and Socket Mode."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from sqlalchemy import text

from adapters.slack.runtime import start_slack
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.driver import SIGNING_SECRET, SlackDriver
from tests.adapters.slack.standin import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack
from tests.support.harness import Harness

INSTALLED_TEAM = "T0OAUTH"


async def count(h: Harness, sql: str) -> int:
    async with h.database.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_install_then_serve_the_installed_workspace_then_uninstall(
    h_both: Harness,
    slack: FakeSlack,
    clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On SQLite and PostgreSQL: the store's tables come from migration 0004."""
    h = h_both
    slack.add_user("UINSTALLER", "Ines", is_admin=True)
    clean_env.setenv("SLACK_CLIENT_ID", "111.222")
    clean_env.setenv("SLACK_CLIENT_SECRET", "client-secret-value")
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("SLACK_API_URL", slack.api_url)
    caplog.set_level("DEBUG")
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
    runtime = await start_slack(app, mode="http", host="127.0.0.1", port=0)
    h.engine.chats.register("slack", runtime.chat)
    base = f"http://127.0.0.1:{runtime.port}"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/slack/install", allow_redirects=False) as page:
                assert page.status == 200
                html = await page.text()
                cookie = page.headers["Set-Cookie"].split(";")[0]
            link = re.search(r'<a href="(https://slack.com/oauth/v2/authorize[^"]+)"', html)
            assert link is not None
            authorize = unescape(link.group(1))
            query = parse_qs(urlparse(authorize).query)
            assert query["client_id"] == ["111.222"]
            assert "commands" in query["scope"][0]
            state = query["state"][0]
            async with session.get(
                f"{base}/slack/oauth_redirect",
                params={"code": "good-code", "state": state},
                headers={"Cookie": cookie},
                allow_redirects=False,
            ) as done:
                assert done.status == 200, await done.text()
        assert await count(h, "select count(*) from slack_bots") == 1

        async with SlackDriver(base, slack, team=INSTALLED_TEAM) as driver:
            assert (await driver.command("mock 1")).status == 200
            intro = await slack.wait_for(
                lambda: [c for c in slack.posts() if c.header.startswith("Mock interview")]
            )
            assert intro[0].token == slack.installed_token
            await driver.command("daily set time=09:00 tz=UTC", user="UINSTALLER")
            await runtime.work.wait_idle(10)

            assert (await driver.event({"type": "app_uninstalled"})).status == 200
            assert await runtime.work.wait_idle(10)
        assert await count(h, "select count(*) from slack_bots") == 0
        assert await count(h, "select count(*) from slack_installations") == 0
        assert await count(h, "select count(*) from schedules where enabled") == 0
        assert await count(h, "select count(*) from schedules") == 1
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert slack.installed_token not in logged
        assert "client-secret-value" not in logged
    finally:
        await runtime.stop()


async def test_socket_mode_takes_a_command_over_the_websocket(
    h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    clean_env.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    clean_env.setenv("SLACK_API_URL", slack.api_url)
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
    runtime = await start_slack(app, mode="socket", host="127.0.0.1", port=0)
    h.engine.chats.register("slack", runtime.chat)
    try:
        assert slack.of("apps.connections.open")[0].token == APP_TOKEN
        command = {
            "team_id": TEAM,
            "channel_id": "C9",
            "channel_name": "random",
            "user_id": "UALICE",
            "user_name": "alice",
            "command": "/interview",
            "text": "mock 1",
            "response_url": f"{slack.base_url}/response/1",
            "trigger_id": "trig.socket.1",
        }
        await slack.socket_envelopes.put(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
        )
        await slack.wait_for(
            lambda: [a for a in slack.socket_acks if a.get("envelope_id") == "env-1"]
        )
        intro = await slack.wait_for(
            lambda: [c for c in slack.posts() if c.header.startswith("Mock interview")]
        )
        assert intro[0].channel == "C9"
    finally:
        await runtime.stop()
