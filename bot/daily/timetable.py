"""Which daily jobs this process holds, kept in step with the schedules table one change at a time.

A change made here updates only its own channel's job, right after it commits. A change made by
another replica is found by the sweep: it asks storage for the schedules changed since the
newest change it has seen (an indexed query on updated_at), minus a settle window that covers
clock skew between replicas and transactions that commit a little after they stamped the row.
Rows seen again in that window are compared with the job already held, so they touch nothing.
A turned-off schedule is a change like any other; a row removed outright is noticed by a census
(how many schedules are on, and the sum of their ids) that no longer matches the jobs held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Protocol

from bot.commands import CommandError
from bot.daily.calendar import Recurrence
from bot.daily.service import recurrence
from bot.ports.records import Schedule, ScheduleTiming
from bot.ports.storage import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_SETTLE = timedelta(minutes=2)


class JobSink(Protocol):
    """Where the jobs live (the scheduler): one call per job added, moved or removed."""

    def put(self, schedule_id: int, when: Recurrence, new: bool) -> None: ...
    def drop(self, schedule_id: int) -> None: ...


def wanted(schedule: Schedule | ScheduleTiming) -> Recurrence | None:
    """The recurrence a schedule's job should follow; None when it should have no job."""
    if not schedule.enabled:
        return None
    try:
        return recurrence(schedule)
    except (CommandError, ValueError, LookupError):
        log.warning("schedule %s has an unreadable time or zone; no job", schedule.id)
        return None


class Timetable:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        jobs: JobSink,
        settle: timedelta = DEFAULT_SETTLE,
    ) -> None:
        self._uow = uow_factory
        self._jobs = jobs
        self._settle = settle
        self._held: dict[int, Recurrence] = {}
        self._mark: datetime | None = None
        self.touched = 0  # jobs added, moved or removed so far: what a change cost

    @property
    def held(self) -> Mapping[int, Recurrence]:
        return self._held

    async def load(self) -> int:
        """Every enabled schedule's job, at start; returns how many are held."""
        async with self._uow() as uow:
            schedules = await uow.schedules.enabled()
            _, _, newest = await uow.schedules.census()
        self._mark = newest
        self._apply((s.id, wanted(s)) for s in schedules)
        return len(self._held)

    async def channel_changed(self, channel_id: int) -> int:
        """A change committed here: update that channel's job alone. Returns jobs touched."""
        async with self._uow() as uow:
            schedule = await uow.schedules.for_channel(channel_id)
        if schedule is None:
            return 0
        return self._apply([(schedule.id, wanted(schedule))])

    async def catch_up(self) -> int:
        """The sweep's part: apply what changed anywhere since the last look. Jobs touched."""
        since = self._mark - self._settle if self._mark is not None else None
        async with self._uow() as uow:
            changed = await uow.schedules.changed_since(since)
            count, id_sum, newest = await uow.schedules.census()
            touched = self._apply((s.id, wanted(s)) for s in changed)
            if (count, id_sum) != (len(self._held), sum(self._held)):
                # Rows went away without a trace (deleted outright): compare the whole set.
                enabled = {s.id: wanted(s) for s in await uow.schedules.enabled()}
                gone = [(i, None) for i in self._held if i not in enabled]
                touched += self._apply([*gone, *enabled.items()])
        if newest is not None and (self._mark is None or newest > self._mark):
            self._mark = newest
        return touched

    def _apply(self, entries: Iterable[tuple[int, Recurrence | None]]) -> int:
        touched = 0
        for schedule_id, when in entries:
            held = self._held.get(schedule_id)
            if when == held:
                continue
            if when is None:
                self._jobs.drop(schedule_id)
                del self._held[schedule_id]
            else:
                self._jobs.put(schedule_id, when, new=held is None)
                self._held[schedule_id] = when
            touched += 1
        self.touched += touched
        return touched
