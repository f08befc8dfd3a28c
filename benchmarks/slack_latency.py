"""Slack thread reply: signed request to HTTP 200, under 200 concurrent users, as JSON.

The bot under test is the real thing: `interview-bot run --platform slack --mode http` as its
own process, on a fresh SQLite file, with its Web API pointed at the recording stand-in
(tests/adapters/slack/standin.py, also its own process). After a daily question is posted in
channel C1, --users people reply in its thread with Events API `message` events signed exactly
as Slack signs them, keeping --concurrency requests in flight until --requests were answered.
Latency is from sending the request to reading the whole HTTP 200.

The baseline, timed in the same run on the same machine, the same stand-in and the same load,
is a minimal slack_bolt AsyncApp with the same signing secret, served the same way (aiohttp,
bolt's aiohttp adapter), whose message listener only acks. Afterwards the bot's database must
hold exactly one graded answer per reply sent (counted once the bot has drained its work).

    python benchmarks/slack_latency.py                 # 200 users, 2,000 requests
    python benchmarks/slack_latency.py --quick         # 20 users, 200 requests
    python benchmarks/slack_latency.py --bot-env INTERVIEW_BOT_MAX_CONCURRENT_EVENTS=8
    python benchmarks/slack_latency.py --oauth         # also a bot installed through OAuth

With --oauth, the same load runs on a bot installed into a workspace through the OAuth flow
(its own stand-in, so its Web API calls are counted apart), and the report gives Web API
calls per answer for both bots (authorisation checks among them) and the OAuth bot's ack
p50/p99 against the single-token bot's.

The bot's backlog (replies acked but not yet graded) is reported as its peak queue length
and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import math
import os
import re
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from questions.loader import load_bank  # noqa: E402
from tests.adapters.slack.driver import SIGNING_SECRET, signed_headers  # noqa: E402
from tests.adapters.slack.oauth_flow import (  # noqa: E402
    INSTALLED_TEAM,
    OAUTH_ENV,
    install_over_oauth,
)
from tests.adapters.slack.standin import BOT_TOKEN, TEAM, FakeSlack  # noqa: E402
from tests.support.harness import answer_covering  # noqa: E402

CHANNEL = "C1"
ADMIN = "UADMIN"
TARGET_P99_MS = 100.0
LOG_RECORD = re.compile(r" (WARNING|ERROR|CRITICAL) (.*)$")
START_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 300.0
SLACK_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_ADMIN_USER_IDS",
    "DATABASE_URL",
)


def user_id(n: int) -> str:
    return f"UB{n:05d}"


# --- child processes: the stand-in and the baseline bolt app -----------------------------


async def _until_stdin_closes() -> None:
    """A child serves until its parent closes our stdin (or dies)."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


async def serve_standin(users: int) -> None:
    slack = FakeSlack()
    slack.add_user(ADMIN, "Ada", is_admin=True)
    for n in range(users):
        slack.add_user(user_id(n), f"Bench {n}")
    await slack.start()
    print(slack.base_url, flush=True)
    try:
        await _until_stdin_closes()
    finally:
        counts: dict[str, int] = {}
        for call in slack.calls:
            counts[call.method] = counts.get(call.method, 0) + 1
        print(json.dumps(counts), flush=True)
        await slack.stop()


async def serve_baseline(port: int, api_url: str) -> None:
    """A bolt app that only acks, served like adapters/slack/runtime.py serves the real one."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=False,
    )

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    bolt.event("message")(only_ack)

    async def events(request: web.Request) -> web.Response:
        response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "in_flight": 0})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await _until_stdin_closes()
    finally:
        await runner.cleanup()


# --- the parent: processes, load, figures -----------------------------------------------


@dataclass
class Child:
    proc: asyncio.subprocess.Process
    log: Path

    async def stop(self, interrupt: bool = False) -> str:
        """Stop it and return what it printed after being told to stop (stdout, if piped)."""
        tail = ""
        if self.proc.returncode is None:
            if interrupt:
                self.proc.send_signal(signal.SIGINT)
            elif self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                if self.proc.stdout is not None:
                    tail = (await asyncio.wait_for(self.proc.stdout.read(), 20)).decode()
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return tail


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in SLACK_VARS and not k.startswith("INTERVIEW_BOT_")
    }


async def _spawn(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> Child:
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    return Child(proc, log)


async def start_standin(users: int, tmp: Path) -> tuple[Child, str]:
    script = str(SCRIPT)
    env = _clean_env() | {"PYTHONPATH": str(ROOT)}
    child = await _spawn(
        [sys.executable, script, "--serve", "standin", "--users", str(users)],
        tmp / "standin.log",
        env,
        tmp,
    )
    assert child.proc.stdout is not None
    line = await asyncio.wait_for(child.proc.stdout.readline(), START_TIMEOUT_S)
    if not line:
        raise RuntimeError(f"stand-in did not start:\n{child.log.read_text()}")
    return child, line.decode().strip()


async def _wait_healthy(child: Child, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    async with aiohttp.ClientSession() as session:
        while True:
            if child.proc.returncode is not None:
                raise RuntimeError(f"server exited at start:\n{child.log.read_text()}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{child.log.read_text()}")
            await asyncio.sleep(0.1)


def _bot_command() -> list[str]:
    script = Path(sys.executable).parent / "interview-bot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from adapters.cli import main; main()"]


async def start_bot(
    api_url: str,
    db: Path,
    tmp: Path,
    extra_env: dict[str, str],
    auth_env: dict[str, str] | None = None,
) -> tuple[Child, str]:
    """The bot in single-token mode, or with `auth_env` (the OAuth client's settings)."""
    port = _free_port()
    env = (
        _clean_env()
        | extra_env
        | (auth_env if auth_env is not None else {"SLACK_BOT_TOKEN": BOT_TOKEN})
        | {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{db}",
        }
    )
    args = [*_bot_command(), "run", "--platform", "slack", "--mode", "http"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    child = await _spawn(args, tmp / "bot.log", env, tmp)
    url = f"http://127.0.0.1:{port}"
    await _wait_healthy(child, url)
    return child, url


async def start_baseline(api_url: str, tmp: Path) -> tuple[Child, str]:
    port = _free_port()
    script = str(SCRIPT)
    args = [sys.executable, script, "--serve", "baseline", "--port", str(port)]
    args += ["--api-url", api_url]
    env = _clean_env() | {"PYTHONPATH": str(ROOT)}
    child = await _spawn(args, tmp / "baseline.log", env, tmp)
    url = f"http://127.0.0.1:{port}"
    await _wait_healthy(child, url)
    return child, url


class Slack:
    """Plays Slack towards one app: signed slash commands and thread-reply events."""

    def __init__(self, url: str, session: aiohttp.ClientSession, team: str = TEAM) -> None:
        self.url = f"{url}/slack/events"
        self.session = session
        self.team = team
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    async def post(self, body: str, content_type: str) -> tuple[int, float]:
        headers = signed_headers(body, content_type)
        started = time.perf_counter()
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            return resp.status, time.perf_counter() - started

    async def command(self, text: str, user: str) -> int:
        form = {
            "team_id": self.team,
            "channel_id": CHANNEL,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/interview",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": f"trig.{next(self._ids)}",
        }
        status, _ = await self.post(urlencode(form), "application/x-www-form-urlencoded")
        return status

    def reply_body(self, thread: str, text: str, user: str) -> str:
        n = next(self._ts)
        event = {
            "type": "message",
            "channel": CHANNEL,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": f"{1_800_000_000 + n}.{n % 1_000_000:06d}",
            "thread_ts": thread,
        }
        return json.dumps(
            {
                "token": "deprecated-verification-token",
                "team_id": self.team,
                "api_app_id": "A0APP",
                "event": event,
                "type": "event_callback",
                "event_id": f"EvBench{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
            }
        )


def _percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of all samples at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


async def load(
    slack: Slack, thread: str, answer: str, users: int, requests: int, concurrency: int
) -> dict[str, Any]:
    """`requests` replies from `users` people, `concurrency` in flight at every moment."""
    bodies = [slack.reply_body(thread, answer, user_id(n % users)) for n in range(requests)]
    queue = iter(bodies)
    latencies: list[float] = []
    failures: dict[str, int] = {}

    async def worker() -> None:
        for body in queue:
            try:
                status, elapsed = await slack.post(body, "application/json")
            except (aiohttp.ClientError, TimeoutError) as exc:
                key = type(exc).__name__
                failures[key] = failures.get(key, 0) + 1
                continue
            if status != 200:
                failures[str(status)] = failures.get(str(status), 0) + 1
                continue
            latencies.append(elapsed * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    if not ordered:
        raise RuntimeError(f"no request got a 200: {failures}")
    return {
        "requests": requests,
        "ok": len(ordered),
        "failed": failures,
        "p50_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(_percentile(ordered, 0.90), 2),
        "p99_ms": round(_percentile(ordered, 0.99), 2),
        "max_ms": round(ordered[-1], 2),
        "requests_per_s": round(requests / wall, 1),
    }


async def run_phase(
    url: str,
    thread: str,
    answer: str,
    users: int,
    requests: int,
    concurrency: int,
    team: str = TEAM,
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        slack = Slack(url, session, team)
        await load(slack, thread, answer, users, users, min(users, concurrency))  # warm up
        return await load(slack, thread, answer, users, requests, concurrency)


def _query(db: Path, sql: str) -> Any:
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        return conn.execute(sql).fetchone()


async def _poll(check: Callable[[], Awaitable[Any]], within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def daily_thread(url: str, db: Path, team: str = TEAM) -> tuple[str, str]:
    """Schedule and post today's daily question in C1; its thread and question id."""
    async with aiohttp.ClientSession() as session:
        slack = Slack(url, session, team)
        assert await slack.command("daily set time=09:00 tz=UTC days=daily", ADMIN) == 200

        async def scheduled() -> bool:
            return bool(_query(db, "select count(*) from schedules")[0])

        await _poll(scheduled, 30, "the schedule")
        assert await slack.command("daily now", ADMIN) == 200

    async def posted() -> tuple[str, str] | None:
        row = _query(
            db, "select thread_ref, question_id from daily_posts where status = 'posted' limit 1"
        )
        return (str(row[0]), str(row[1])) if row else None

    result: tuple[str, str] = await _poll(posted, 30, "the daily post")
    return result


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident set (Linux), or None where /proc does not say."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


async def drained(url: str, db: Path, expected: int) -> dict[str, Any]:
    """Wait until the bot has no work in flight and every reply is an answer row."""
    started = time.perf_counter()
    health: dict[str, Any] = {}
    async with aiohttp.ClientSession() as session:

        async def idle() -> bool:
            async with session.get(f"{url}/healthz") as resp:
                health.update(await resp.json())
            return int(health["in_flight"]) == 0

        with contextlib.suppress(RuntimeError):
            await _poll(idle, DRAIN_TIMEOUT_S, "the bot to drain")
    rows, distinct = _query(db, "select count(*), count(distinct event_ref) from answers")
    return {
        "peak_backlog": health.get("peak_queued"),
        "answers_expected": expected,
        "answer_rows": int(rows),
        "distinct_events_graded": int(distinct),
        "each_graded_once": int(rows) == expected == int(distinct),
        "drain_after_load_s": round(time.perf_counter() - started, 2),
    }


def log_summary(log: Path) -> dict[str, Any]:
    """How many WARNING and ERROR records the bot logged, and their distinct messages."""
    found = [
        m.group(1) + " " + m.group(2)[:140]
        for m in (LOG_RECORD.search(line) for line in log.read_text(errors="replace").splitlines())
        if m is not None
    ]
    kinds = collections.Counter(found)
    return {"bot_log_warnings_and_errors": len(found), "bot_log_kinds": dict(kinds.most_common(5))}


def copy_logs(source: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for log in source.glob("*.log"):
        (dest / log.name).write_bytes(log.read_bytes())


async def main(args: argparse.Namespace) -> None:
    if args.quick:
        args.users, args.requests, args.concurrency = 20, 200, 20
    report: dict[str, Any] = {
        "users": args.users,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "bot": "interview-bot run --platform slack --mode http (subprocess, SQLite file)",
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        standin, base_url = await start_standin(args.users, tmp)
        api_url = f"{base_url}/api/"
        try:
            baseline, baseline_url = await start_baseline(api_url, tmp)
            try:
                # The baseline ignores the thread; any ts will do.
                report["baseline_bolt_ack_only"] = await run_phase(
                    baseline_url,
                    "1700000000.000100",
                    "an answer",
                    args.users,
                    args.requests,
                    args.concurrency,
                )
            finally:
                await baseline.stop()

            report["adapter"] = await measure_bot(api_url, tmp, args)
            if args.oauth:
                report["oauth"] = await measure_oauth_bot(tmp / "oauth", args)
            if args.keep_logs:
                copy_logs(tmp, args.keep_logs)
        finally:
            lines = (await standin.stop()).strip().splitlines()
            if lines:
                report["standin_calls"] = json.loads(lines[-1])
    base, real = report["baseline_bolt_ack_only"], report["adapter"]
    report["adapter"]["web_api_calls_per_answer"] = calls_per_answer(
        report.get("standin_calls", {}), real["answer_rows"]
    )
    if args.oauth:
        report["oauth_vs_token"] = {
            "p50_ratio": round(report["oauth"]["p50_ms"] / real["p50_ms"], 2),
            "p99_ratio": round(report["oauth"]["p99_ms"] / real["p99_ms"], 2),
        }
    report["p50_ratio_to_baseline"] = round(real["p50_ms"] / base["p50_ms"], 2)
    report["p99_ratio_to_baseline"] = round(real["p99_ms"] / base["p99_ms"], 2)
    report["target_p99_ms"] = TARGET_P99_MS
    report["p99_under_target"] = real["p99_ms"] < TARGET_P99_MS
    print(json.dumps(report, indent=2))
    if not real["each_graded_once"] or (args.oauth and not report["oauth"]["each_graded_once"]):
        sys.exit(1)


async def measure_bot(
    api_url: str,
    tmp: Path,
    args: argparse.Namespace,
    auth_env: dict[str, str] | None = None,
    team: str = TEAM,
) -> dict[str, Any]:
    """Start the bot, post a daily question, load its thread, and wait for every answer."""
    db = tmp / "bot.db"
    bot, bot_url = await start_bot(api_url, db, tmp, args.bot_env, auth_env)
    try:
        if auth_env is not None:
            await install_over_oauth(bot_url)
        thread, question_id = await daily_thread(bot_url, db, team)
        answer = answer_covering(load_bank(None), question_id)
        started = time.perf_counter()
        adapter = await run_phase(
            bot_url, thread, answer, args.users, args.requests, args.concurrency, team
        )
        load_s = time.perf_counter() - started
        sent = args.users + adapter["ok"]  # warm-up replies are answers too
        graded = await drained(bot_url, db, sent)
        graded["bot_peak_rss_mib"] = peak_rss_mib(bot.proc.pid)
        graded["answers_per_s_end_to_end"] = round(
            graded["answer_rows"] / (load_s + graded["drain_after_load_s"]), 1
        )
    finally:
        await bot.stop(interrupt=True)
    return adapter | graded | log_summary(tmp / "bot.log")


async def measure_oauth_bot(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The same load on a bot installed through the OAuth flow, with a stand-in of its own
    so its Web API calls are counted apart."""
    tmp.mkdir()  # noqa: ASYNC240 - a local directory, before any load
    standin, base_url = await start_standin(args.users, tmp)
    try:
        report = await measure_bot(f"{base_url}/api/", tmp, args, OAUTH_ENV, INSTALLED_TEAM)
    finally:
        lines = (await standin.stop()).strip().splitlines()
    calls = json.loads(lines[-1]) if lines else {}
    report["standin_calls"] = calls
    report["web_api_calls_per_answer"] = calls_per_answer(calls, report["answer_rows"])
    return report


def calls_per_answer(calls: dict[str, int], answers: int) -> dict[str, float]:
    """Web API calls per graded answer: all of them, and the authorisation checks alone.
    (The single-token bot shares its stand-in with the ack-only baseline, whose few start-up
    calls count there too.)"""
    if not answers:
        return {}
    return {
        "all": round(sum(calls.values()) / answers, 3),
        "auth.test": round(calls.get("auth.test", 0) / answers, 4),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight")
    parser.add_argument("--quick", action="store_true", help="20 users, 200 requests")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs here")
    parser.add_argument(
        "--oauth",
        action="store_true",
        help="also load a bot installed through the OAuth flow, and compare",
    )
    parser.add_argument(
        "--bot-env",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the bot's process, e.g. INTERVIEW_BOT_MAX_CONCURRENT_EVENTS=8",
    )
    parser.add_argument("--serve", choices=["standin", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.bot_env = dict(args.bot_env)
    return args


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return name, value


async def _serve(args: argparse.Namespace) -> None:
    if args.serve == "standin":
        await serve_standin(args.users)
    else:
        await serve_baseline(args.port, args.api_url)


if __name__ == "__main__":
    parsed = parse_args()
    work: Coroutine[Any, Any, None] = _serve(parsed) if parsed.serve else main(parsed)
    asyncio.run(work)
