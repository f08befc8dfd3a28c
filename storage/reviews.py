"""Spaced-review cards and daily nudges: set-based reads and writes over the review tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import DueQuestions, NudgeTarget, ReviewCard, ReviewReminder, ReviewSummary
from storage.models import ReviewCard as CardRow
from storage.models import ReviewNudge, User, Workspace
from storage.models import ReviewReminder as ReminderRow
from storage.repositories import _insert
from storage.sets import is_postgres, one_of

_CARDS = CardRow.__table__

# Keys per statement when many cards are read at once (well under SQLite's variable limit).
KEY_CHUNK = 400


def card_of(row: Any) -> ReviewCard:
    return ReviewCard(
        user_id=row.user_id,
        question_id=row.question_id,
        due=row.due,
        stability=row.stability,
        difficulty=row.difficulty,
        reps=row.reps,
        lapses=row.lapses,
        last_score=row.last_score,
        last_missed=tuple(row.last_missed or ()),
        last_review=row.last_review,
    )


def card_row(card: ReviewCard) -> dict[str, Any]:
    return {
        "user_id": card.user_id,
        "question_id": card.question_id,
        "due": card.due,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "reps": card.reps,
        "lapses": card.lapses,
        "last_score": card.last_score,
        "last_missed": list(card.last_missed),
        "last_review": card.last_review,
    }


def _reminder(row: Any) -> ReviewReminder:
    return ReviewReminder(row.user_id, row.remind_at, row.timezone, row.next_at)


class Reviews:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- cards --------------------------------------------------------------------------

    async def cards(self, keys: Collection[tuple[int, str]]) -> dict[tuple[int, str], ReviewCard]:
        found: dict[tuple[int, str], ReviewCard] = {}
        ordered = sorted(set(keys))
        connection = await self._session.connection()
        if is_postgres(self._session):
            # Two array parameters: one statement text for any batch (storage/sets.py). It
            # reads the users' cards for any of the questions; a batch asks one question.
            users, questions = {u for u, _ in ordered}, {q for _, q in ordered}
            rows = await connection.execute(
                select(_CARDS).where(
                    one_of(self._session, _CARDS.c.user_id, users),
                    one_of(self._session, _CARDS.c.question_id, questions),
                )
            )
            wanted = set(ordered)
            for row in rows:
                if (row.user_id, row.question_id) in wanted:
                    found[(row.user_id, row.question_id)] = card_of(row)
            return found
        for start in range(0, len(ordered), KEY_CHUNK):
            chunk = ordered[start : start + KEY_CHUNK]
            rows = await connection.execute(
                select(_CARDS).where(tuple_(_CARDS.c.user_id, _CARDS.c.question_id).in_(chunk))
            )
            for row in rows:
                found[(row.user_id, row.question_id)] = card_of(row)
        return found

    async def save(self, cards: Sequence[ReviewCard]) -> None:
        if not cards:
            return
        # A Core statement on the session's connection: every daily answer batch saves its
        # cards, and the ORM's bulk path costs that hot path far more than the statement.
        stmt = _insert(self._session, _CARDS)
        columns = (
            "due", "stability", "difficulty", "reps", "lapses", "last_score", "last_missed",
            "last_review",
        )  # fmt: skip
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "question_id"],
            set_={name: getattr(stmt.excluded, name) for name in columns},
        )
        # Key order: batches that share users lock their cards in the same order.
        ordered = sorted(cards, key=lambda card: (card.user_id, card.question_id))
        connection = await self._session.connection()
        await connection.execute(stmt, [card_row(card) for card in ordered])

    async def due(self, user_id: int, now: datetime, limit: int) -> list[ReviewCard]:
        rows = await self._session.execute(
            select(CardRow.__table__)
            .where(CardRow.user_id == user_id, CardRow.due <= now)
            .order_by(CardRow.due, CardRow.question_id)
            .limit(limit)
        )
        return [card_of(row) for row in rows]

    async def due_questions(self, user_id: int, now: datetime, limit: int) -> DueQuestions:
        # Only indexed columns, in the index's order: an index-only scan of this user's due
        # range; the window count rides along on the same rows.
        rows = (
            await self._session.execute(
                select(CardRow.question_id, func.count().over())
                .where(CardRow.user_id == user_id, CardRow.due <= now)
                .order_by(CardRow.due, CardRow.question_id)
                .limit(limit)
            )
        ).all()
        return DueQuestions(int(rows[0][1]) if rows else 0, tuple(r[0] for r in rows))

    async def next_due(self, user_id: int) -> datetime | None:
        return await self._session.scalar(
            select(func.min(CardRow.due)).where(CardRow.user_id == user_id)
        )

    async def summary(self, user_id: int, now: datetime, until: datetime) -> ReviewSummary:
        mine = CardRow.user_id == user_id
        row = (
            await self._session.execute(
                select(
                    func.count(),
                    func.count().filter(CardRow.due <= now),
                    func.count().filter(CardRow.due <= until),
                    func.coalesce(func.sum(CardRow.reps - 1), 0),
                    func.coalesce(func.sum(CardRow.lapses), 0),
                ).where(mine)
            )
        ).one()
        cards, due_now, due_soon, reviews, lapses = (int(v) for v in row)
        return ReviewSummary(cards, due_now, due_soon, reviews, reviews - lapses)

    async def due_per_day(
        self, user_id: int, start: datetime, days: int, zone: str
    ) -> list[tuple[date, int]]:
        tz = ZoneInfo(zone)
        first = start.astimezone(tz).date()
        end_local = datetime.combine(first + timedelta(days=days), datetime.min.time(), tz)
        dues = await self._session.scalars(
            select(CardRow.due).where(CardRow.user_id == user_id, CardRow.due < end_local)
        )
        counts = dict.fromkeys((first + timedelta(days=i) for i in range(days)), 0)
        for due in dues:
            day = max(first, due.astimezone(tz).date())
            counts[day] += 1
        return list(counts.items())

    # --- reminders ----------------------------------------------------------------------

    async def set_reminder(self, reminder: ReviewReminder) -> None:
        stmt = _insert(self._session, ReminderRow).values(
            user_id=reminder.user_id,
            remind_at=reminder.remind_at,
            timezone=reminder.timezone,
            next_at=reminder.next_at,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id"],
            set_={
                "remind_at": stmt.excluded.remind_at,
                "timezone": stmt.excluded.timezone,
                "next_at": stmt.excluded.next_at,
            },
        )
        await self._session.execute(stmt)

    async def reminder_of(self, user_id: int) -> ReviewReminder | None:
        row = (
            await self._session.execute(
                select(ReminderRow.__table__).where(ReminderRow.user_id == user_id)
            )
        ).first()
        return None if row is None else _reminder(row)

    async def remove_reminder(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(ReminderRow).where(ReminderRow.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def due_reminders(self, now: datetime, limit: int = 500) -> list[NudgeTarget]:
        rows = await self._session.execute(
            select(
                ReminderRow.__table__,
                User.external_id.label("user_ref"),
                Workspace.platform,
                Workspace.external_id.label("workspace_ref"),
            )
            .join(User, User.id == ReminderRow.user_id)
            .join(Workspace, Workspace.id == User.workspace_id)
            .where(ReminderRow.next_at <= now)
            .order_by(ReminderRow.next_at)
            .limit(limit)
        )
        return [
            NudgeTarget(
                ReviewReminder(r.user_id, r.remind_at, r.timezone, r.next_at),
                platform=r.platform,
                workspace=r.workspace_ref,
                user=r.user_ref,
            )
            for r in rows
        ]

    async def move_reminder(self, user_id: int, after: datetime, next_at: datetime) -> None:
        await self._session.execute(
            update(ReminderRow)
            .where(ReminderRow.user_id == user_id, ReminderRow.next_at <= after)
            .values(next_at=next_at)
        )

    async def next_reminder_after(self, moment: datetime) -> datetime | None:
        return await self._session.scalar(
            select(ReminderRow.next_at)
            .where(ReminderRow.next_at > moment)
            .order_by(ReminderRow.next_at)
            .limit(1)
        )

    async def claim_nudge(self, user_id: int, local_date: date, now: datetime) -> bool:
        stmt = (
            _insert(self._session, ReviewNudge)
            .values(user_id=user_id, local_date=local_date, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "local_date"])
            .returning(ReviewNudge.user_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def release_nudge(
        self, user_id: int, local_date: date, moved_to: datetime, retry_at: datetime | None
    ) -> None:
        # The reminder row first, then the claim: the order a sweep takes them in, so a
        # release and another replica's sweep never wait on each other in a circle.
        if retry_at is not None:
            await self._session.execute(
                update(ReminderRow)
                .where(ReminderRow.user_id == user_id, ReminderRow.next_at == moved_to)
                .values(next_at=retry_at)
            )
        await self._session.execute(
            delete(ReviewNudge).where(
                ReviewNudge.user_id == user_id, ReviewNudge.local_date == local_date
            )
        )
