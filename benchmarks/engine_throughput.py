"""Answers per second through the whole engine, against bare inserts on the same database.

Each answer is a thread reply to today's daily question: event dedupe, identity, grading,
points, streaks in every group, persistence and the private feedback (to a chat that only
records). The baseline, timed in the same run on the same database with the same concurrency,
is one single-row INSERT transaction per answer into a table of the same shape. Target: the
engine reaches at least half the baseline's rate.

    python benchmarks/engine_throughput.py [--answers 2000] [--concurrency 32] [--backend both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app.config import DEFAULT_MAX_CONCURRENT_EVENTS  # noqa: E402
from bot.events import MessagePosted  # noqa: E402
from bot.ports.clock import ManualClock  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.support.databases import POSTGRES_URL  # noqa: E402
from tests.support.harness import Harness, answer_covering, fixture_bank  # noqa: E402

DAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


async def bounded(concurrency: int, jobs: list[Any]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def run(job: Any) -> None:
        async with gate:
            await job()

    started = time.perf_counter()
    await asyncio.gather(*(run(job) for job in jobs))
    return time.perf_counter() - started


async def measure(url: str, answers: int, concurrency: int, **kwargs: Any) -> dict[str, Any]:
    database = create_engine(url, **kwargs)
    try:
        await upgrade(database)
        h = Harness(database, fixture_bank(), ManualClock(DAY))
        await h.command("daily set time=09:00 tz=UTC days=daily", admin=True)
        await h.advance(timedelta(hours=2))
        post = next(s for s in h.chat.sent if s.kind == "post")
        thread = f"t-{post.message_id}"
        prompt = post.message.body.split("\n\n")[0]
        question_id = next(q.id for q in h.bank.questions if q.prompt == prompt)
        answer = answer_covering(h.bank, question_id)
        h.chat.sent.clear()

        def reply(n: int) -> Any:
            event = MessagePosted(h.place("C1", thread), h.actor(f"u{n}"), answer, f"m{n}", f"e{n}")
            return lambda: h.engine.handle(event, h.chat)

        engine_s = await bounded(concurrency, [reply(n) for n in range(answers)])
        async with database.begin() as conn:
            await conn.execute(
                text("CREATE TABLE bench_inserts AS SELECT * FROM answers WHERE 1 = 0")
            )
        row = {"u": 1, "c": 1, "q": question_id, "t": answer, "now": DAY}
        columns = (
            "id, user_id, channel_id, question_id, source, is_follow_up, text, score, covered, "
            "missed, advice, points, counted, submitted_at, graded_at"
        )
        values = ":id, :u, :c, :q, 'daily', false, :t, 80, '[]', '[]', '', 20, true, :now, :now"
        insert = text(f"INSERT INTO bench_inserts ({columns}) VALUES ({values})")

        def bare(n: int) -> Any:
            async def go() -> None:
                async with database.begin() as conn:
                    await conn.execute(insert, {**row, "id": n + 1})

            return go

        bare_s = await bounded(concurrency, [bare(n) for n in range(answers)])
        assert len([s for s in h.chat.sent if s.kind == "private"]) == answers
        engine_rate, bare_rate = answers / engine_s, answers / bare_s
        return {
            "answers": answers,
            "concurrency": concurrency,
            "engine_answers_per_s": round(engine_rate, 1),
            "bare_inserts_per_s": round(bare_rate, 1),
            "ratio": round(engine_rate / bare_rate, 3),
            "target_ratio": 0.5,
        }
    finally:
        await database.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_MAX_CONCURRENT_EVENTS,
        help="answers in flight (default: the bot's own INTERVIEW_BOT_MAX_CONCURRENT_EVENTS)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            report["sqlite"] = await measure(
                f"sqlite:///{tmp}/bench.db", args.answers, args.concurrency
            )
    if args.backend in ("postgres", "both"):
        schema = f"bench_tp_{int(time.time())}"
        admin = create_engine(POSTGRES_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            report["postgres"] = await measure(
                POSTGRES_URL,
                args.answers,
                args.concurrency,
                connect_args={"server_settings": {"search_path": schema}},
            )
        finally:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
