"""Slack thread reply: signed request to HTTP 200 (the ack), for 200 users, as JSON.

The bot under test is the real thing: `interview-bot run --platform slack --mode http` as its
own process, on a fresh SQLite file, with its Web API pointed at the recording stand-in
(tests/adapters/slack/standin.py, also its own process). After a daily question is posted in
channel C1, --users people reply in its thread with Events API `message` events signed exactly
as Slack signs them. Latency is from sending the request to reading the whole HTTP 200.

Three modes, three different figures:

- `--mode users` (the default): the latency 200 people see. Each user posts a reply, thinks
  for an exponential time of mean --think seconds and posts the next, whether or not the
  last one was acked yet (Slack, not the person, waits for the ack): an open loop offering
  users/think replies per second. A person writes an interview answer in minutes, so the
  default of 10 s (20 replies/s from 200 users) is a pessimistic floor.
- `--mode sweep`: capacity. Replies arrive at each of --rates per second (Poisson, a fixed
  --sweep-count at each); the report gives the ack p99 per rate and the capacity, the highest
  rate whose p99 stays under 100 ms.
- `--mode closed`: saturation. --concurrency requests are kept in flight (each answered one
  replaced at once) until --requests were answered. With 200 always in flight the latency is
  queueing (Little's law: 200 / throughput), not what a user sees; it shows throughput.

The baseline, timed in the same run on the same machine, the same stand-in and the identical
load (the same seeded arrivals), is a minimal slack_bolt AsyncApp with the same signing secret,
served the same way (aiohttp, bolt's aiohttp adapter), whose message listener only acks. Every
phase starts after a warm-up (each user replies once) and with both apps idle. Afterwards the
bot's database must hold exactly one graded answer per reply sent (counted once the bot has
drained its work).

    python benchmarks/slack_latency.py                 # 200 users, think 10 s, 1,000 replies
    python benchmarks/slack_latency.py --mode sweep    # 25-400 replies/s, 500 at each
    python benchmarks/slack_latency.py --mode closed   # 200 in flight, 2,000 requests
    python benchmarks/slack_latency.py --quick         # 20 users, a smaller load (any mode)
    python benchmarks/slack_latency.py --bot-env INTERVIEW_BOT_MAX_CONCURRENT_EVENTS=8
    python benchmarks/slack_latency.py --oauth         # also a bot installed through OAuth
    python benchmarks/slack_latency.py --profile-bot bot.prof   # the bot under cProfile

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
import os
import re
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

import open_loop  # noqa: E402
from soak_watch import status_mib  # noqa: E402

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
TARGET_P99_MS = open_loop.TARGET_P99_MS
# Open-loop requests may all be in flight at once; none waits for a connection of the client.
OPEN_LOOP_CONNECTIONS = 1000
# A person writes an interview answer in minutes; 10 s between one person's replies is a
# pessimistic floor (a one-liner), so 200 users offer 20 replies/s, well above real use.
THINK_S = 10.0
USERS_REQUESTS = 1000
CLOSED_REQUESTS = 2000
SWEEP_RATES = [25.0, 50.0, 100.0, 200.0, 400.0]
SWEEP_COUNT = 500
FIGURES = {
    "users": "ack latency of --users people replying with --think seconds between replies",
    "sweep": "ack p99 at each offered rate; capacity = the highest rate with p99 < 100 ms",
    "closed": "saturation: --concurrency requests always in flight, latency = queueing",
}
MODE_SETTINGS = {
    "users": ("users", "think", "requests", "seed"),
    "sweep": ("users", "rates", "sweep_count", "seed"),
    "closed": ("users", "requests", "concurrency"),
}
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
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SLACK_VARS and not k.startswith("INTERVIEW_BOT_")
    }
    # The servers run in a temporary directory: the bot must load this tree, not whichever
    # checkout is installed, so the tree leads its path (any PYTHONPATH entries, made absolute,
    # follow).
    entries = [os.path.abspath(e) for e in env.get("PYTHONPATH", "").split(os.pathsep) if e]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(ROOT), *entries]))
    return env


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


def _bot_command(profile: Path | None = None) -> list[str]:
    if profile is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "adapters.cli"]
    script = Path(sys.executable).parent / "interview-bot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from adapters.cli import main; main()"]


async def start_bot(
    api_url: str,
    database_url: str,
    tmp: Path,
    extra_env: dict[str, str],
    auth_env: dict[str, str] | None = None,
    profile: Path | None = None,
) -> tuple[Child, str]:
    """The bot in single-token mode, or with `auth_env` (the OAuth client's settings);
    under cProfile, writing its statistics to `profile` when it stops, if given."""
    port = _free_port()
    env = (
        _clean_env()
        | extra_env
        | (auth_env if auth_env is not None else {"SLACK_BOT_TOKEN": BOT_TOKEN})
        | {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database_url,
        }
    )
    args = [*_bot_command(profile), "run", "--platform", "slack", "--mode", "http"]
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
    return (
        {"requests": requests}
        | open_loop.latency_summary(latencies, failures)
        | {"requests_per_s": round(requests / wall, 1)}
    )


async def run_phase(
    url: str, thread: str, answer: str, args: argparse.Namespace, team: str = TEAM
) -> dict[str, Any]:
    """Warm up (every user replies once), then load the app as --mode says."""
    closed = args.mode == "closed"
    connector = aiohttp.TCPConnector(limit=args.concurrency if closed else OPEN_LOOP_CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        slack = Slack(url, session, team)
        warm_up = min(args.users, args.concurrency)
        await load(slack, thread, answer, args.users, args.users, warm_up)
        if closed:
            return await load(slack, thread, answer, args.users, args.requests, args.concurrency)
        await wait_idle(url)  # the warm-up's work done: every phase starts on a quiet app

        async def scheduled(arrivals: list[open_loop.Arrival]) -> dict[str, Any]:
            bodies = [slack.reply_body(thread, answer, user_id(a.user)) for a in arrivals]
            figures = await open_loop.fire(_send_json(slack), bodies, arrivals)
            await wait_idle(url)
            return figures

        if args.mode == "users":
            return await scheduled(
                open_loop.users_thinking(args.users, args.think, args.requests, args.seed)
            )
        per_rate: dict[str, dict[str, Any]] = {}
        for n, rate in enumerate(args.rates):
            arrivals = open_loop.steady_rate(rate, args.users, args.sweep_count, args.seed + n)
            per_rate[f"{rate:g}"] = await scheduled(arrivals)
        p99s = {float(rate): figures["p99_ms"] for rate, figures in per_rate.items()}
        return {
            "per_rate": per_rate,
            "ok": sum(figures["ok"] for figures in per_rate.values()),
            "capacity_per_s": open_loop.capacity(p99s),
        }


def _send_json(slack: Slack) -> open_loop.Send:
    async def send(body: str) -> tuple[int, float]:
        return await slack.post(body, "application/json")

    return send


async def wait_idle(url: str) -> None:
    """Until the app has no work in flight (the baseline never has any)."""
    async with aiohttp.ClientSession() as session:

        async def idle() -> bool:
            async with session.get(f"{url}/healthz") as resp:
                return int((await resp.json())["in_flight"]) == 0

        await _poll(idle, DRAIN_TIMEOUT_S, "the app to go idle")


# Reads one row of the bot's database (None if there is none).
Row = Callable[[str], Awaitable[Any]]


def _query(db: Path, sql: str) -> Any:
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as conn:
        return conn.execute(sql).fetchone()


@contextlib.asynccontextmanager
async def bot_database(kind: str, tmp: Path) -> AsyncIterator[tuple[str, Row]]:
    """The bot's DATABASE_URL and a reader: a fresh SQLite file, or a PostgreSQL database of
    the run's own (benchmarks/soak.py's: created and migrated for the run, dropped after)."""
    if kind == "sqlite":
        db = tmp / "bot.db"

        async def sqlite_row(sql: str) -> Any:
            return _query(db, sql)

        yield f"sqlite:///{db}", sqlite_row
        return
    from soak import Database
    from sqlalchemy import text

    async with Database() as pg:

        async def postgres_row(sql: str) -> Any:
            async with pg.engine.connect() as conn:
                return (await conn.execute(text(sql))).first()

        yield pg.url, postgres_row


async def _poll(check: Callable[[], Awaitable[Any]], within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def daily_thread(url: str, row: Row, team: str = TEAM) -> tuple[str, str]:
    """Schedule and post today's daily question in C1; its thread and question id."""
    async with aiohttp.ClientSession() as session:
        slack = Slack(url, session, team)
        assert await slack.command("daily set time=09:00 tz=UTC days=daily", ADMIN) == 200

        async def scheduled() -> bool:
            return bool((await row("select count(*) from schedules"))[0])

        await _poll(scheduled, 30, "the schedule")
        assert await slack.command("daily now", ADMIN) == 200

    async def posted() -> tuple[str, str] | None:
        found = await row(
            "select thread_ref, question_id from daily_posts where status = 'posted' limit 1"
        )
        return (str(found[0]), str(found[1])) if found else None

    result: tuple[str, str] = await _poll(posted, 30, "the daily post")
    return result


async def drained(url: str, row: Row, expected: int) -> dict[str, Any]:
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
    rows, distinct = await row("select count(*), count(distinct event_ref) from answers")
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
    settle_sizes(args)
    report: dict[str, Any] = {"mode": args.mode, "figure": FIGURES[args.mode]} | {
        name: getattr(args, name) for name in MODE_SETTINGS[args.mode]
    }
    if args.mode == "users":
        report["offered_per_s"] = round(args.users / args.think, 1)
    report |= {
        "bot": f"interview-bot run --platform slack --mode http (subprocess, {args.database})",
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
                    baseline_url, "1700000000.000100", "an answer", args
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
        report["oauth_vs_token"] = ratios(report["oauth"], real, "")
    report |= ratios(real, base, "_to_baseline")
    report["target_p99_ms"] = TARGET_P99_MS
    if "per_rate" in real:
        report["capacity_per_s"] = {
            "bot": real["capacity_per_s"],
            "baseline": base["capacity_per_s"],
        }
    else:
        report["p99_under_target"] = real["p99_ms"] < TARGET_P99_MS
    print(json.dumps(report, indent=2))
    if not real["each_graded_once"] or (args.oauth and not report["oauth"]["each_graded_once"]):
        sys.exit(1)


def ratios(a: dict[str, Any], b: dict[str, Any], suffix: str) -> dict[str, Any]:
    """a's ack p50 and p99 over b's; for a sweep, the p99 ratio at each rate."""
    if "per_rate" in a:
        return {
            f"p99_ratio{suffix}_by_rate": {
                rate: round(fig["p99_ms"] / b["per_rate"][rate]["p99_ms"], 2)
                for rate, fig in a["per_rate"].items()
            }
        }
    return {
        f"p50_ratio{suffix}": round(a["p50_ms"] / b["p50_ms"], 2),
        f"p99_ratio{suffix}": round(a["p99_ms"] / b["p99_ms"], 2),
    }


async def measure_bot(
    api_url: str,
    tmp: Path,
    args: argparse.Namespace,
    auth_env: dict[str, str] | None = None,
    team: str = TEAM,
) -> dict[str, Any]:
    """Start the bot, post a daily question, load its thread, and wait for every answer."""
    async with bot_database(args.database, tmp) as (database_url, row):
        return await _measure_bot(api_url, tmp, args, database_url, row, auth_env, team)


async def _measure_bot(
    api_url: str,
    tmp: Path,
    args: argparse.Namespace,
    database_url: str,
    row: Row,
    auth_env: dict[str, str] | None,
    team: str,
) -> dict[str, Any]:
    profile = args.profile_bot.resolve() if args.profile_bot else None
    bot, bot_url = await start_bot(api_url, database_url, tmp, args.bot_env, auth_env, profile)
    try:
        if auth_env is not None:
            await install_over_oauth(bot_url)
        thread, question_id = await daily_thread(bot_url, row, team)
        answer = answer_covering(load_bank(None), question_id)
        started = time.perf_counter()
        adapter = await run_phase(bot_url, thread, answer, args, team)
        load_s = time.perf_counter() - started
        sent = args.users + adapter["ok"]  # warm-up replies are answers too
        graded = await drained(bot_url, row, sent)
        graded["bot_peak_rss_mib"] = status_mib(bot.proc.pid, "VmHWM")
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
    parser.add_argument(
        "--mode",
        choices=sorted(FIGURES),
        default="users",
        help="users: people with think time (default); sweep: capacity; closed: saturation",
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--requests",
        type=int,
        help=f"replies measured (closed {CLOSED_REQUESTS}, users {USERS_REQUESTS})",
    )
    parser.add_argument("--concurrency", type=int, default=200, help="closed: requests in flight")
    parser.add_argument(
        "--think",
        type=float,
        default=THINK_S,
        help=f"users: mean seconds between one person's replies (default {THINK_S:g})",
    )
    parser.add_argument(
        "--rates",
        type=_rates,
        default=SWEEP_RATES,
        help="sweep: offered rates, requests per second, comma-separated",
    )
    parser.add_argument(
        "--sweep-count", type=int, default=SWEEP_COUNT, help="sweep: requests at each rate"
    )
    parser.add_argument("--seed", type=int, default=1, help="the arrivals' random seed")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="the bot's: a fresh SQLite file, or a fresh PostgreSQL database "
        "(INTERVIEW_BOT_TEST_POSTGRES_URL's server, default postgresql://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--quick", action="store_true", help="20 users, a smaller load")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs here")
    parser.add_argument(
        "--profile-bot", type=Path, help="run the bot under cProfile, its statistics to this file"
    )
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


def _rates(text: str) -> list[float]:
    try:
        rates = sorted(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected rates like 25,50,100, not {text!r}") from None
    if not rates or rates[0] <= 0:
        raise argparse.ArgumentTypeError("rates must be positive")
    return rates


def settle_sizes(args: argparse.Namespace) -> None:
    """--quick's smaller sizes, and the mode's default request count."""
    if args.quick:
        args.users, args.concurrency = 20, 20
        args.requests = args.requests or 200
        args.think = min(args.think, 1.0)
        args.rates, args.sweep_count = args.rates[:3], min(args.sweep_count, 100)
    if args.requests is None:
        args.requests = CLOSED_REQUESTS if args.mode == "closed" else USERS_REQUESTS


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
