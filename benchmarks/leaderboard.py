"""Weekly leaderboard and personal stats at scale, on SQLite and PostgreSQL, as JSON.

Generates a workspace with --users users in --groups study groups (each user in one group)
and --answers answers spread over the last 12 weeks, then times the engine handling
`/interview leaderboard week GROUP` and `/interview stats` end to end (parse, queries,
rendering, the heatmap picture). The baseline, timed in the same run on the same database,
is the engine handling `/interview help`: the fixed cost of an event (identify the user,
claim the event id, commit), so the ratio is what the read-side work adds.

    python benchmarks/leaderboard.py                       # 1,000,000 answers, both databases
    python benchmarks/leaderboard.py --scale 0.01          # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app.root import build_engine  # noqa: E402
from bot.banks import BankRegistry  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.events import Actor, Place, SlashCommand  # noqa: E402
from bot.grading import RubricGrader  # noqa: E402
from bot.ports.chat import ChatLookup  # noqa: E402
from bot.ports.clock import ManualClock  # noqa: E402
from questions.loader import load_bank  # noqa: E402
from storage.database import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import UnitOfWorkFactory  # noqa: E402
from tests.support.fakes import FakeChat  # noqa: E402

NOW = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # a Thursday
PLATFORM, WORKSPACE = "bench", "W1"
BATCH = 20_000


def generate(
    users: int, groups: int, answers: int, seed: int = 7
) -> dict[str, list[tuple[Any, ...]]]:
    rng = random.Random(seed)
    question_ids = [q.id for q in load_bank().questions]
    created = NOW - timedelta(days=200)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "workspaces": [(1, PLATFORM, WORKSPACE, "bench", created)],
        "channels": [(1, 1, "C1", "general", created)],
        "users": [(u, 1, f"U{u:06}", f"user {u}", created) for u in range(1, users + 1)],
        "study_groups": [
            (g, 1, f"g{g:04}", None, "Europe/Berlin", created) for g in range(1, groups + 1)
        ],
        "group_members": [(1 + (u - 1) % groups, u, created) for u in range(1, users + 1)],
        "streaks": [
            (
                1 + (u - 1) % groups,
                u,
                rng.randint(0, 9),
                rng.randint(9, 30),
                rng.randint(0, 2),
                (NOW - timedelta(days=rng.randint(0, 3))).date(),
                "mon,tue,wed,thu,fri",
                created,
            )
            for u in range(1, users + 1)
        ],
    }
    window = 84 * 24 * 3600
    answer_rows = []
    for a in range(1, answers + 1):
        when = NOW - timedelta(seconds=rng.randrange(window))
        score = rng.randint(0, 100)
        answer_rows.append(
            (
                a,
                rng.randint(1, users),
                1,
                rng.choice(question_ids),
                "daily",
                score,
                round(20 * score / 100),
                True,
                False,
                "answer text",
                "[]",
                "[]",
                "",
                when,
                when,
            )
        )
    rows["answers"] = answer_rows
    return rows


COLUMNS = {
    "workspaces": "id, platform, external_id, name, created_at",
    "channels": "id, workspace_id, external_id, name, created_at",
    "users": "id, workspace_id, external_id, display_name, created_at",
    "study_groups": "id, workspace_id, name, channel_id, timezone, created_at",
    "group_members": "group_id, user_id, joined_at",
    "streaks": "group_id, user_id, current, longest, freezes, last_day, schedule_days, updated_at",
    "answers": (
        "id, user_id, channel_id, question_id, source, score, points, counted, is_follow_up, "
        "text, covered, missed, advice, submitted_at, graded_at"
    ),
}


async def load(
    engine: AsyncEngine,
    rows: dict[str, list[tuple[Any, ...]]],
    columns_of: dict[str, str] | None = None,
) -> None:
    """Bulk-insert rows (COPY on PostgreSQL); columns_of names each table's columns."""
    columns_of = columns_of or COLUMNS
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            for table, data in rows.items():
                columns = [c.strip() for c in columns_of[table].split(",")]
                await driver.copy_records_to_table(table, records=data, columns=columns)
            for table in ("workspaces", "channels", "users", "study_groups", "answers"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                await driver.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
            await driver.execute("ANALYZE")
        return
    async with engine.begin() as conn:
        for table, data in rows.items():
            columns = [c.strip() for c in columns_of[table].split(",")]
            names, binds = ", ".join(columns), ", ".join(f":{c}" for c in columns)
            stmt = text(f"INSERT INTO {table} ({names}) VALUES ({binds})")
            for start in range(0, len(data), BATCH):
                batch = [
                    dict(zip(columns, _sqlite(row), strict=True))
                    for row in data[start : start + BATCH]
                ]
                await conn.execute(stmt, batch)
        await conn.execute(text("ANALYZE"))


def _sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        v.isoformat(sep=" ")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )


async def time_command(
    engine: Engine, chat: FakeChat, command: str, user: str, runs: int
) -> list[float]:
    samples = []
    for n in range(runs):
        event = SlashCommand(
            Place(PLATFORM, WORKSPACE, "C1", None, "general"),
            Actor(user, ""),
            command,
            f"bench-{command}-{user}-{n}-{time.perf_counter_ns()}",
        )
        start = time.perf_counter()
        await engine.handle(event, chat)
        samples.append((time.perf_counter() - start) * 1000)
        assert chat.sent, "the command answered"
        chat.clear()
    return samples


async def measure(
    url: str, rows: dict[str, list[tuple[Any, ...]]], runs: int, **kwargs: Any
) -> dict[str, Any]:
    database = create_engine(url, **kwargs)
    try:
        await upgrade(database)
        started = time.perf_counter()
        await load(database, rows)
        load_s = time.perf_counter() - started
        banks = BankRegistry(load_bank())
        grader = RubricGrader()
        clock = ManualClock(NOW)
        chat = FakeChat()
        engine = build_engine(
            UnitOfWorkFactory(session_factory(database)),
            banks,
            grader,
            clock,
            chats=ChatLookup({PLATFORM: chat}),
            instance="bench",
        )[0]
        users = len(rows["users"])
        heavy_user = f"U{max(range(1, users + 1), key=lambda u: u % 997):06}"
        group = "g0001"
        await time_command(engine, chat, "help", heavy_user, 3)  # warm caches and pools
        baseline = await time_command(engine, chat, "help", heavy_user, runs)
        board = await time_command(engine, chat, f"leaderboard week {group}", heavy_user, runs)
        stats = await time_command(engine, chat, "stats", heavy_user, runs)
        base_ms = statistics.median(baseline)
        return {
            "load_seconds": round(load_s, 1),
            "baseline_event_ms": round(base_ms, 2),
            "leaderboard_week_ms": round(statistics.median(board), 2),
            "leaderboard_p95_ms": round(sorted(board)[int(len(board) * 0.95) - 1], 2),
            "stats_ms": round(statistics.median(stats), 2),
            "stats_p95_ms": round(sorted(stats)[int(len(stats) * 0.95) - 1], 2),
            "leaderboard_ratio_to_baseline": round(statistics.median(board) / base_ms, 2),
            "stats_ratio_to_baseline": round(statistics.median(stats) / base_ms, 2),
            "under_50ms": statistics.median(board) < 50 and statistics.median(stats) < 50,
        }
    finally:
        await database.dispose()


async def postgres_scratch(url: str) -> tuple[str, dict[str, Any], Callable[[], Awaitable[None]]]:
    schema = f"bench_{int(time.time())}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    async def drop() -> None:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()

    return url, {"connect_args": {"server_settings": {"search_path": schema}}}, drop


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = 1M answers, 100k users, 1k groups"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    users, groups, answers = (
        int(100_000 * args.scale),
        max(1, int(1000 * args.scale)),
        int(1_000_000 * args.scale),
    )
    started = time.perf_counter()
    rows = generate(users, groups, answers)
    report: dict[str, Any] = {
        "users": users,
        "groups": groups,
        "answers": answers,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            report["sqlite"] = await measure(f"sqlite:///{tmp}/bench.db", rows, args.runs)
    if args.backend in ("postgres", "both"):
        url, kwargs, drop = await postgres_scratch(args.postgres_url)
        try:
            report["postgres"] = await measure(url, rows, args.runs, **kwargs)
        finally:
            await drop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
