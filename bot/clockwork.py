"""What runs because time passed: due daily posts, reveals, idle rounds, review nudges, pair
requests and idle pair sessions.

The scheduler's cron jobs and its sweep call in here, and so does a simulated clock; inbound
events never do. The fan-out claims, sends and records every post due in the same moment
together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.banks import BankRegistry
from bot.daily.calendar import Recurrence
from bot.daily.fanout import DailyFanOut
from bot.daily.service import DailyService, recurrence
from bot.outbox import Outbox
from bot.pairs.service import PairService
from bot.ports.chat import ChatLookup
from bot.ports.clock import Clock
from bot.ports.storage import DATABASE_DOWN, UnitOfWork
from bot.review.reminders import ReviewReminders
from bot.rounds.mock import MockRounds

log = logging.getLogger(__name__)


class Clockwork:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        daily: DailyService,
        fanout: DailyFanOut,
        rounds: MockRounds,
        clock: Clock,
        chats: ChatLookup,
        send_retry_delay_s: float = 0.5,
        reminders: ReviewReminders | None = None,
        pairs: tuple[PairService, BankRegistry] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._daily = daily
        self._fanout = fanout
        self._rounds = rounds
        self._clock = clock
        self._chats = chats
        self._retry_delay_s = send_retry_delay_s
        self._reminders = reminders or ReviewReminders()
        self._pairs = pairs

    async def tick(self) -> int:
        """Run what fell due: catch-up posts, reveals, idle rounds. Returns how many things ran.

        A database outage skips this tick; the next one (a minute later) catches up.
        """
        try:
            return await self._tick()
        except DATABASE_DOWN:
            log.warning(
                "database unavailable: scheduled work waits for the next tick", exc_info=True
            )
            return 0

    async def _tick(self) -> int:
        now = self._clock.now()
        done = 0
        due = await self._daily.due_posts(self._uow, now)
        done += await self._fanout.post_all(due)
        done += await self._daily.reveal_due(self._uow, self._chats, now)
        outbox = Outbox(retry_delay_s=self._retry_delay_s)
        async with self._uow() as uow:
            done += await self._rounds.pause_idle(uow, self._chats, now, outbox)
            if self._pairs is not None:
                pairs, banks = self._pairs
                done += await pairs.sweep(uow, self._chats, banks, now, outbox)
            await uow.commit()
        await outbox.deliver()
        done += await self._reminders.sweep(self._uow, self._chats, now)
        return done

    async def fire_daily(self, schedule_id: int) -> bool:
        """A schedule's cron job: post today's question (in the schedule's zone) unless claimed.

        Every job of a minute fires at once; the fan-out claims and records them together.
        """
        return await self._fanout.post(schedule_id)

    async def post_now(self, schedule_id: int) -> bool:
        """`daily now`: today's post of a schedule, through the same fan-out as the cron's."""
        async with self._uow() as uow:
            schedule = await uow.schedules.get(schedule_id)
            day = recurrence(schedule).local_date(self._clock.now()) if schedule else None
        return day is not None and await self._fanout.post(schedule_id, day)

    async def next_due_after(self, moment: datetime) -> datetime | None:
        """When something time-driven happens next; a simulated clock steps through these."""
        candidates = [await self._daily.next_due_after(self._uow, moment)]
        async with self._uow() as uow:
            candidates.append(await self._rounds.next_pause_after(uow, moment))
            candidates.append(await self._reminders.next_after(uow, moment))
            if self._pairs is not None:
                candidates.append(await self._pairs[0].next_due_after(uow, moment))
        upcoming = [c for c in candidates if c is not None]
        return min(upcoming) if upcoming else None

    async def enabled_schedules(self) -> list[tuple[int, Recurrence]]:
        """Each enabled schedule's id and recurrence, for the scheduler's cron jobs."""
        async with self._uow() as uow:
            return [(s.id, recurrence(s)) for s in await uow.schedules.enabled()]
