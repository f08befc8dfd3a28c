"""The inbox table on SQLite and PostgreSQL: keep, lease atomically, forget."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports.records import InboxItem
from storage.database import session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture(params=BACKENDS)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as (engine, _url):
        yield engine


@pytest.fixture
def uow(database: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(session_factory(database))


def item(key: str, platform: str = "slack", at: datetime = NOW) -> InboxItem:
    return InboxItem(platform, key, "message", '{"text": "an answer \\u00e9"}', at)


async def keep(uow: UnitOfWorkFactory, items: list[InboxItem], lease_until: datetime) -> None:
    async with uow() as u:
        await u.inbox.add(items, lease_until)
        await u.commit()


async def lease(
    uow: UnitOfWorkFactory, now: datetime, platforms: tuple[str, ...] = ("slack",), limit: int = 50
) -> list[InboxItem]:
    async with uow() as u:
        taken = await u.inbox.lease(platforms, now, now + LEASE, limit)
        await u.commit()
    return taken


async def test_kept_items_wait_for_their_lease_then_are_taken_once(uow: UnitOfWorkFactory) -> None:
    await keep(uow, [item("Ev1"), item("Ev2", at=NOW + timedelta(seconds=1))], NOW + LEASE)
    await keep(uow, [item("Ev1")], NOW + LEASE)  # a platform's retry: kept once
    assert await lease(uow, NOW + LEASE - timedelta(seconds=1)) == []  # the receiver has it
    taken = await lease(uow, NOW + LEASE)
    assert [(i.key, i.attempts, i.payload) for i in taken] == [
        ("Ev1", 1, '{"text": "an answer \\u00e9"}'),
        ("Ev2", 1, '{"text": "an answer \\u00e9"}'),
    ]
    assert taken[0].received_at == NOW
    assert await lease(uow, NOW + LEASE + timedelta(seconds=1)) == []  # leased again
    again = await lease(uow, NOW + 2 * LEASE)
    assert [i.attempts for i in again] == [2, 2]


async def test_only_the_platforms_asked_for_are_taken_and_at_most_limit(
    uow: UnitOfWorkFactory,
) -> None:
    items = [item(f"Ev{n}", at=NOW + timedelta(seconds=n)) for n in range(5)]
    await keep(uow, [*items, item("123", platform="discord")], NOW)
    first = await lease(uow, NOW, limit=2)
    assert [i.key for i in first] == ["Ev0", "Ev1"]
    assert [i.key for i in await lease(uow, NOW, ("discord",))] == ["123"]
    assert [i.key for i in await lease(uow, NOW)] == ["Ev2", "Ev3", "Ev4"]


async def test_handled_items_are_forgotten(uow: UnitOfWorkFactory) -> None:
    await keep(uow, [item(f"Ev{n}") for n in range(450)], NOW)
    async with uow() as u:
        await u.inbox.remove([("slack", f"Ev{n}") for n in range(449)] + [("slack", "unknown")])
        await u.commit()
    async with uow() as u:
        assert await u.inbox.pending() == 1
    assert [i.key for i in await lease(uow, NOW)] == ["Ev449"]


async def test_racing_takers_never_share_an_item(uow: UnitOfWorkFactory) -> None:
    await keep(uow, [item(f"Ev{n:03d}", at=NOW + timedelta(seconds=n)) for n in range(120)], NOW)
    results = await asyncio.gather(*(lease(uow, NOW, limit=25) for _ in range(6)))
    keys = [i.key for taken in results for i in taken]
    assert len(keys) == len(set(keys)) == 120


async def test_replies_held_with_an_events_changes_come_back_with_its_item(
    uow: UnitOfWorkFactory,
) -> None:
    await keep(uow, [item("Ev1"), item("Ev2")], NOW)
    async with uow() as u:
        await u.inbox.hold_replies("slack", {"Ev1": '[{"to": "U1"}]', "EvNotKept": "[]"})
        await u.commit()
    taken = {i.key: i.replies for i in await lease(uow, NOW)}
    assert taken == {"Ev1": '[{"to": "U1"}]', "Ev2": None}


async def test_a_renewed_lease_keeps_an_item_from_other_takers(uow: UnitOfWorkFactory) -> None:
    await keep(uow, [item("Ev1"), item("Ev2")], NOW)
    async with uow() as u:
        await u.inbox.renew([("slack", "Ev1")], NOW + LEASE)
        await u.commit()
    assert [i.key for i in await lease(uow, NOW)] == ["Ev2"]
    assert {i.key for i in await lease(uow, NOW + LEASE)} == {"Ev1", "Ev2"}
