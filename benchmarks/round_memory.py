"""Memory held per 1,000 active mock rounds, as JSON.

An engine on a fresh SQLite file with the shipped bank and a FakeChat (tests/support/fakes.py)
starts --rounds mock rounds of 5 questions, each by its own user in channel C1, so every round
is active with its first question asked. The baseline, measured in the same process just
before, is the engine built and warmed up (a few rounds started and ended, commands run) with
no round open. What the FakeChat records is dropped after every command, so the figure is what
the engine and its libraries keep, not the recorder.

Process RSS and tracemalloc are measured in two separate child processes (tracing inflates
RSS), each before the rounds, after them, and after a full gc.collect().

    python benchmarks/round_memory.py [--rounds 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy import text

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from bot.account.limits import LimitRules  # noqa: E402
from bot.ports.clock import ManualClock  # noqa: E402
from questions.loader import load_bank  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.support.harness import START, Harness  # noqa: E402

WARM_UP_ROUNDS = 10


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def sample(mode: str) -> int:
    if mode == "tracemalloc":
        return tracemalloc.get_traced_memory()[0]
    return rss_bytes()


def file_bytes(folder: Path) -> int:
    """The SQLite file with its WAL: what the rounds cost on disk."""
    return sum(p.stat().st_size for p in folder.glob("rounds.db*"))


async def start_round(h: Harness, user: str, channel: str) -> None:
    await h.command("mock 5", user=user, channel=channel)
    started = any((s.message.title or "").startswith("Question 1") for s in h.chat.sent)
    if not started:
        raise RuntimeError(f"no round started for {user}: {h.chat.all_text()[:300]}")
    h.chat.sent.clear()
    h.chat.threads.clear()


async def active_rounds(h: Harness) -> int:
    async with h.database.connect() as conn:
        result = await conn.execute(text("SELECT count(*) FROM rounds WHERE status = 'active'"))
        return int(result.scalar_one())


async def child(mode: str, rounds: int) -> dict[str, Any]:
    if mode == "tracemalloc":
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        database = create_engine(f"sqlite:///{tmp}/rounds.db")
        try:
            await upgrade(database)
            h = Harness(database, load_bank(None), ManualClock(START))
            # Every round starts in one channel within minutes: the channel's limit on new
            # rounds is raised to fit them (still counted, as in the bot), not left to refuse.
            h.limits = LimitRules.defaults(rounds_per_channel=WARM_UP_ROUNDS + rounds)
            h.new_engine()
            for n in range(WARM_UP_ROUNDS):  # warm statement caches, the bank, the pool
                await start_round(h, f"warm{n}", "CWARM")
                await h.command("end", user=f"warm{n}", channel="CWARM")
                await h.command("stats", user=f"warm{n}", channel="CWARM")
            h.chat.clear()
            assert await active_rounds(h) == 0
            gc.collect()
            before = sample(mode)
            for n in range(rounds):
                await start_round(h, f"user{n:05d}", "C1")
            after = sample(mode)
            gc.collect()
            after_gc = sample(mode)
            active = await active_rounds(h)
            db_bytes = file_bytes(Path(tmp))
        finally:
            await database.dispose()
    if mode == "tracemalloc":
        tracemalloc.stop()
    return {
        "baseline_bytes": before,
        "after_bytes": after,
        "after_gc_bytes": after_gc,
        "active_rounds": active,
        "bytes_per_round": round((after - before) / rounds),
        "bytes_per_round_after_gc": round((after_gc - before) / rounds),
        "per_1000_rounds_after_gc_kib": round((after_gc - before) / rounds * 1000 / 1024, 1),
        "sqlite_file_bytes": db_bytes,
    }


def run_child(mode: str, rounds: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--child", mode, "--rounds", str(rounds)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.rounds))))
        return
    rss = run_child("rss", args.rounds)
    traced = run_child("tracemalloc", args.rounds)
    print(
        json.dumps(
            {
                "rounds": args.rounds,
                "questions_per_round": 5,
                "rss": rss,
                "tracemalloc": traced,
                "python_heap_per_1000_rounds_kib": traced["per_1000_rounds_after_gc_kib"],
                "rss_per_1000_rounds_kib": rss["per_1000_rounds_after_gc_kib"],
                "all_rounds_active": rss["active_rounds"] == traced["active_rounds"] == args.rounds,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
