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


async def time_page(client: TestClient[Any, Any], path: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path)
        await response.read()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status)
    return samples


async def measure(url: str, rows: dict[str, list[tuple[Any, ...]]], runs: int) -> dict[str, Any]:
    database = create_engine(url)
    try:
        await upgrade(database)
        await database.dispose()  # the loader writes the file directly
        started = time.perf_counter()
        bulk_load(url.removeprefix("sqlite:///"), rows)
        load_s = time.perf_counter() - started
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
        groups = len(rows["study_groups"])
        per_user = {}
        for row in rows["answers"]:
            per_user[row[1]] = per_user.get(row[1], 0) + 1
        # The busiest member of group 1, and another member of it.
        members = [u for u in per_user if (u - 1) % groups == 0]
        viewer = max(members, key=lambda u: per_user[u])
        other = next(u for u in members if u != viewer)
        await time_command(engine, chat, "help", f"U{viewer:06}", 3)
        baseline = await time_command(engine, chat, "help", f"U{viewer:06}", runs)

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
        report: dict[str, Any] = {"load_seconds": round(load_s, 1)}
        base_ms = statistics.median(baseline)
        report["baseline_event_ms"] = round(base_ms, 2)
        report["viewer_answers"] = per_user[viewer]
        worst = 0.0
        async with TestClient(TestServer(WebRuntime(dashboard, "127.0.0.1", 0).app())) as client:
            for name, path in pages.items():
                await time_page(client, "/dashboard/" + path, 3)  # warm
                samples = sorted(await time_page(client, "/dashboard/" + path, runs))
                median = statistics.median(samples)
                worst = max(worst, median)
                report[f"{name}_ms"] = round(median, 2)
                report[f"{name}_p95_ms"] = round(samples[max(0, int(len(samples) * 0.95) - 1)], 2)
                report[f"{name}_ratio_to_baseline"] = round(median / base_ms, 2)
        report["slowest_page_ms"] = round(worst, 2)
        report["under_50ms"] = worst < 50
        return report
    finally:
        await database.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M answers, 100k users")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    users, groups, answers = (
        int(100_000 * args.scale),
        max(2, int(1000 * args.scale)),
        int(1_000_000 * args.scale),
    )
    started = time.perf_counter()
    rows = with_channels(generate(users, groups, answers))
    report: dict[str, Any] = {
        "users": users,
        "groups_and_channels": groups,
        "answers": answers,
        "daily_posts": len(rows["daily_posts"]),
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    with tempfile.TemporaryDirectory() as tmp:
        report["sqlite"] = await measure(f"sqlite:///{tmp}/bench.db", rows, args.runs)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
