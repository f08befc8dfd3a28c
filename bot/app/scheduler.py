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

from apscheduler.job import Job
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import get_callable_name, obj_to_ref

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

    A trigger holds no state of its own, so schedules that recur alike share one, and its
    eight cron fields are compiled once for all of them.
    """
    return CronTrigger(
        day_of_week=days_key(rec.weekdays),
        hour=rec.at.hour,
        minute=rec.at.minute,
        timezone=rec.zone,
    )


class DailyTrigger(BaseTrigger):  # type: ignore[misc]
    """A schedule's cron trigger, compiled the first time a fire time is asked of it.

    Compiling a cron trigger (eight fields of expressions) cost more than anything else about
    a job at start-up, and a job loaded then needs nothing of it until its first fire, whose
    time the recurrence gives. After that it is the cron trigger's own arithmetic.
    """

    __slots__ = ("when",)

    def __init__(self, when: Recurrence) -> None:
        self.when = when

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = cron_for(self.when).get_next_fire_time(previous_fire_time, now)
        return fire

    def __str__(self) -> str:
        return str(cron_for(self.when))

    def __repr__(self) -> str:
        return f"<DailyTrigger ({cron_for(self.when)!r})>"


@functools.lru_cache(maxsize=4096)
def trigger_for(when: Recurrence) -> DailyTrigger:
    """One trigger for all the jobs of schedules that recur alike."""
    return DailyTrigger(when)


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
        self._store = MemoryJobStore()
        self._job_defaults = {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(misfire_grace.total_seconds()),
        }
        self._scheduler = AsyncIOScheduler(
            jobstores={"default": self._store}, job_defaults=self._job_defaults, timezone=UTC
        )
        self.timetable = Timetable(uow_factory, self, settle)
        # While every job is loaded at start: the schedules whose jobs are added together after.
        self._loading: list[tuple[int, Recurrence]] | None = None

    async def start(self) -> None:
        """Build the jobs, start, and catch up on whatever fell due while the bot was down.

        The jobs are filed before the scheduler runs, all together. A database too busy or down
        to read them now leaves that to the first sweep.
        """
        self._loading = []
        try:
            await self.timetable.load()
        except WAIT_FOR_NEXT_SWEEP:
            log.warning("could not read the schedules at start: the first sweep loads them")
        finally:
            loaded, self._loading = self._loading, None
            self._add_all(loaded)
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
        if new and self._loading is not None:
            self._loading.append((schedule_id, when))
        elif new:
            self._scheduler.add_job(
                self._clockwork.fire_daily,
                trigger_for(when),
                args=[schedule_id],
                id=job_id,
                replace_existing=True,
            )
        else:
            self._scheduler.reschedule_job(job_id, trigger=trigger_for(when))

    def _add_all(self, loaded: list[tuple[int, Recurrence]]) -> None:
        """File the jobs loaded at start straight into the job store, unvalidated and unlogged.

        `add_job` checks the callable's signature, logs a line and wakes the scheduler for each
        job: most of start-up at 10,000 schedules. These jobs are rebuilt instead as
        APScheduler's persistent job stores restore theirs (from the job's saved state, whose
        format is fixed for 3.x), the callable named by reference and its instance passed as
        the first argument. Each recurrence's first fire is worked out once for the schedules
        sharing it.
        """
        fire = self._clockwork.fire_daily
        try:
            func = obj_to_ref(fire)
        except ValueError:  # a clockwork defined where no reference reaches it
            for schedule_id, when in loaded:
                self.put(schedule_id, when, new=True)
            return
        state = {
            "version": 1,
            "func": func,
            "executor": "default",
            "kwargs": {},
            "name": get_callable_name(fire),
            **self._job_defaults,
        }
        now = datetime.now(UTC)
        fires: dict[Recurrence, tuple[DailyTrigger, datetime | None]] = {}
        for schedule_id, when in loaded:
            if when not in fires:
                # The recurrence's next instant is the cron's first fire, except inside a
                # repeated hour, where the cron fires again (a post the day's claim turns away).
                upcoming = when.next_after(now)
                fires[when] = (trigger_for(when), upcoming[1] if upcoming else None)
            trigger, first = fires[when]
            job = Job.__new__(Job)
            job.__setstate__(
                state
                | {
                    "id": f"{DAILY_PREFIX}{schedule_id}",
                    "trigger": trigger,
                    "args": (self._clockwork, schedule_id),
                    "next_run_time": first,
                }
            )
            job._scheduler, job._jobstore_alias = self._scheduler, "default"
            try:
                self._store.add_job(job)
            except ConflictingIdError:
                self._store.update_job(job)

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
