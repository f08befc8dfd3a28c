"""Slack's endpoint in a process of its own: acks never wait for the engine, nothing is lost.

The adapter serves on the test's engine, with the inbox reachable from another process (the
harness's SQLite file), so the real receiving process takes the requests: it keeps and acks
what it can, and passes the rest to the engine's app.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.request
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from adapters.runtime import SettingsError
from adapters.slack.receiver import RESTART_DELAY_S
from adapters.slack.runtime import start_slack
from bot.app.root import App
from tests.adapters.slack.conftest import Bot, app_on, inbox_on, serving, token_env
from tests.adapters.slack.driver import signed_headers
from tests.adapters.slack.standin import FakeSlack
from tests.adapters.slack.test_in_process import answer_for, count, last_in, start_round
from tests.adapters.slack.test_inbox import refused_while_the_inbox_is_away_then_taken_once
from tests.support.harness import Harness


def _pages(app: web.Application) -> None:
    """Pages beside Slack's endpoint, as the dashboard mounts its own."""

    async def sign_in(request: web.Request) -> web.Response:
        form = await request.post()
        response = web.HTTPSeeOther(location=f"/hello?name={form['name']}")
        response.set_cookie("session", "s1", httponly=True)
        response.set_cookie("theme", "dark")
        raise response

    async def hello(request: web.Request) -> web.Response:
        return web.Response(
            text=f"{request.query['name']} {request.cookies.get('session')} {request.host}",
            headers={"X-Page": "hello"},
        )

    app.router.add_post("/sign-in", sign_in)
    app.router.add_get("/hello", hello)


@pytest.fixture
async def bot(h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    token_env(clean_env, slack)
    assert h.database is not None
    app = apart(h, f"sqlite:///{h.database.url.database}")
    async with serving(h, slack, app, mount=_pages) as running:
        assert running.runtime.receiver is not None
        yield running


def post_signed(url: str, body: str, delay_s: float) -> tuple[int, float]:
    """From another thread, as Slack would: wait, send, and time the ack."""
    time.sleep(delay_s)
    headers = signed_headers(body, "application/json")
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, time.perf_counter() - started


async def test_answers_are_kept_acked_there_and_graded_here_once(bot: Bot) -> None:
    thread = await start_round(bot, "mock 2")
    sent = await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    assert sent.status == 200
    await bot.settle()
    assert bot.runtime.acked_by_receiver == 2  # the command and the reply
    assert bot.kept == 2
    assert await count(bot, "select count(*) from answers") == 1
    assert await count(bot, "select count(*) from inbox") == 0
    scores = [c for c in bot.slack.in_thread(thread) if c.header.startswith("Score:")]
    assert len(scores) == 1


async def test_an_answer_is_acked_while_the_engine_is_busy_and_graded_after(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    body = bot.driver.event_body(
        bot.driver.reply_event(thread, answer_for(bot, last_in(bot, thread)))
    )
    sending = asyncio.get_running_loop().run_in_executor(
        None, post_signed, bot.driver.url, body, 0.1
    )
    time.sleep(1.5)  # noqa: ASYNC251 - the engine's loop is busy, with no await in it
    status, elapsed_s = await sending
    assert status == 200
    assert elapsed_s < 0.5
    await bot.settle()
    assert await count(bot, "select count(*) from answers") == 1


async def test_a_request_that_cannot_be_kept_is_refused_so_slack_sends_it_again(
    bot: Bot,
) -> None:
    await refused_while_the_inbox_is_away_then_taken_once(bot, "Ev0APART")


async def test_an_uninstalled_workspace_goes_through_bolt_again(bot: Bot) -> None:
    thread = await start_round(bot, "mock 1")
    acked_there = bot.runtime.acked_by_receiver
    assert (await bot.driver.event({"type": "app_uninstalled"})).status == 200
    await bot.settle()  # the receiver has heard of it: it answers after what was sent before
    sent = await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    assert sent.status == 200
    await bot.settle()
    assert bot.runtime.acked_by_receiver == acked_there  # bolt decided, and kept it
    assert await count(bot, "select count(*) from answers") == 1


async def test_what_needs_bolt_is_passed_to_the_engine_and_answered_from_there(
    bot: Bot,
) -> None:
    verification = await bot.driver.send(
        '{"type": "url_verification", "challenge": "c-123"}', "application/json"
    )
    assert verification.status == 200
    assert "c-123" in verification.body
    forged = await bot.driver.send(
        bot.driver.event_body(bot.driver.reply_event("1.1", "hi")),
        "application/json",
        secret="not-the-signing-secret",
    )
    assert forged.status == 401
    assert bot.runtime.acked_by_receiver == 0


async def test_health_metrics_and_pages_are_the_engines_passed_on_as_they_came(
    bot: Bot,
) -> None:
    base = bot.driver.url.removesuffix("/slack/events")
    # A browser's cookie jar (aiohttp's refuses cookies from an IP address unless told).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{base}/healthz") as health:
            assert health.status == 200
            assert (await health.json())["ok"] is True
        async with session.get(f"{base}/metrics") as metrics:
            assert metrics.status == 200
            assert "text/plain" in metrics.headers["Content-Type"]
        async with session.post(
            f"{base}/sign-in", data={"name": "Ada"}, allow_redirects=False
        ) as signed_in:
            assert signed_in.status == 303
            assert signed_in.headers["Location"] == "/hello?name=Ada"
            assert len(signed_in.headers.getall("Set-Cookie")) == 2
        async with session.get(f"{base}/hello?name=Ada") as page:
            assert page.status == 200
            assert page.headers["X-Page"] == "hello"
            # The cookie came from the browser's side; the host is the one it asked for.
            assert await page.text() == f"Ada s1 {base.removeprefix('http://')}"
        async with session.get(f"{base}/nowhere") as missing:
            assert missing.status == 404


async def test_a_killed_receiver_is_started_again_on_the_same_port(bot: Bot) -> None:
    receiver = bot.runtime.receiver
    assert receiver is not None
    pid = receiver.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    for _ in range(int((RESTART_DELAY_S + 30) / 0.05)):
        if receiver.pid not in (pid, None):
            break
        await asyncio.sleep(0.05)
    assert receiver.restarts == 1
    thread = await start_round(bot, "mock 1")
    sent = await bot.driver.reply(thread, answer_for(bot, last_in(bot, thread)))
    assert sent.status == 200
    await bot.settle()
    assert await count(bot, "select count(*) from answers") == 1


def apart(h: Harness, inbox_address: str) -> App:
    """An app whose inbox another process can reach at inbox_address: it receives apart."""
    return app_on(h, inbox=inbox_on(h), inbox_address=inbox_address)


async def test_a_port_that_is_taken_stops_start_up_with_one_line(bot: Bot) -> None:
    assert bot.h.database is not None
    second = apart(bot.h, f"sqlite:///{bot.h.database.url.database}")
    port = bot.runtime.port
    with pytest.raises(SettingsError, match=rf"^--port {port}: cannot listen on 127\.0\.0\.1"):
        await start_slack(second, mode="http", host="127.0.0.1", port=port)


async def test_a_receiver_that_cannot_open_the_inbox_stops_start_up(
    h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> None:
    token_env(clean_env, slack)
    with pytest.raises(SettingsError, match="Slack receiver could not start: the inbox could not"):
        await start_slack(apart(h, "sqlite://"), mode="http", host="127.0.0.1", port=0)
