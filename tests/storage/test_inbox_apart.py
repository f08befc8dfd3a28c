"""The inbox in a SQLite file of its own: acks never wait on the engine's transactions, and
replies an event owes are still held with its changes, in the main database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import Place
from bot.inbox import Inbox
from bot.inbox.codec import Reply, encode
from bot.messages import RichMessage
from bot.ports.chat import ChatLookup
from bot.ports.clock import ManualClock
from bot.ports.records import InboxItem
from storage import inbox_file
from storage.database import Database, session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database
from tests.support.fakes import FakeChat

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
PLACE = Place("slack", "T1", "C1", "1700000000.000100")


def item(key: str) -> InboxItem:
    return InboxItem("slack", key, "message", '{"text": "an answer"}', NOW)


def owed(body: str) -> str:
    return encode([Reply(PLACE, RichMessage(body=body), private_to="U1")])


@pytest.fixture(params=BACKENDS)
async def main(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(request.param, tmp_path) as (engine, _url):
        yield engine


async def test_replies_held_apart_are_read_by_key_and_never_taken_as_items(
    main: AsyncEngine,
) -> None:
    units = UnitOfWorkFactory(session_factory(main), holds_apart=True)
    async with units() as uow:
        await uow.inbox.hold_replies("slack", {"Ev1": owed("first"), "Ev2": owed("second")})
        await uow.commit()
    async with units() as uow:  # held again by a retry of the same event: the newer ones stay
        await uow.inbox.hold_replies("slack", {"Ev1": owed("first, again")})
        await uow.commit()
    async with units() as uow:
        held = await uow.inbox.held({("slack", "Ev1"), ("slack", "Ev3"), ("discord", "Ev2")})
        far = NOW + timedelta(days=365 * 100)
        taken = await uow.inbox.lease(["slack"], far, far + LEASE, 10)
        pending = await uow.inbox.pending()
    assert held == {("slack", "Ev1"): owed("first, again")}
    assert (taken, pending) == ([], 0)
    async with units() as uow:
        await uow.inbox.remove({("slack", "Ev1"), ("slack", "Ev2")})
        await uow.commit()
    async with units() as uow:
        assert await uow.inbox.held({("slack", "Ev1"), ("slack", "Ev2")}) == {}


def test_the_inbox_file_sits_beside_the_database_under_a_name_of_its_own() -> None:
    assert inbox_file.beside("/data/interview-bot.db") == "/data/interview-bot.inbox.db"
    assert inbox_file.beside("/data/bot.sqlite3") == "/data/bot.inbox.sqlite3"
    assert inbox_file.beside("state/bot") == "state/bot.inbox.db"


async def counts(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM inbox"))).scalar_one())


def kept_in_file(database: Database) -> int:
    assert database.inbox_file is not None
    found = database.inbox_file.connection.execute(text("SELECT count(*) FROM inbox"))
    return int(found.scalar_one())


async def test_items_an_earlier_version_kept_in_the_main_file_move_to_the_inbox_file(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with migrated_database("sqlite", tmp_path) as (engine, _):
        same_file = UnitOfWorkFactory(session_factory(engine))
        async with same_file() as uow:  # kept as before: item and replies in one row
            await uow.inbox.add([item("Ev1"), item("Ev2")], NOW)
            await uow.inbox.hold_replies("slack", {"Ev1": owed("feedback")})
            await uow.commit()
    (tmp_path / "test.db").rename(tmp_path / "bot.db")
    database = Database(url)
    try:
        await database.upgrade()
        assert database.inbox_file is not None
        assert Path(database.inbox_file.path) == tmp_path / "bot.inbox.db"
        assert await counts(database.engine) == 0
        async with database.inbox_units()() as uow:
            taken = await uow.inbox.lease(["slack"], NOW, NOW + LEASE, 10)
        assert {i.key: i.replies for i in taken} == {"Ev1": owed("feedback"), "Ev2": None}
        await database.upgrade()  # at every start: nothing moves twice
        assert kept_in_file(database) == 2
    finally:
        await database.dispose()


async def test_an_item_left_behind_gets_the_replies_its_event_committed_then_both_are_gone(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    await database.upgrade()
    clock = ManualClock(NOW)
    chat = FakeChat()
    try:
        died = Inbox(database.inbox_units(), clock, LEASE, held_units=database.units(), inline=True)
        await died.keep(item("Ev1"))
        await died.keep(item("Ev2"))
        async with database.units()() as uow:  # Ev1's changes, committed with its replies
            await uow.inbox.hold_replies("slack", {"Ev1": owed("Your answer scored 80/100")})
            await uow.commit()
        # ... and the process died before sending them or handling Ev2.
        handled: list[str] = []

        async def handle(found: InboxItem) -> None:
            handled.append(found.key)

        inbox = Inbox(
            database.inbox_units(),
            clock,
            LEASE,
            chats=ChatLookup({"slack": chat}),
            held_units=database.units(),
        )
        inbox.serve("slack", handle)
        clock.advance(LEASE)
        assert await inbox.sweep() == 2
        await inbox.flush()
        assert handled == ["Ev2"]
        assert [(s.kind, s.to_user, s.message.body) for s in chat.sent] == [
            ("private", "U1", "Your answer scored 80/100")
        ]
        assert kept_in_file(database) == 0
        assert await counts(database.engine) == 0
    finally:
        await database.dispose()


def size_of(path: Path) -> int:
    return path.stat().st_size


async def test_the_inbox_files_log_is_checkpointed_off_the_loop_and_stays_small(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    await database.upgrade()
    assert database.inbox_file is not None
    log = Path(f"{database.inbox_file.path}-wal")
    clock = ManualClock(NOW)
    inbox = Inbox(database.inbox_units(), clock, LEASE, held_units=database.units(), inline=True)
    sizes: list[int] = []
    try:
        for burst in range(4):
            kept = [item(f"Ev{burst}-{n}") for n in range(300)]
            for each in kept:
                await inbox.keep(each)
                inbox.done(each)
            await inbox.flush()
            await database.inbox_file.checkpoint()
            sizes.append(size_of(log))
        assert kept_in_file(database) == 0
        # Without checkpoints the log only grows (SQLite's own are off on this file); with
        # them each burst reuses it from the start.
        assert sizes[-1] <= sizes[0] * 1.2
    finally:
        await database.dispose()
