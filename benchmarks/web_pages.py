"""Every dashboard page's server time at scale, on SQLite, as JSON.

Builds a workspace of --users users in --groups study groups, each group a channel with a daily
question on each of the last 84 days, and --answers answers to those questions, bulk-inserted.
Then serves the dashboard over loopback HTTP and times a GET of each page (signature check,
queries in one unit of work, rendering with its SVG charts): the personal page, another member's
page, the group's leaderboard by week, month and all time, the channel's history and the topic
breakdown. The baseline, timed in the same run on the same database, is one engine event
(`/interview help`: identify the user, claim the event id, commit).

    python benchmarks/web_pages.py                 # 1,000,000 answers, 100,000 users
    python benchmarks/web_pages.py --scale 0.01    # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.web.runtime import WebRuntime  # noqa: E402
from adapters.web.server import Dashboard  # noqa: E402
from benchmarks.leaderboard import (  # noqa: E402
    COLUMNS,
    NOW,
    PLATFORM,
    _sqlite,
    generate,
    time_command,
)
from bot.app.root import build_engine  # noqa: E402
from bot.banks import BankRegistry  # noqa: E402
from bot.dashboard.links import LinkSigner  # noqa: E402
from bot.dashboard.pages import DashboardPages  # noqa: E402
from bot.grading import RubricGrader  # noqa: E402
from bot.ports.chat import ChatLookup  # noqa: E402
from bot.ports.clock import ManualClock  # noqa: E402
from questions.loader import load_bank  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWorkFactory  # noqa: E402
from tests.support.fakes import FakeChat  # noqa: E402

DAYS = 84
WEB_COLUMNS = {
    **COLUMNS,
    "channels": COLUMNS["channels"],
    "schedules": (
        "id, channel_id, post_time, timezone, days, topics, packs, enabled, created_at, updated_at"
    ),
    "daily_posts": (
        "id, schedule_id, channel_id, local_date, question_id, status, claimed_by, claimed_at, "
        "posted_at, answerers"
    ),
    "answers": COLUMNS["answers"] + ", daily_post_id",
}
ORDER = (
    "workspaces",
    "channels",
    "users",
    "study_groups",
    "group_members",
    "streaks",
    "schedules",
    "daily_posts",
    "answers",
)


def with_channels(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Make each group a channel with a daily question a day; each answer answers its user's
    group's question of that day (one counted answer per user and day)."""
    groups = len(rows["study_groups"])
    created = rows["workspaces"][0][4]
    first_day = (NOW - timedelta(days=DAYS - 1)).date()
    questions = sorted({row[3] for row in rows["answers"][:5000]})
    rows["channels"] = [(g, 1, f"C{g:05}", f"ch{g}", created) for g in range(1, groups + 1)]
    rows["study_groups"] = [
        (g, w, f"#ch{g}", g, tz, c) for g, w, _n, _c, tz, c in rows["study_groups"]
    ]
    rows["schedules"] = [
        (g, g, "09:00", "Europe/Berlin", "daily", "[]", "[]", True, created, created)
        for g in range(1, groups + 1)
    ]
    rows["daily_posts"] = [
        (
            (g - 1) * DAYS + d + 1,
            g,
            g,
            first_day + timedelta(days=d),
            questions[(g + d) % len(questions)],
            "revealed",
            "bench",
            created,
            created,
            0,
        )
        for g in range(1, groups + 1)
        for d in range(DAYS)
    ]
    counted: set[tuple[int, int]] = set()
    answers = []
    for row in rows["answers"]:
        user, when = row[1], row[13]
        group = 1 + (user - 1) % groups
        day = min(max((when.date() - first_day).days, 0), DAYS - 1)
        post = (group - 1) * DAYS + day + 1
        first = (post, user) not in counted
        counted.add((post, user))
        answer = (row[0], user, group, *row[3:7], first, *row[8:])
        answers.append((*answer, post))
    rows["answers"] = answers
    return {table: rows[table] for table in ORDER}


def bulk_load(path: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """Insert straight through sqlite3, with the answers' indexes built after the rows: a
    million answers load in seconds rather than minutes."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        indexes = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' "
                "AND sql IS NOT NULL"
            )
        ]
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' "
            "AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f'DROP INDEX "{name}"')
        for table, data in rows.items():
            columns = WEB_COLUMNS[table]
            marks = ", ".join("?" for _ in columns.split(","))
            conn.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", (_sqlite(r) for r in data)
            )
        for sql in indexes:
            conn.execute(sql)
        conn.execute("ANALYZE")
        conn.commit()


async def time_page(client: TestClient[Any, Any], path: str, served: list[float]) -> float:
    """The server's time for one GET: from the request reaching the app to its response
    (signature check, queries, rendering), as the middleware below records it."""
    response = await client.get(path)
    await response.read()
    assert response.status == 200, (path, response.status)
    return served.pop()


def timed_app(dashboard: Dashboard, served: list[float]) -> web.Application:
    @web.middleware
    async def clock_it(request: web.Request, handler: Any) -> web.StreamResponse:
        started = time.perf_counter()
        response: web.StreamResponse = await handler(request)
        served.append((time.perf_counter() - started) * 1000)
        return response

    app = WebRuntime(dashboard, "127.0.0.1", 0).app()
    app.middlewares.append(clock_it)
    return app


def _facts(db_path: str) -> tuple[int, int, int, int]:
    """The viewer (group 1's busiest member), another member, the viewer's answers, and how
    many groups there are, read from the database itself."""
    with closing(sqlite3.connect(db_path)) as conn:
        groups = conn.execute("SELECT count(*) FROM study_groups").fetchone()[0]
        ranked = conn.execute(
            "SELECT a.user_id, count(*) FROM answers a JOIN group_members m "
            "ON m.user_id = a.user_id AND m.group_id = 1 GROUP BY a.user_id ORDER BY 2 DESC, 1"
        ).fetchall()
    return int(ranked[0][0]), int(ranked[1][0]), int(ranked[0][1]), int(groups)


async def measure(db_path: str, runs: int) -> dict[str, Any]:
    """Each run times one engine event, then one request of every page, so a machine that gets
    busier or quieter during the run weighs on both sides alike."""
    database = create_engine(f"sqlite:///{db_path}")
    try:
        bank = load_bank()
        clock = ManualClock(NOW)
        chat = FakeChat()
        units = UnitOfWorkFactory(session_factory(database))
        engine = build_engine(
            units,
            BankRegistry(bank),
            RubricGrader(),
            clock,
            chats=ChatLookup({PLATFORM: chat}),
            instance="bench",
        )[0]
        viewer, other, viewer_answers, _groups = _facts(db_path)
        signer = LinkSigner("benchmark-secret-0123456789", "http://127.0.0.1")
        dashboard = Dashboard(signer, DashboardPages(bank), units, clock)
        token = signer.issue(1, viewer, NOW)
        pages = {
            "me": signer.path(token, "me"),
            "person": signer.path(token, "person", id=other),
            "leaderboard_week": signer.path(token, "group", id=1, period="week"),
            "leaderboard_month": signer.path(token, "group", id=1, period="month"),
            "leaderboard_all": signer.path(token, "group", id=1, period="all"),
            "channel_history": signer.path(token, "channel", id=1),
            "topics": signer.path(token, "topics"),
        }
        samples: dict[str, list[float]] = {name: [] for name in ["baseline", *pages]}
        served: list[float] = []
        async with TestClient(TestServer(timed_app(dashboard, served))) as client:
            for run in range(runs + 3):  # the first three warm caches and pools
                event = await time_command(engine, chat, "help", f"U{viewer:06}", 1)
                for name, path in pages.items():
                    taken = await time_page(client, "/dashboard/" + path, served)
                    if run >= 3:
                        samples[name].append(taken)
                if run >= 3:
                    samples["baseline"].extend(event)
        base_ms = statistics.median(samples["baseline"])
        report: dict[str, Any] = {
            "baseline_event_ms": round(base_ms, 2),
            "viewer_answers": viewer_answers,
        }
        for name in pages:
            ordered = sorted(samples[name])
            median = statistics.median(ordered)
            report[f"{name}_ms"] = round(median, 2)
            report[f"{name}_p95_ms"] = round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2)
            report[f"{name}_ratio_to_baseline"] = round(median / base_ms, 2)
        slowest = max(statistics.median(samples[name]) for name in pages)
        report["slowest_page_ms"] = round(slowest, 2)
        report["under_50ms"] = slowest < 50
        return report
    finally:
        await database.dispose()


async def build(db_path: str, scale: float) -> dict[str, Any]:
    users, groups, answers = (
        int(100_000 * scale),
        max(2, int(1000 * scale)),
        int(1_000_000 * scale),
    )
    started = time.perf_counter()
    rows = with_channels(generate(users, groups, answers))
    generated = time.perf_counter() - started
    database = create_engine(f"sqlite:///{db_path}")
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    started = time.perf_counter()
    bulk_load(db_path, rows)
    return {
        "users": users,
        "groups_and_channels": groups,
        "answers": answers,
        "daily_posts": len(rows["daily_posts"]),
        "generate_seconds": round(generated, 1),
        "load_seconds": round(time.perf_counter() - started, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M answers, 100k users")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--db", type=Path, default=None, help="keep the generated database here; reused if there"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(args.db or Path(tmp) / "bench.db")
        report: dict[str, Any] = {"database": path if args.db else "temporary"}
        if args.db is None or not args.db.exists():
            report |= await build(path, args.scale)
        report["sqlite"] = await measure(path, args.runs)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
