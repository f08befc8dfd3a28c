"""The APScheduler wiring: cron jobs loaded from the schedules table, start-up catch-up."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.app.root import CollectorPause
from bot.app.scheduler import DailyScheduler, cron_for
from bot.daily.calendar import Recurrence
from tests.bot.test_daily import daily_posts, schedule
from tests.support.harness import Harness


@pytest.fixture
async def scheduler(h_memory: Harness) -> AsyncIterator[DailyScheduler]:
    running = h_memory.scheduler  # the one the composition root built with the engine
    yield running
    await running.shutdown()


def test_cron_jobs_run_in_the_schedules_own_zone() -> None:
    weekdays = frozenset(range(5))
    trigger = cron_for(Recurrence(time(9, 0), ZoneInfo("Europe/Berlin"), weekdays))
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    upcoming = trigger.get_next_fire_time(None, saturday)
    assert (
        upcoming.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %d %H:%M %Z")
        == "Mon 30 09:00 CEST"
    )


async def test_jobs_follow_the_table_as_schedules_change(
    h_memory: Harness, scheduler: DailyScheduler
) -> None:
    h = h_memory
    await scheduler.start()
    assert scheduler.next_runs() == {}
    await schedule(h)
    assert list(scheduler.next_runs()) == ["daily:1"]
    first = scheduler.next_runs()["daily:1"].astimezone(ZoneInfo("Europe/Berlin"))
    assert first.strftime("%H:%M") == "09:00"
    await h.command("daily set time=07:15 tz=America/New_York", admin=True)
    moved = scheduler.next_runs()["daily:1"].astimezone(ZoneInfo("America/New_York"))
    assert moved.strftime("%H:%M") == "07:15"
    await h.command("daily off", admin=True)
    assert scheduler.next_runs() == {}


async def test_start_up_catches_up_on_a_missed_post(
    h_memory: Harness, scheduler: DailyScheduler
) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    h.clock.set(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))  # 11:30 in Berlin, the bot was down
    await scheduler.start()
    assert [s.message.title for s in daily_posts(h)] == ["Daily question · Mon 2 Mar"]


async def test_a_restarted_scheduler_never_posts_twice(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    h.clock.set(datetime(2026, 3, 2, 8, 30, tzinfo=UTC))
    for _ in range(3):
        h.new_engine()
        running = h_memory.scheduler
        await running.start()
        await running.shutdown()
    assert len(daily_posts(h)) == 1


async def test_a_job_loaded_at_start_posts_when_it_fires(
    h_memory: Harness, scheduler: DailyScheduler
) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # 08:00 in Berlin, before the post
    await schedule(h)
    await scheduler.start()
    assert daily_posts(h) == []
    job = scheduler._scheduler.get_job("daily:1")
    h.clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    await job.func(*job.args, **job.kwargs)  # what the executor runs at 09:00 Berlin
    assert [s.message.title for s in daily_posts(h)] == ["Daily question · Mon 2 Mar"]


async def test_jobs_loaded_at_start_follow_the_cron_of_their_recurrence(
    h_memory: Harness, scheduler: DailyScheduler
) -> None:
    h = h_memory
    await schedule(h, "time=02:30 tz=Europe/Berlin days=mon-sun")
    await scheduler.start()
    job = scheduler._scheduler.get_job("daily:1")
    cron = cron_for(Recurrence(time(2, 30), ZoneInfo("Europe/Berlin"), frozenset(range(7))))
    assert job.next_run_time == cron.get_next_fire_time(None, datetime.now(UTC))
    assert str(job.trigger) == str(cron)
    spring = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # the night the clocks go forward
    fires = [job.trigger.get_next_fire_time(None, spring)]
    for _ in range(2):
        fires.append(job.trigger.get_next_fire_time(fires[-1], fires[-1]))
    assert [f.astimezone(UTC) for f in fires] == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST: the gap's time, an hour on
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 31, 0, 30, tzinfo=UTC),
    ]


def test_start_up_holds_the_collector_off_until_ready() -> None:
    assert gc.isenabled()
    starting = CollectorPause()
    assert not gc.isenabled()
    starting.end()
    assert gc.isenabled()
    gc.disable()  # a process that runs without the collector keeps it off
    try:
        starting = CollectorPause()
        starting.end()
        assert not gc.isenabled()
    finally:
        gc.enable()
