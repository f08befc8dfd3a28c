"""The opt-in daily nudge: a private message at the user's time on days cards are due.

The clockwork's sweep finds reminders whose moment came, moves each to its next day, and
claims (user, local day) with a unique row before sending, so however many replicas sweep,
a user gets at most one nudge a day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Nudge:
    """One claimed nudge on its way out, with what a failed send needs to give it back."""

    chat: ChatPort
    to: UserRef
    message: RichMessage
    user_id: int
    day: date
    moved_to: datetime
    retry_at: datetime | None


# After a failed send the claim is given back and the nudge tried again this long after,
# as long as that is still the same local day (a refusing platform costs a few calls a day).
RETRY_AFTER = timedelta(minutes=15)


def _retry_moment(now: datetime, zone: ZoneInfo, upcoming: datetime) -> datetime | None:
    retry = now + RETRY_AFTER
    same_day = retry.astimezone(zone).date() == now.astimezone(zone).date()
    return retry if same_day and retry < upcoming else None


class ReviewReminders:
    async def sweep(
        self, uow_factory: Callable[[], UnitOfWork], chats: ChatLookup, now: datetime
    ) -> int:
        """Nudge everyone whose reminder came and who has cards due; returns how many.

        The claim is held while sending, so two replicas never both send; a send that fails
        gives its claim back and re-arms the reminder, so a later sweep delivers it.
        """
        nudges: list[_Nudge] = []
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
                    retry = _retry_moment(now, zone, upcoming)
                    nudges.append(
                        _Nudge(chat, to, views.nudge(due), reminder.user_id, today, upcoming, retry)
                    )
            await uow.commit()
        failed: list[_Nudge] = []
        for nudge in nudges:
            try:
                await nudge.chat.send_direct(nudge.to, nudge.message)
            except Exception:
                log.warning(
                    "a review nudge to %s/%s failed; it will be tried again",
                    nudge.to.platform,
                    nudge.to.user_id,
                    exc_info=True,
                )
                failed.append(nudge)
        if failed:
            async with uow_factory() as uow:
                for nudge in failed:
                    await uow.reviews.release_nudge(
                        nudge.user_id, nudge.day, nudge.moved_to, nudge.retry_at
                    )
                await uow.commit()
        return len(nudges) - len(failed)

    async def next_after(self, uow: UnitOfWork, moment: datetime) -> datetime | None:
        return await uow.reviews.next_reminder_after(moment)
