"""Soak: the Slack bot under steady mixed traffic for minutes, on PostgreSQL, as JSON.

The bot under test is `interview-bot run --platform slack --mode http` as its own process, on a
fresh PostgreSQL database (created for the run, dropped after), with its Web API pointed at the
recording stand-in (its own process too). Traffic, all signed as Slack signs it and on
127.0.0.1: thread answers to a daily question from a pool of users, slash commands (help,
topics, leaderboard), and a few people running one-question mock rounds back to back (command,
answer in the round's thread, end). The rate is bounded (--rate requests per second, spread
evenly) and the run is bounded (--minutes).

The load begins once the bot is ready and its grader warm-up has finished (its log line), as
a bot in service would be; the wait is reported. Reported: the bot's resident memory at the
start of the load, at the end of its first minute
(caches and pools warm by then) and at its end, with growth from both and the steady slope
after warm-up; per minute, RSS, the bot's CPU use and its peak work in flight (soak_watch.py);
errors (non-200 answers, failed requests); ack latency p50/p99 for every minute; how many of
each kind were sent; and, once the bot has drained (drain_s: how long after the load), whether
every answer is a graded row and the inbox is empty. The ack-only bolt baseline of
benchmarks/slack_latency.py is measured first under the same rate for one minute, for the
same-run ratio.

    python benchmarks/soak.py                       # 10 minutes at 40 requests/s
    python benchmarks/soak.py --minutes 3 --rate 30
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

from slack_latency import (  # noqa: E402
    ADMIN,
    BOT_TOKEN,
    SIGNING_SECRET,
    Child,
    Slack,
    _assignment,
    _bot_command,
    _clean_env,
    _free_port,
    _spawn,
    _wait_healthy,
    copy_logs,
    start_baseline,
    start_standin,
    user_id,
)
from soak_watch import Watch  # noqa: E402
from sqlalchemy import text  # noqa: E402

from questions.loader import load_bank  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.support.harness import answer_covering  # noqa: E402

POSTGRES_URL = os.environ.get(
    "INTERVIEW_BOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
COMMANDS = ("help", "topics", "leaderboard")
MOCK_PEOPLE = 4
DRAIN_TIMEOUT_S = 120.0


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)], 2)


class Database:
    """A PostgreSQL database of the run's own, migrated; dropped at the end."""

    def __init__(self) -> None:
        from sqlalchemy.engine import make_url

        self.name = f"soak_{uuid.uuid4().hex[:10]}"
        self.url = make_url(POSTGRES_URL).set(database=self.name).render_as_string(False)
        self._admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        self.engine = create_engine(self.url)

    async def __aenter__(self) -> Database:
        async with self._admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        await upgrade(self.engine)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.engine.dispose()
        async with self._admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        await self._admin.dispose()

    async def value(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()


class Load:
    """Sends requests and keeps every ack's latency by the minute it started in."""

    def __init__(self, slack: Slack, started: float) -> None:
        self.slack = slack
        self.started = started
        self.by_minute: dict[int, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self._ts = itertools.count(1)

    async def _timed(self, kind: str, send: Callable[[], Awaitable[tuple[int, float]]]) -> None:
        minute = int((time.monotonic() - self.started) // 60)
        self.sent[kind] = self.sent.get(kind, 0) + 1
        try:
            status, elapsed = await send()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
            return
        if status != 200:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1
            return
        self.by_minute.setdefault(minute, []).append(elapsed * 1000)

    async def answer(self, thread: str, text_: str, user: str, kind: str = "answer") -> None:
        body = self.slack.reply_body(thread, text_, user)
        await self._timed(kind, lambda: self.slack.post(body, "application/json"))

    async def command(self, text_: str, user: str, kind: str = "command") -> None:
        from urllib.parse import urlencode

        form = {
            "team_id": self.slack.team,
            "channel_id": "C1",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/interview",
            "text": text_,
            "api_app_id": "A0APP",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": f"trig.soak.{next(self._ts)}",
        }
        body = urlencode(form)
        await self._timed(kind, lambda: self.slack.post(body, "application/x-www-form-urlencoded"))


async def mock_person(load: Load, db: Database, person: str, answer: str, until: float) -> int:
    """One-question rounds back to back: start, answer in the round's thread, end."""
    rounds = 0
    sql = (
        "select r.thread_ref from rounds r join users u on u.id = r.user_id "
        "where u.external_id = :user and r.status = 'active' and r.thread_ref is not null "
        "order by r.id desc limit 1"
    )
    while time.monotonic() < until:
        await load.command("mock 1", person, kind="mock")
        thread = None
        for _ in range(50):
            thread = await db.value(sql, user=person)
            if thread:
                break
            await asyncio.sleep(0.1)
        if thread:
            await asyncio.sleep(0.5)
            await load.answer(str(thread), answer, person, kind="mock")
            await asyncio.sleep(1.0)
            rounds += 1
        await load.command("end", person, kind="mock")
        await asyncio.sleep(1.0)
    return rounds


async def steady(
    load: Load, thread: str, answer: str, users: int, rate: float, until: float
) -> None:
    """Answers (80 %) and commands (20 %) at `rate` per second, each in its own task."""
    tasks: set[asyncio.Task[None]] = set()
    interval = 1.0 / rate
    next_at = time.monotonic()
    while next_at < until:
        who = user_id(random.randrange(users))
        if random.random() < 0.8:
            work = load.answer(thread, answer, who)
        else:
            work = load.command(random.choice(COMMANDS), who)
        task = asyncio.create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if tasks:
        await asyncio.gather(*tasks)


async def daily_thread(url: str, db: Database) -> tuple[str, str]:
    async with aiohttp.ClientSession() as session:
        slack = Slack(url, session)
        assert await slack.command("daily set time=09:00 tz=UTC days=daily", ADMIN) == 200
        for _ in range(300):
            if await db.value("select count(*) from schedules"):
                break
            await asyncio.sleep(0.1)
        assert await slack.command("daily now", ADMIN) == 200
    for _ in range(300):
        async with db.engine.connect() as conn:
            row = (
                await conn.execute(
                    text("select thread_ref, question_id from daily_posts where status = 'posted'")
                )
            ).first()
        if row:
            return str(row[0]), str(row[1])
        await asyncio.sleep(0.1)
    raise RuntimeError("the daily question was never posted")


async def start_bot(
    api_url: str, db: Database, tmp: Path, extra_env: dict[str, str]
) -> tuple[Child, str]:
    port = _free_port()
    env = (
        _clean_env()
        | {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": db.url,
            # Rounds back to back from a few people: the per-person limits would refuse them.
            "INTERVIEW_BOT_LIMIT_ROUNDS_PER_USER": "0",
            "INTERVIEW_BOT_LIMIT_ROUNDS_PER_CHANNEL": "0",
            "INTERVIEW_BOT_LOG_LEVEL": "INFO",
        }
        | extra_env
    )
    args = [*_bot_command(), "run", "--platform", "slack", "--mode", "http"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    child = await _spawn(args, tmp / "bot.log", env, tmp)
    url = f"http://127.0.0.1:{port}"
    await _wait_healthy(child, url)
    return child, url


async def baseline_p99(api_url: str, tmp: Path, rate: float, users: int) -> dict[str, Any]:
    """The ack-only bolt app under the same rate for one minute (answers only)."""
    child, url = await start_baseline(api_url, tmp)
    try:
        async with aiohttp.ClientSession() as session:
            load = Load(Slack(url, session), time.monotonic())
            await steady(load, "1700000000.000100", "an answer", users, rate, time.monotonic() + 60)
    finally:
        await child.stop()
    acks = [v for values in load.by_minute.values() for v in values]
    return {"p50_ms": round(statistics.median(acks), 2), "p99_ms": p99(acks), "acks": len(acks)}


async def main(args: argparse.Namespace) -> None:
    report: dict[str, Any] = {
        "minutes": args.minutes,
        "rate_per_s": args.rate,
        "users": args.users,
        "mock_people": MOCK_PEOPLE,
        "database": "postgresql (a database of its own)",
        "cpus": os.cpu_count(),
    }
    bank = load_bank(None)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        standin, base_url = await start_standin(args.users + MOCK_PEOPLE, tmp)
        api_url = f"{base_url}/api/"
        try:
            if not args.no_baseline:
                report["baseline_bolt_ack_only"] = await baseline_p99(
                    api_url, tmp, args.rate, args.users
                )
            async with Database() as db:
                report |= await soak(api_url, db, tmp, bank, args)
        finally:
            await standin.stop()
            if args.keep_logs:
                copy_logs(tmp, args.keep_logs)
    if "baseline_bolt_ack_only" in report:
        report["p99_ratio_to_baseline"] = round(
            report["ack_p99_ms_overall"] / report["baseline_bolt_ack_only"]["p99_ms"], 2
        )
    print(json.dumps(report, indent=2))
    if report["errors"] or not report["each_answer_graded"] or report["inbox_left"]:
        sys.exit(1)


async def grader_warmed(log: Path, timeout_s: float = 60.0) -> float | None:
    """Seconds waited for the bot's grader warm-up (its log line), so the load meets a bot that
    is ready and warm, as it would in service; None if the line never came."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if "grader warm:" in await asyncio.to_thread(log.read_text, errors="replace"):
            return round(time.monotonic() - started, 2)
        await asyncio.sleep(0.2)
    return None


async def soak(
    api_url: str, db: Database, tmp: Path, bank: Any, args: argparse.Namespace
) -> dict[str, Any]:
    bot, url = await start_bot(api_url, db, tmp, args.bot_env)
    try:
        thread, question_id = await daily_thread(url, db)
        answer = answer_covering(bank, question_id)
        warm_wait_s = await grader_warmed(bot.log)
        mock_answer = "I would compare against a baseline on held-out data and check assumptions."
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as session:
            started = time.monotonic()
            until = started + args.minutes * 60
            load = Load(Slack(url, session), started)
            watch = Watch(bot.proc.pid, url, started)
            people = [
                mock_person(load, db, user_id(args.users + n), mock_answer, until)
                for n in range(MOCK_PEOPLE)
            ]
            results = await asyncio.gather(
                steady(load, thread, answer, args.users, args.rate, until),
                watch.run(until),
                *people,
            )
        at_end = watch.samples[-1].backlog if watch.samples else None
        drained = await wait_drained(db, load.sent.get("answer", 0))
    finally:
        await bot.stop(interrupt=True)
    minutes = [
        {
            "minute": m + 1,
            "acks": len(v),
            "p50_ms": round(statistics.median(v), 2),
            "p99_ms": p99(v),
        }
        for m, v in sorted(load.by_minute.items())
    ]
    every = [v for values in load.by_minute.values() for v in values]
    return {
        "load_began_after_grader_warm_s": warm_wait_s,
        "sent": load.sent,
        "mock_rounds_answered": sum(r for r in results[2:] if isinstance(r, int)),
        "errors": load.errors,
        "ack_p50_ms_overall": round(statistics.median(every), 2),
        "ack_p99_ms_overall": p99(every),
        "per_minute": minutes,
        "bot_per_minute": watch.per_minute(),
        **watch.memory(),
        "in_flight_at_end_of_load": at_end,
        "bot_exit_code": bot.proc.returncode,
    } | drained


async def wait_drained(db: Database, answers: int) -> dict[str, Any]:
    """Every daily answer sent is a graded row (once) and the inbox is empty; how long after
    the load each took, and what the inbox still held when the load stopped."""
    started = time.monotonic()
    sql_rows = "select count(*) from answers where daily_post_id is not null"
    sql_events = "select count(distinct event_ref) from answers where daily_post_id is not null"
    async with db.engine.connect() as conn:
        left = (await conn.execute(text("select kind, count(*) from inbox group by kind"))).all()
    rows = distinct = inbox = -1
    graded_s: float | None = None
    while time.monotonic() - started < DRAIN_TIMEOUT_S:
        rows = int(await db.value(sql_rows))
        distinct = int(await db.value(sql_events))
        inbox = int(await db.value("select count(*) from inbox"))
        if rows >= answers and graded_s is None:
            graded_s = round(time.monotonic() - started, 1)
        if rows >= answers and inbox == 0:
            break
        await asyncio.sleep(0.5)
    return {
        "answers_sent": answers,
        "answer_rows": rows,
        "each_answer_graded": rows == distinct == answers,
        "inbox_left": inbox,
        "inbox_at_end_of_load": {str(kind): int(count) for kind, count in left},
        "answers_graded_after_load_s": graded_s,
        "drain_s": round(time.monotonic() - started, 1),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--no-baseline", action="store_true", help="skip the ack-only baseline")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs here")
    parser.add_argument(
        "--bot-env",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the bot's process, e.g. INTERVIEW_BOT_INBOX_LEASE_SECONDS=120",
    )
    args = parser.parse_args()
    args.bot_env = dict(args.bot_env)
    if args.minutes <= 0 or args.rate <= 0 or args.users < 1:
        parser.error("--minutes and --rate must be positive, --users at least 1")
    return args


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
