"""The daily fan-out: --channels schedules due in the same minute, posted through Slack, as JSON.

A stand-in of the Slack Web API (tests/adapters/slack/standin.py's FakeSlack, run as its own
process) enforces 1 chat.postMessage per second per channel and --workspace-limit messages per
second for the workspace (a sliding one-second window), answering 429 with Retry-After: 1 past
either. The schedules are bulk-inserted into a fresh SQLite file (one workspace, one channel
and one schedule per channel, all at 09:00 UTC every day); the engine then runs with the real
Slack chat (adapters.slack: slack_sdk client with the runtime's retry handlers, SlackChat and
its pacing) at 09:00:30.

--path tick runs `Engine.tick()` once (the sweep every process runs each minute; what the
brief asks for). --path cron fires every schedule's job at once, as DailyScheduler's cron jobs
do at the minute, then runs the two sweeps a running bot would (a minute later, and after the
claim lease) if some fires failed. The floor is channels / workspace limit seconds; the
target is a total within 1.1x the floor with every channel holding exactly one accepted post.

--pacing matched sets SLACK_POSTS_PER_SECOND_PER_WORKSPACE to the stand-in's limit (burst 1)
and builds the pacing from the settings as the runtime does; --pacing default keeps the
built-in pacing (5 posts/s per workspace), which is far below the limit.

Claims are taken in batches a little ahead of the senders, posts go out at the pacer's rate,
and "posted" is recorded in group commits (bot/daily/fanout.py), so the database is off the path of
each post. The pacer keeps a 20 ms margin on its one-second window (about 2% of the rate)
for transit jitter, which is most of the gap between the total and the floor.

    python benchmarks/fanout.py                       # 10,000 channels at 250/s: floor 40 s
    python benchmarks/fanout.py --quick               # 300 channels at 30/s: floor 10 s
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import text

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from adapters.slack.chat import PLATFORM, SlackChat  # noqa: E402
from adapters.slack.runtime import _web_client  # noqa: E402  (exactly the runtime's client)
from adapters.slack.settings import load_settings  # noqa: E402
from adapters.slack.tokens import StaticToken  # noqa: E402
from bot.app.root import build_engine as wire_engine  # noqa: E402
from bot.banks import BankRegistry  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.grading import RubricGrader  # noqa: E402
from bot.ports.chat import ChatLookup  # noqa: E402
from bot.ports.clock import ManualClock  # noqa: E402
from questions.loader import load_bank  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWorkFactory  # noqa: E402
from tests.adapters.slack.driver import SIGNING_SECRET  # noqa: E402
from tests.adapters.slack.standin import BOT_TOKEN, TEAM, Call, FakeSlack  # noqa: E402

DUE = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)  # a Monday, 30 s after the post time
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALL_DAYS = "mon,tue,wed,thu,fri,sat,sun"
TARGET_RATIO = 1.1
START_TIMEOUT_S = 30.0
PACING_VARS = (
    "SLACK_POSTS_PER_SECOND_PER_WORKSPACE",
    "SLACK_POST_BURST_PER_WORKSPACE",
    "SLACK_POSTS_PER_SECOND_PER_CHANNEL",
    "SLACK_POST_BURST_PER_CHANNEL",
)


# --- the stand-in, in its own process ------------------------------------------------------


class LimitedSlack(FakeSlack):
    """FakeSlack that rate-limits chat.postMessage like Slack: per channel and per workspace."""

    def __init__(self, workspace_limit: int) -> None:
        super().__init__()
        self.workspace_limit = workspace_limit
        self.window: collections.deque[float] = collections.deque()
        self.last_in_channel: dict[str, float] = {}
        self.accepted: collections.Counter[str] = collections.Counter()
        self.accepted_at: list[float] = []
        self.limited = {"channel": 0, "workspace": 0}

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage":
            return await super()._api(request)
        args = await self._args(request)
        channel = str(args.get("channel", ""))
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        limit = None
        if now - self.last_in_channel.get(channel, -10.0) < 1.0:
            limit = "channel"
        elif len(self.window) >= self.workspace_limit:
            limit = "workspace"
        if limit is not None:
            self.limited[limit] += 1
            self.calls.append(Call("chat.postMessage", {"channel": channel}, None, 429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self.window.append(now)
        self.last_in_channel[channel] = now
        response = await super()._api(request)
        if response.status == 200:
            self.accepted[channel] += 1
            self.accepted_at.append(time.time())
        return response

    def stats(self) -> dict[str, Any]:
        times = sorted(self.accepted_at)
        busiest, start = 0, 0
        for end, moment in enumerate(times):  # the most posts accepted in any 1 s window
            while moment - times[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
        return {
            "accepted": sum(self.accepted.values()),
            "channels_posted": len(self.accepted),
            "channels_posted_more_than_once": sum(n > 1 for n in self.accepted.values()),
            "answered_429": self.limited,
            "first_accepted_at": times[0] if times else None,
            "last_accepted_at": times[-1] if times else None,
            "most_accepted_in_1s": busiest,
        }


async def serve_standin(workspace_limit: int) -> None:
    slack = LimitedSlack(workspace_limit)
    await slack.start()
    print(slack.base_url, flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        print(json.dumps(slack.stats()), flush=True)
        await slack.stop()


async def start_standin(workspace_limit: int, tmp: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    args = [sys.executable, str(SCRIPT), "--serve", "--workspace-limit", str(workspace_limit)]
    with (tmp / "standin.log").open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *args,
            env=env | {"PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    return proc


async def stop_standin(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.close()
    out = await asyncio.wait_for(proc.stdout.read(), 60)
    await proc.wait()
    lines = out.decode().strip().splitlines()
    stats: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return stats


# --- the engine side -------------------------------------------------------------------------


async def seed(database: Any, channels: int) -> None:
    """One workspace, `channels` channels, one schedule each, all due at 09:00 UTC."""
    stamp = CREATED.isoformat(sep=" ")
    async with database.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO workspaces (id, platform, external_id, name, created_at) "
                "VALUES (1, :p, :t, 'bench', :c)"
            ),
            {"p": PLATFORM, "t": TEAM, "c": stamp},
        )
        await conn.execute(
            text(
                "INSERT INTO channels (id, workspace_id, external_id, name, created_at) "
                "VALUES (:id, 1, :ext, :name, :c)"
            ),
            [
                {"id": n, "ext": f"C{n:06d}", "name": f"ch{n}", "c": stamp}
                for n in range(1, channels + 1)
            ],
        )
        await conn.execute(
            text(
                "INSERT INTO schedules (id, channel_id, post_time, timezone, days, topics, packs, "
                "difficulty, reveal_time, enabled, created_at, updated_at) VALUES "
                "(:id, :id, '09:00', 'UTC', :days, '[]', '[]', NULL, NULL, 1, :c, :c)"
            ),
            [{"id": n, "days": ALL_DAYS, "c": stamp} for n in range(1, channels + 1)],
        )


def build_engine(database: Any, chat: SlackChat, clock: ManualClock) -> Engine:
    banks = BankRegistry(load_bank(None))
    grader = RubricGrader()
    return wire_engine(
        UnitOfWorkFactory(session_factory(database)),
        banks,
        grader,
        clock,
        chats=ChatLookup({PLATFORM: chat}),
        instance="bench",
    )[0]


async def fire_all(engine: Engine) -> tuple[int, dict[str, int]]:
    """Every schedule's cron job at once, as APScheduler starts them at the minute."""
    ids = [schedule_id for schedule_id, *_ in await engine.enabled_schedules()]
    results = await asyncio.gather(
        *(engine.fire_daily(schedule_id) for schedule_id in ids), return_exceptions=True
    )
    errors = collections.Counter(
        f"{type(r).__module__}.{type(r).__name__}: {str(r).splitlines()[0][:90]}"
        for r in results
        if isinstance(r, BaseException)
    )
    return sum(r is True for r in results), dict(errors)


async def posted_rows(database: Any) -> int:
    async with database.connect() as conn:
        result = await conn.execute(text("SELECT count(*) FROM daily_posts WHERE status='posted'"))
        return int(result.scalar_one())


async def measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    proc = await start_standin(args.workspace_limit, tmp)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)
    if not line:
        raise RuntimeError((tmp / "standin.log").read_text())
    base_url = line.decode().strip()
    setup_started = time.perf_counter()
    database = create_engine(f"sqlite:///{tmp}/fanout.db")
    session = aiohttp.ClientSession()
    stats: dict[str, Any] = {}
    try:
        await upgrade(database)
        await seed(database, args.channels)
        os.environ |= {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": f"{base_url}/api/",
        }
        for name in PACING_VARS:
            os.environ.pop(name, None)
        if args.pacing == "matched":  # what an operator sets for a workspace with this limit
            os.environ |= {
                "SLACK_POSTS_PER_SECOND_PER_WORKSPACE": str(args.workspace_limit),
                "SLACK_POST_BURST_PER_WORKSPACE": "1",
            }
        settings = load_settings("http")
        client = _web_client(settings, session)
        chat = SlackChat(client, StaticToken(BOT_TOKEN), settings.pacing())  # as the runtime
        clock = ManualClock(DUE)
        engine = build_engine(database, chat, clock)
        setup_s = time.perf_counter() - setup_started
        started_wall = time.time()
        started = time.perf_counter()
        if args.path == "tick":
            ran = await engine.tick()
        else:
            ran, errors = await fire_all(engine)
            if errors:
                stats["fire_errors"] = errors
        total_s = time.perf_counter() - started
        if args.path == "cron" and ran < args.channels:
            # What happens next in a running bot: the sweep a minute later posts what was
            # never claimed; the sweep after the 5-minute claim lease re-posts claims whose
            # post went out but was never recorded.
            stats["cron_only_posted"] = await posted_rows(database)
            clock.set(DUE + timedelta(minutes=1))
            ran += await engine.tick()
            clock.set(DUE + timedelta(minutes=6))
            ran += await engine.tick()
            stats["cron_wave_s"] = round(total_s, 2)
            total_s = time.perf_counter() - started  # the fan-out ends when all are posted
        stats |= {"engine_ran": ran, "daily_posts_posted": await posted_rows(database)}
    finally:
        teardown_started = time.perf_counter()
        await session.close()
        await database.dispose()
        standin = await stop_standin(proc)
    stats["setup_s"] = round(setup_s, 2)
    stats["teardown_s"] = round(time.perf_counter() - teardown_started, 2)
    floor_s = args.channels / args.workspace_limit
    first = standin.pop("first_accepted_at")
    last = standin.pop("last_accepted_at")
    lost = args.channels - standin["channels_posted"]
    return {
        "channels": args.channels,
        "path": args.path,
        "pacing": args.pacing,
        "workspace_limit_per_s": args.workspace_limit,
        "channel_limit_per_s": 1,
        "floor_s": round(floor_s, 2),
        "total_s": round(total_s, 2),
        "ratio_to_floor": round(total_s / floor_s, 3),
        "target_ratio": TARGET_RATIO,
        "within_target": total_s <= TARGET_RATIO * floor_s,
        "first_post_after_s": round(first - started_wall, 2) if first else None,
        "posting_span_s": round(last - first, 2) if first and last else None,
        "posts_per_s": round(standin["accepted"] / total_s, 1),
        "lost": lost,
        "every_channel_exactly_once": lost == 0 and standin["channels_posted_more_than_once"] == 0,
        **stats,
        "standin": standin,
    }


async def main(args: argparse.Namespace) -> None:
    if args.quick:
        args.channels, args.workspace_limit = 300, 30
    with tempfile.TemporaryDirectory() as tmp:
        report = await measure(args, Path(tmp))
    print(json.dumps(report, indent=2))
    if not report["every_channel_exactly_once"]:
        sys.exit(1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument(
        "--workspace-limit", type=int, default=250, help="chat.postMessage per second"
    )
    parser.add_argument("--path", choices=["tick", "cron"], default="tick")
    parser.add_argument("--pacing", choices=["matched", "default"], default="matched")
    parser.add_argument("--quick", action="store_true", help="300 channels at 30/s")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    parsed = parse_args()
    work: Coroutine[Any, Any, None] = (
        serve_standin(parsed.workspace_limit) if parsed.serve else main(parsed)
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(work)
