"""Spaced-review cards, reminders and nudge claims in memory, for the in-memory unit of work."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.ports.records import DueQuestions, NudgeTarget, ReviewCard, ReviewReminder, ReviewSummary


class Reviews:
    def __init__(self, data: Any) -> None:
        self.d = data

    async def cards(self, keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], ReviewCard]:
        return {k: self.d.cards[k] for k in keys if k in self.d.cards}

    async def save(self, cards: Sequence[ReviewCard]) -> None:
        for card in cards:
            self.d.cards[(card.user_id, card.question_id)] = card

    def _of(self, user_id: int) -> list[ReviewCard]:
        return [c for (u, _), c in self.d.cards.items() if u == user_id]

    async def due(self, user_id: int, now: datetime, limit: int) -> list[ReviewCard]:
        due = [c for c in self._of(user_id) if c.due <= now]
        return sorted(due, key=lambda c: (c.due, c.question_id))[:limit]

    async def due_questions(self, user_id: int, now: datetime, limit: int) -> DueQuestions:
        due = [c for c in self._of(user_id) if c.due <= now]
        first = sorted(due, key=lambda c: (c.due, c.question_id))[:limit]
        return DueQuestions(len(due), tuple(c.question_id for c in first))

    async def next_due(self, user_id: int) -> datetime | None:
        return min((c.due for c in self._of(user_id)), default=None)

    async def summary(self, user_id: int, now: datetime, until: datetime) -> ReviewSummary:
        mine = self._of(user_id)
        reviews = sum(c.reps - 1 for c in mine)
        return ReviewSummary(
            len(mine),
            sum(1 for c in mine if c.due <= now),
            sum(1 for c in mine if c.due <= until),
            reviews,
            reviews - sum(c.lapses for c in mine),
        )

    async def due_per_day(
        self, user_id: int, start: datetime, days: int, zone: str
    ) -> list[tuple[date, int]]:
        tz = ZoneInfo(zone)
        first = start.astimezone(tz).date()
        counts = dict.fromkeys((first + timedelta(days=i) for i in range(days)), 0)
        for card in self._of(user_id):
            day = max(first, card.due.astimezone(tz).date())
            if day in counts:
                counts[day] += 1
        return list(counts.items())

    async def set_reminder(self, reminder: ReviewReminder) -> None:
        self.d.reminders[reminder.user_id] = reminder

    async def reminder_of(self, user_id: int) -> ReviewReminder | None:
        return self.d.reminders.get(user_id)

    async def remove_reminder(self, user_id: int) -> bool:
        return self.d.reminders.pop(user_id, None) is not None

    async def due_reminders(self, now: datetime, limit: int = 500) -> list[NudgeTarget]:
        users = {u.id: u for u in self.d.users}
        spaces = {w.id: w for w in self.d.workspaces}
        due = sorted(
            (r for r in self.d.reminders.values() if r.next_at <= now), key=lambda r: r.next_at
        )
        targets = []
        for r in due[:limit]:
            user = users[r.user_id]
            space = spaces[user.workspace_id]
            targets.append(NudgeTarget(r, space.platform, space.external_id, user.external_id))
        return targets

    async def move_reminder(self, user_id: int, after: datetime, next_at: datetime) -> None:
        found = self.d.reminders.get(user_id)
        if found is not None and found.next_at <= after:
            self.d.reminders[user_id] = ReviewReminder(
                user_id, found.remind_at, found.timezone, next_at
            )

    async def next_reminder_after(self, moment: datetime) -> datetime | None:
        return min(
            (r.next_at for r in self.d.reminders.values() if r.next_at > moment), default=None
        )

    async def claim_nudge(self, user_id: int, local_date: date, now: datetime) -> bool:
        if (user_id, local_date) in self.d.nudges:
            return False
        self.d.nudges.add((user_id, local_date))
        return True

    async def release_nudge(
        self, user_id: int, local_date: date, moved_to: datetime, retry_at: datetime | None
    ) -> None:
        self.d.nudges.discard((user_id, local_date))
        found = self.d.reminders.get(user_id)
        if retry_at is not None and found is not None and found.next_at == moved_to:
            self.d.reminders[user_id] = ReviewReminder(
                user_id, found.remind_at, found.timezone, retry_at
            )
