"""APScheduler 3 in memory: one cron job per schedule, rebuilt from our own table.

The job store is never shared, so several processes may each run this; the claim row makes the
second one harmless. A sweep every minute runs catch-up posts (after downtime or a
daylight-saving gap), reveals and idle-round pauses through the same `Clockwork.tick` the
console's simulated clock uses.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clockwork import Clockwork
from bot.daily.calendar import Recurrence, days_key

log = logging.getLogger(__name__)

DAILY_PREFIX = "daily:"
SWEEP_JOB = "sweep"


def cron_for(rec: Recurrence) -> CronTrigger:
    """The cron trigger of a schedule's recurrence: its local time on its weekdays."""
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
        misfire_grace: timedelta = timedelta(hours=6),
        sweep_every: timedelta = timedelta(seconds=60),
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

    async def start(self) -> None:
        """Start, build the jobs, and catch up on whatever fell due while the bot was down."""
        self._scheduler.add_job(
            self._clockwork.tick,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id=SWEEP_JOB,
            replace_existing=True,
        )
        self._scheduler.start()
        await self.rebuild()
        await self._clockwork.tick()

    async def rebuild(self) -> None:
        """Make the cron jobs match the enabled schedules exactly (once started)."""
        if not self._scheduler.running:
            return
        wanted: set[str] = set()
        for schedule_id, rec in await self._clockwork.enabled_schedules():
            job_id = f"{DAILY_PREFIX}{schedule_id}"
            wanted.add(job_id)
            self._scheduler.add_job(
                self._clockwork.fire_daily,
                cron_for(rec),
                args=[schedule_id],
                id=job_id,
                replace_existing=True,
            )
        for job in self._scheduler.get_jobs():
            if job.id.startswith(DAILY_PREFIX) and job.id not in wanted:
                job.remove()
        log.info("scheduler has %d daily jobs", len(wanted))

    def next_runs(self) -> dict[str, datetime]:
        return {
            job.id: job.next_run_time
            for job in self._scheduler.get_jobs()
            if job.id.startswith(DAILY_PREFIX) and job.next_run_time is not None
        }

    async def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
