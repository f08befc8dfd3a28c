"""Multi-workspace install through bolt's OAuth flow on the bot's own database, and Socket Mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.slack.runtime import SlackRuntime, start_slack
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.driver import SIGNING_SECRET, SlackDriver
from tests.adapters.slack.oauth_flow import (
    CLIENT_SECRET,
    INSTALLED_TEAM,
    OAUTH_ENV,
    install_over_oauth,
)
from tests.adapters.slack.standin import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack
from tests.support.harness import Harness


async def count(h: Harness, sql: str) -> int:
    async with h.database.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


@asynccontextmanager
async def oauth_bot(
    h: Harness, slack: FakeSlack, env: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SlackRuntime, str]]:
    """The bot in multi-workspace mode, serving HTTP on a free port."""
    for name, value in OAUTH_ENV.items():
        env.setenv(name, value)
    env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    env.setenv("SLACK_API_URL", slack.api_url)
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
    runtime = await start_slack(app, mode="http", host="127.0.0.1", port=0)
    h.engine.chats.register("slack", runtime.chat)
    try:
        yield runtime, f"http://127.0.0.1:{runtime.port}"
    finally:
        await runtime.stop()


async def assert_no_token_at_rest(h: Harness, token: str) -> None:
    """The installed token is sealed in both tables; on SQLite, nowhere in the files either."""
    async with h.database.connect() as conn:
        for table in ("slack_bots", "slack_installations"):
            stored = (await conn.execute(text(f"select bot_token from {table}"))).scalars().all()
            assert stored
            assert all(value.startswith("fernet:") and token not in value for value in stored)
    url = h.database.url
    if url.get_backend_name() == "sqlite" and url.database:
        for path in Path(url.database).parent.glob(Path(url.database).name + "*"):
            assert token.encode() not in path.read_bytes(), path


async def test_install_then_serve_the_installed_workspace_then_uninstall(
    h_both: Harness,
    slack: FakeSlack,
    clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On SQLite and PostgreSQL: the store's tables come from migration 0004."""
    h = h_both
    slack.add_user("UINSTALLER", "Ines", is_admin=True)
    caplog.set_level("DEBUG")
    async with oauth_bot(h, slack, clean_env) as (runtime, base):
        await install_over_oauth(base)
        assert await count(h, "select count(*) from slack_bots") == 1
        await assert_no_token_at_rest(h, slack.installed_token)

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
        assert CLIENT_SECRET not in logged


async def test_an_installed_workspace_is_authorised_once_not_on_every_event(
    h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> None:
    async with oauth_bot(h, slack, clean_env) as (runtime, base):
        await install_over_oauth(base)
        after_install = len(slack.of("auth.test", ok_only=False))
        async with SlackDriver(base, slack, team=INSTALLED_TEAM) as driver:
            for _ in range(4):
                assert (await driver.command("help")).status == 200
            for n in range(6):
                assert (
                    await driver.reply("1700000000.000100", f"thinking aloud {n}")
                ).status == 200
            assert await runtime.work.wait_idle(10)
            # Ten events, one authorisation: the first event's.
            assert len(slack.of("auth.test", ok_only=False)) - after_install == 1

            assert (await driver.event({"type": "app_uninstalled"})).status == 200
            assert await runtime.work.wait_idle(10)
            await install_over_oauth(base)
            reinstalled = len(slack.of("auth.test", ok_only=False))
            assert (await driver.command("mock 1")).status == 200
            intro = await slack.wait_for(
                lambda: [c for c in slack.posts() if c.header.startswith("Mock interview")]
            )
            # The uninstall and the new install dropped the cached authorisation.
            assert len(slack.of("auth.test", ok_only=False)) - reinstalled == 1
            assert intro[0].token == slack.installed_token
            assert await runtime.work.wait_idle(10)


async def test_a_never_installed_workspace_is_told_how_to_install(
    h: Harness,
    slack: FakeSlack,
    clean_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clean_env.setenv("INTERVIEW_BOT_PUBLIC_URL", "https://bot.example.com/")
    caplog.set_level("INFO")
    async with (
        oauth_bot(h, slack, clean_env) as (_runtime, base),
        SlackDriver(base, slack, team="T0NEVER") as driver,
    ):
        for _ in range(3):
            assert (await driver.command("mock 1")).status == 200
    told = [r.get("text", "") for r in slack.responses]
    assert len(told) == 3
    assert all("https://bot.example.com/slack/install" in t for t in told), told
    assert all("isn't installed in this workspace" in t for t in told)
    assert all("admin" in t for t in told)
    logged = [r.getMessage() for r in caplog.records]
    assert not any("no longer available" in m for m in logged + told)
    assert len([m for m in logged if "T0NEVER" in m and "no installation" in m]) == 1
    assert not any("AuthorizeResult" in m for m in logged)
    assert slack.posts() == []


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
