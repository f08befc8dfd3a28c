"""Three replicas on one PostgreSQL, 200 channels due in the same minute: each posts once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.ports.clock import ManualClock
from storage.database import create_engine
from storage.migrate import upgrade
from tests.support.databases import POSTGRES_URL, require_postgres
from tests.support.harness import Harness, fixture_bank

ROOT = Path(__file__).resolve().parents[2]
CHANNELS = 200
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
async def shared_schema(tmp_path: Path) -> AsyncIterator[str]:
    """A migrated schema with 200 channels scheduled for 09:00 UTC, set up through the engine."""
    await require_postgres()
    schema = f"scale_{int(time.time() * 1000) % 10**9}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        await upgrade(database)
        h = Harness(
            database,
            fixture_bank(),
            ManualClock(DUE.replace(hour=8)),
        )
        for n in range(CHANNELS):
            await h.command(
                "daily set time=09:00 tz=UTC days=daily", channel=f"C{n:03}", admin=True
            )
        assert len(await h.engine.enabled_schedules()) == CHANNELS
        yield schema
    finally:
        await database.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def replica(schema: str, out: Path, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.replica",
            "--schema",
            schema,
            "--out",
            str(out),
            "--name",
            name,
            "--at",
            DUE.isoformat(),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def stale_claims_by(schema: str, name: str) -> int:
    database = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    try:
        async with database.connect() as conn:
            count = await conn.execute(
                text(
                    "SELECT count(*) FROM daily_posts WHERE claimed_by = :n AND status = 'claimed'"
                ),
                {"n": name},
            )
            return int(count.scalar_one())
    finally:
        await database.dispose()


def posts(out: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


async def test_three_replicas_post_each_channel_exactly_once(
    shared_schema: str, tmp_path: Path
) -> None:
    out = tmp_path / "posts.jsonl"
    procs = [replica(shared_schema, out, f"r{n}") for n in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    sent = posts(out)
    per_channel = Counter(p["channel"] for p in sent)
    assert len(per_channel) == CHANNELS
    assert set(per_channel.values()) == {1}
    assert len({p["replica"] for p in sent}) >= 1


async def test_a_replica_killed_after_claiming_is_covered_by_the_others(
    shared_schema: str, tmp_path: Path
) -> None:
    out = tmp_path / "posts.jsonl"
    stuck = replica(shared_schema, out, "stuck", "--hang")
    assert stuck.stdout is not None
    assert stuck.stdout.readline().strip() == "ready"
    await asyncio.sleep(3)  # it claims what it can, then hangs before sending
    stuck.kill()
    stuck.wait(timeout=30)
    assert await stale_claims_by(shared_schema, "stuck") > 0, "the killed replica held claims"
    # The survivors run past the five-minute claim lease and take the stale claims over.
    survivors = [replica(shared_schema, out, f"s{n}", "--advance-min", "6") for n in range(2)]
    for proc in survivors:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    per_channel = Counter(p["channel"] for p in posts(out))
    assert len(per_channel) == CHANNELS
    assert set(per_channel.values()) == {1}
    assert "stuck" not in {p["replica"] for p in posts(out)}
