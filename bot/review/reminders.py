"""The opt-in daily nudge: a private message at the user's time on days cards are due.

The clockwork's sweep finds reminders whose moment came, moves each to its next day, and
claims (user, local day) with a unique row before sending, so however many replicas sweep,
a user gets at most one nudge a day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.messages import RichMessage
from bot.ports.chat import ChatLookup, ChatPort, UserRef
from bot.ports.storage import UnitOfWork
from bot.review import views

log = logging.getLogger(__name__)


def next_occurrence(remind_at: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment after `after` when the local clock in zone shows remind_at."""
    day: date = after.astimezone(zone).date()
    for offset in range(3):
        moment = datetime.combine(day + timedelta(days=offset), remind_at, tzinfo=zone)
        if moment > after:
            return moment
    raise AssertionError("a local time recurs within three days")


def parse_hhmm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


class ReviewReminders:
    async def sweep(
        self, uow_factory: Callable[[], UnitOfWork], chats: ChatLookup, now: datetime
    ) -> int:
        """Nudge everyone whose reminder came and who has cards due; returns how many."""
        sends: list[tuple[ChatPort, UserRef, RichMessage]] = []
        async with uow_factory() as uow:
            for target in await uow.reviews.due_reminders(now):
                reminder = target.reminder
                zone = ZoneInfo(reminder.timezone)
                upcoming = next_occurrence(parse_hhmm(reminder.remind_at), zone, now)
                await uow.reviews.move_reminder(reminder.user_id, reminder.next_at, upcoming)
                chat = chats(target.platform)
                if chat is None:
                    continue
                due = (await uow.reviews.summary(reminder.user_id, now, now)).due_now
                today = now.astimezone(zone).date()
                if due and await uow.reviews.claim_nudge(reminder.user_id, today, now):
                    to = UserRef(target.platform, target.workspace, target.user)
                    sends.append((chat, to, views.nudge(due)))
            await uow.commit()
        sent = 0
        for chat, to, message in sends:
            try:
                await chat.send_direct(to, message)
                sent += 1
            except Exception:
                log.warning(
                    "a review nudge to %s/%s failed", to.platform, to.user_id, exc_info=True
                )
        return sent

    async def next_after(self, uow: UnitOfWork, moment: datetime) -> datetime | None:
        return await uow.reviews.next_reminder_after(moment)
