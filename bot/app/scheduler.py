"""APScheduler 3 in memory: one cron job per schedule, built from our own table at start.

The job store is never shared, so several processes may each run this; the claim row makes the
second one harmless. A change made here updates its one job as soon as it commits; a change made
by another replica reaches this one's jobs at its next sweep (`Timetable`). The sweep, every
minute, also runs catch-up posts (after downtime or a daylight-saving gap), reveals and
idle-round pauses through the same `Clockwork.tick` the console's simulated clock uses.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clockwork import Clockwork
from bot.daily.calendar import Recurrence, days_key
from bot.daily.timetable import DEFAULT_SETTLE, Timetable
from bot.ports.storage import DATABASE_DOWN, Busy, UnitOfWork

log = logging.getLogger(__name__)

DAILY_PREFIX = "daily:"
SWEEP_JOB = "sweep"
# What makes scheduled work wait for the next sweep instead of failing: a database that is
# down, or one so busy (a flood of events at start) that no connection came free in time.
WAIT_FOR_NEXT_SWEEP = (Busy, *DATABASE_DOWN)


@functools.lru_cache(maxsize=4096)
def cron_for(rec: Recurrence) -> CronTrigger:
    """The cron trigger of a schedule's recurrence: its local time on its weekdays.

    A trigger holds no state of its own, so schedules that recur alike share one: at start-up
    most of 10,000 schedules cost a lookup instead of compiling eight cron fields each.
    """
    return CronTrigger(
        day_of_week=days_key(rec.weekdays),
        hour=rec.at.hour,
        minute=rec.at.minute,
        timezone=rec.zone,
    )


class DailyScheduler:
    def __init__(
        self,
        clockwork: Clockwork,
        uow_factory: Callable[[], UnitOfWork],
        misfire_grace: timedelta = timedelta(hours=6),
        sweep_every: timedelta = timedelta(seconds=60),
        settle: timedelta = DEFAULT_SETTLE,
    ) -> None:
        self._clockwork = clockwork
        self._sweep_every = sweep_every
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
            },
            timezone=UTC,
        )
        self.timetable = Timetable(uow_factory, self, settle)
        # While every job is loaded at start: each recurrence's first fire, worked out once for
        # all the schedules that share it (the cron arithmetic is most of a job's cost).
        self._first_fires: dict[Recurrence, datetime | None] | None = None

    async def start(self) -> None:
        """Build the jobs, start, and catch up on whatever fell due while the bot was down.

        The jobs are added before the scheduler runs, so it files them all in one pass. A
        database too busy or down to read them now leaves that to the first sweep.
        """
        self._first_fires = {}
        try:
            await self.timetable.load()
        except WAIT_FOR_NEXT_SWEEP:
            log.warning("could not read the schedules at start: the first sweep loads them")
        finally:
            self._first_fires = None
        self._scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id=SWEEP_JOB,
            replace_existing=True,
        )
        self._scheduler.start()
        log.info("scheduler has %d daily jobs", len(self.timetable.held))
        try:
            await self._clockwork.tick()
        except Busy:
            log.warning("database busy at start: the catch-up runs at the first sweep")

    async def sweep(self) -> int:
        """Every minute: take in other replicas' schedule changes, then run what fell due."""
        try:
            await self.timetable.catch_up()
        except WAIT_FOR_NEXT_SWEEP:
            log.warning("database unavailable: schedule changes wait for the next sweep")
        return await self._clockwork.tick()

    async def schedule_changed(self, channel_id: int | None = None) -> None:
        """A committed change: that channel's job alone, or (None) whatever changed anywhere."""
        if not self._scheduler.running:
            return  # start() loads every schedule as it stands then
        try:
            if channel_id is None:
                await self.timetable.catch_up()
            else:
                await self.timetable.channel_changed(channel_id)
        except WAIT_FOR_NEXT_SWEEP:
            # The change is committed; the next sweep (within a minute) brings the job in line.
            log.warning("database unavailable: the schedule's job follows at the next sweep")

    # --- the job sink the timetable drives ---------------------------------------------

    def put(self, schedule_id: int, when: Recurrence, new: bool) -> None:
        job_id = f"{DAILY_PREFIX}{schedule_id}"
        if new:
            first = self._first_fire(when)
            self._scheduler.add_job(
                self._clockwork.fire_daily,
                cron_for(when),
                args=[schedule_id],
                id=job_id,
                replace_existing=True,
                # None would pause the job: leave it out and let the scheduler work it out.
                **({"next_run_time": first} if first is not None else {}),
            )
        else:
            self._scheduler.reschedule_job(job_id, trigger=cron_for(when))

    def _first_fire(self, when: Recurrence) -> datetime | None:
        if self._first_fires is None:
            return None
        if when not in self._first_fires:
            self._first_fires[when] = cron_for(when).get_next_fire_time(None, datetime.now(UTC))
        return self._first_fires[when]

    def drop(self, schedule_id: int) -> None:
        self._scheduler.remove_job(f"{DAILY_PREFIX}{schedule_id}")

    def next_runs(self) -> dict[str, datetime]:
        return {
            job.id: job.next_run_time
            for job in self._scheduler.get_jobs()
            if job.id.startswith(DAILY_PREFIX) and job.next_run_time is not None
        }

    async def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
