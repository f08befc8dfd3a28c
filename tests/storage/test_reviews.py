"""The review repository on SQLite and PostgreSQL: cards, due order, summary, forecast,
reminders, the once-a-day claim, and the index that serves a user's due cards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports.records import ReviewCard, ReviewReminder
from storage.database import session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as (engine, _url):
        yield engine


@pytest.fixture
def uow(database: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(session_factory(database))


async def two_users(uow: UnitOfWorkFactory) -> tuple[int, int]:
    async with uow() as u:
        alice = await u.directory.identify("slack", "T1", "C1", "general", "U1", "Alice", NOW)
        bob = await u.directory.identify("slack", "T1", "C1", "general", "U2", "Bob", NOW)
        await u.commit()
    return alice.user_id, bob.user_id


def card(user_id: int, question_id: str, due: datetime, **changes: object) -> ReviewCard:
    values: dict[str, object] = {
        "stability": 2.5,
        "difficulty": 5.0,
        "reps": 1,
        "lapses": 0,
        "last_score": 50,
        "last_missed": ("L2 penalises squared weights",),
        "last_review": due - timedelta(days=1),
    }
    values.update(changes)
    return ReviewCard(user_id, question_id, due, **values)  # type: ignore[arg-type]


async def test_cards_are_saved_replaced_and_read_back(uow: UnitOfWorkFactory) -> None:
    alice, bob = await two_users(uow)
    async with uow() as u:
        await u.reviews.save([card(alice, "q1", NOW), card(bob, "q1", NOW)])
        await u.commit()
    async with uow() as u:
        await u.reviews.save([card(alice, "q1", NOW + timedelta(days=3), reps=2, last_score=90)])
        await u.commit()
    async with uow() as u:
        found = await u.reviews.cards({(alice, "q1"), (bob, "q1"), (alice, "missing")})
    assert set(found) == {(alice, "q1"), (bob, "q1")}
    mine = found[(alice, "q1")]
    assert (mine.due, mine.reps, mine.last_score) == (NOW + timedelta(days=3), 2, 90)
    assert mine.last_missed == ("L2 penalises squared weights",)
    assert mine.last_review == NOW + timedelta(days=2)


async def test_due_cards_come_most_overdue_first_and_only_the_users_own(
    uow: UnitOfWorkFactory,
) -> None:
    alice, bob = await two_users(uow)
    async with uow() as u:
        await u.reviews.save(
            [
                card(alice, "late", NOW - timedelta(days=5)),
                card(alice, "later", NOW - timedelta(hours=1)),
                card(alice, "future", NOW + timedelta(days=2)),
                card(bob, "bobs", NOW - timedelta(days=9)),
            ]
        )
        await u.commit()
    async with uow() as u:
        due = await u.reviews.due(alice, NOW, 10)
        assert [c.question_id for c in due] == ["late", "later"]
        assert [c.question_id for c in await u.reviews.due(alice, NOW, 1)] == ["late"]
        picked = await u.reviews.due_questions(alice, NOW, 1)
        assert (picked.total, picked.question_ids) == (2, ("late",)), "counts past the limit"
        assert (await u.reviews.due_questions(alice, NOW, 10)).question_ids == ("late", "later")
        assert (await u.reviews.due_questions(12345, NOW, 10)).total == 0
        assert await u.reviews.next_due(alice) == NOW - timedelta(days=5)
        assert await u.reviews.next_due(12345) is None


async def test_summary_counts_due_cards_and_retention(uow: UnitOfWorkFactory) -> None:
    alice, _ = await two_users(uow)
    async with uow() as u:
        await u.reviews.save(
            [
                card(alice, "a", NOW - timedelta(days=1), reps=3, lapses=1),
                card(alice, "b", NOW + timedelta(days=3), reps=2, lapses=0),
                card(alice, "c", NOW + timedelta(days=20)),
            ]
        )
        await u.commit()
    async with uow() as u:
        summary = await u.reviews.summary(alice, NOW, NOW + timedelta(days=7))
    assert (summary.cards, summary.due_now, summary.due_soon) == (3, 1, 2)
    assert (summary.reviews, summary.kept) == (3, 2)


async def test_the_forecast_gives_due_counts_per_local_day(uow: UnitOfWorkFactory) -> None:
    alice, _ = await two_users(uow)
    async with uow() as u:
        await u.reviews.save(
            [
                card(alice, "overdue", NOW - timedelta(days=4)),
                card(alice, "tonight", NOW.replace(hour=23, minute=30)),  # 01:30 next day Berlin
                card(alice, "in-two", NOW + timedelta(days=2)),
                card(alice, "far", NOW + timedelta(days=30)),
            ]
        )
        await u.commit()
    async with uow() as u:
        utc = await u.reviews.due_per_day(alice, NOW, 3, "UTC")
        berlin = await u.reviews.due_per_day(alice, NOW, 3, "Europe/Berlin")
    assert utc == [(date(2026, 5, 4), 2), (date(2026, 5, 5), 0), (date(2026, 5, 6), 1)]
    assert berlin == [(date(2026, 5, 4), 1), (date(2026, 5, 5), 1), (date(2026, 5, 6), 1)]


async def test_reminders_fall_due_move_on_and_claim_once_a_day(uow: UnitOfWorkFactory) -> None:
    alice, bob = await two_users(uow)
    async with uow() as u:
        await u.reviews.set_reminder(ReviewReminder(alice, "09:00", "UTC", NOW))
        await u.reviews.set_reminder(ReviewReminder(bob, "18:00", "UTC", NOW + timedelta(hours=6)))
        await u.reviews.set_reminder(ReviewReminder(alice, "08:00", "UTC", NOW - timedelta(1)))
        await u.commit()
    async with uow() as u:
        due = await u.reviews.due_reminders(NOW)
        assert [(t.platform, t.workspace, t.user) for t in due] == [("slack", "T1", "U1")]
        assert due[0].reminder.remind_at == "08:00"
        assert await u.reviews.next_reminder_after(NOW) == NOW + timedelta(hours=6)
        tomorrow = NOW + timedelta(hours=20)
        await u.reviews.move_reminder(alice, NOW - timedelta(1), tomorrow)
        await u.reviews.move_reminder(alice, NOW - timedelta(1), NOW)  # lost race: no change
        assert (await u.reviews.reminder_of(alice)) == ReviewReminder(
            alice, "08:00", "UTC", tomorrow
        )
        assert await u.reviews.claim_nudge(alice, date(2026, 5, 4), NOW)
        assert not await u.reviews.claim_nudge(alice, date(2026, 5, 4), NOW)
        assert await u.reviews.claim_nudge(alice, date(2026, 5, 5), NOW)
        assert await u.reviews.remove_reminder(bob)
        assert not await u.reviews.remove_reminder(bob)
        await u.commit()


async def test_two_units_claiming_the_same_nudge_at_once_get_one_win(
    database: AsyncEngine, uow: UnitOfWorkFactory
) -> None:
    alice, _ = await two_users(uow)

    async def claim() -> bool:
        async with uow() as u:
            won = await u.reviews.claim_nudge(alice, date(2026, 5, 4), NOW)
            await asyncio.sleep(0.05)
            await u.commit()
            return won

    results = await asyncio.gather(claim(), claim(), return_exceptions=True)
    assert sorted(r is True for r in results) == [False, True]


async def test_a_users_due_questions_are_read_from_the_covering_index_alone(
    database: AsyncEngine,
) -> None:
    query = (
        "SELECT question_id FROM review_cards WHERE user_id = 7 AND due <= :now "
        "ORDER BY due, question_id LIMIT 20"
    )
    async with database.connect() as connection:
        if database.dialect.name == "sqlite":
            plan = await connection.execute(text("EXPLAIN QUERY PLAN " + query), {"now": NOW})
            shown = " ".join(str(row[-1]) for row in plan)
            assert "COVERING INDEX ix_review_cards_user_due_question" in shown
            assert "TEMP B-TREE" not in shown, "the index order is the round's order: no sort"
        else:
            await connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = await connection.execute(text("EXPLAIN " + query), {"now": NOW})
            shown = " ".join(str(row[0]) for row in plan)
            assert "Index Only Scan using ix_review_cards_user_due_question" in shown
            assert "Sort" not in shown
