"""Schedule changes at scale: one job per change here, and other replicas hear of it at a sweep."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.scheduler import DailyScheduler
from bot.ports.clock import ManualClock
from storage.database import create_engine
from tests.conftest import BACKENDS
from tests.support.databases import POSTGRES_URL, migrated_database
from tests.support.harness import START, Harness, fixture_bank

CHANNELS = ("C1", "C2", "C3", "C4", "C5")


def local_time(scheduler: DailyScheduler, job: str, zone: str = "UTC") -> str:
    return scheduler.next_runs()[job].astimezone(ZoneInfo(zone)).strftime("%H:%M")


@pytest.fixture
async def running(h: Harness) -> AsyncIterator[Harness]:
    """Five channels with a schedule each, and the scheduler started on them."""
    for channel in CHANNELS:
        await h.command("daily set time=18:00 tz=UTC", channel=channel, admin=True)
    await h.scheduler.start()
    yield h
    await h.scheduler.shutdown()


async def test_setting_one_schedule_touches_only_its_own_job(running: Harness) -> None:
    h = running
    before = h.scheduler.next_runs()
    assert len(before) == len(CHANNELS)
    # jobs loaded together at start share their first fire: the next 18:00 UTC from now
    assert {local_time(h.scheduler, job) for job in before} == {"18:00"}
    assert all(timedelta(0) < at - datetime.now(UTC) <= timedelta(days=3) for at in before.values())
    touched = h.scheduler.timetable.touched
    await h.command("daily set time=07:30 tz=UTC", channel="C3", admin=True)
    assert h.scheduler.timetable.touched - touched == 1
    after = h.scheduler.next_runs()
    assert local_time(h.scheduler, "daily:3") == "07:30"
    assert {k: v for k, v in after.items() if k != "daily:3"} == {
        k: v for k, v in before.items() if k != "daily:3"
    }


async def test_a_new_schedule_and_a_turned_off_one_each_touch_one_job(running: Harness) -> None:
    h = running
    touched = h.scheduler.timetable.touched
    await h.command("daily set time=06:00 tz=UTC", channel="C9", admin=True)
    assert h.scheduler.timetable.touched - touched == 1
    assert len(h.scheduler.next_runs()) == len(CHANNELS) + 1
    await h.command("daily off", channel="C2", admin=True)
    assert h.scheduler.timetable.touched - touched == 2
    assert "daily:2" not in h.scheduler.next_runs()


async def test_a_setting_that_keeps_the_time_touches_no_job(running: Harness) -> None:
    h = running
    touched = h.scheduler.timetable.touched
    await h.command("daily set time=18:00 tz=UTC topics=all", channel="C1", admin=True)
    assert h.scheduler.timetable.touched == touched
    assert await h.scheduler.timetable.catch_up() == 0  # the sweep finds nothing new either


async def test_a_refused_change_touches_nothing(running: Harness) -> None:
    h = running
    touched = h.scheduler.timetable.touched
    await h.command("daily set time=25:00 tz=UTC", channel="C1", admin=True)
    await h.command("daily off", channel="C1")  # not an admin
    assert h.scheduler.timetable.touched == touched
    assert local_time(h.scheduler, "daily:1") == "18:00"


# --- two replicas on one database ---------------------------------------------------------


async def second_engine(database: AsyncEngine, url: str) -> AsyncEngine:
    """Another process's own connection pool onto the same database (and schema)."""
    if database.dialect.name == "sqlite":
        return create_engine(url)
    async with database.connect() as conn:
        schema = (await conn.execute(text("SHOW search_path"))).scalar_one()
    return create_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=BACKENDS)
async def replicas(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Harness, Harness]]:
    """Replicas a and b, each with its own pool, clock, engine and running scheduler."""
    async with migrated_database(request.param, tmp_path) as (database, url):
        other = await second_engine(database, url)
        a = Harness(database, fixture_bank(), ManualClock(START))
        b = Harness(other, fixture_bank(), ManualClock(START))
        b.instance = "test-2"
        b._ids = itertools.count(10_000)  # event ids are unique across the replicas
        b.new_engine()
        await a.scheduler.start()
        await b.scheduler.start()
        try:
            yield a, b
        finally:
            await a.scheduler.shutdown()
            await b.scheduler.shutdown()
            await other.dispose()


async def test_a_change_on_one_replica_reaches_the_other_at_its_next_sweep(
    replicas: tuple[Harness, Harness],
) -> None:
    a, b = replicas
    await a.command("daily set time=18:00 tz=Europe/Berlin", admin=True)
    assert list(a.scheduler.next_runs()) == ["daily:1"]
    assert b.scheduler.next_runs() == {}
    await b.scheduler.sweep()
    assert local_time(b.scheduler, "daily:1", "Europe/Berlin") == "18:00"

    await a.command("daily set time=07:15 tz=America/New_York", admin=True)
    touched = b.scheduler.timetable.touched
    await b.scheduler.sweep()
    assert b.scheduler.timetable.touched - touched == 1
    assert local_time(b.scheduler, "daily:1", "America/New_York") == "07:15"

    await b.scheduler.sweep()  # nothing new: the settle window's rows touch no job
    assert b.scheduler.timetable.touched - touched == 1


async def test_turning_off_on_one_replica_removes_the_job_on_the_other(
    replicas: tuple[Harness, Harness],
) -> None:
    a, b = replicas
    for channel in ("C1", "C2"):
        await a.command("daily set time=18:00 tz=UTC", channel=channel, admin=True)
    await b.scheduler.sweep()
    assert sorted(b.scheduler.next_runs()) == ["daily:1", "daily:2"]
    await a.command("daily off", channel="C2", admin=True)
    await b.scheduler.sweep()
    assert sorted(b.scheduler.next_runs()) == ["daily:1"]


async def test_a_schedule_deleted_outright_leaves_the_other_replica_too(
    replicas: tuple[Harness, Harness],
) -> None:
    a, b = replicas
    for channel in ("C1", "C2", "C3"):
        await a.command("daily set time=18:00 tz=UTC", channel=channel, admin=True)
    await b.scheduler.sweep()
    assert len(b.scheduler.next_runs()) == 3
    assert a.database is not None
    async with a.database.begin() as conn:  # no updated_at to see: the row is simply gone
        await conn.execute(text("DELETE FROM schedules WHERE id = 2"))
    await b.scheduler.sweep()
    assert sorted(b.scheduler.next_runs()) == ["daily:1", "daily:3"]


async def test_a_replica_whose_clock_runs_behind_is_still_heard(
    replicas: tuple[Harness, Harness],
) -> None:
    a, b = replicas
    await b.command("daily set time=18:00 tz=UTC", channel="C1", admin=True)
    await b.scheduler.sweep()  # b has now seen changes up to its own stamp
    a.clock.set(START - timedelta(minutes=1))  # a stamps its change a minute earlier
    await a.command("daily set time=19:00 tz=UTC", channel="C2", admin=True)
    await b.scheduler.sweep()
    assert local_time(b.scheduler, "daily:2") == "19:00"


async def test_a_workspace_uninstalled_stops_its_jobs_in_one_pass(running: Harness) -> None:
    h = running
    touched = h.scheduler.timetable.touched
    assert await h.engine.workspace_gone("test", "W1") == len(CHANNELS)
    assert h.scheduler.next_runs() == {}
    assert h.scheduler.timetable.touched - touched == len(CHANNELS)


async def test_a_database_too_busy_at_start_leaves_the_jobs_to_the_first_sweep(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for channel in ("C1", "C2"):
        await h.command("daily set time=18:00 tz=UTC", channel=channel, admin=True)
    assert h.database is not None
    monkeypatch.setattr(h.database.sync_engine.pool, "_timeout", 0.2)  # wait less for the test
    async with h.database.connect() as taken:  # SQLite's one pooled connection, busy elsewhere
        await taken.execute(text("SELECT 1"))
        await h.scheduler.start()  # a flood of events at start must not stop the process
    assert h.scheduler.next_runs() == {}
    await h.scheduler.sweep()
    assert sorted(h.scheduler.next_runs()) == ["daily:1", "daily:2"]
    await h.scheduler.shutdown()
