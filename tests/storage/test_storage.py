"""Storage on SQLite and PostgreSQL: upserts, claims, the one-open-round rule, migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.grading import GradeResult
from bot.ports.records import AnswerRecord, Identity, Round
from bot.ports.storage import Conflict
from storage.database import DatabaseUrlError, async_url, session_factory
from storage.migrate import current_revision, head_revision, is_up_to_date, upgrade
from storage.models import Base
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
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


async def new_round(u: UnitOfWork, channel_id: int, user_id: int, status: str = "active") -> Round:
    round_ = await u.rounds.open(channel_id, user_id, "mock", None, None, 3, NOW)
    round_.status = status
    await u.rounds.flush()
    return round_


async def test_migrations_reach_head_and_match_the_models(database: AsyncEngine) -> None:
    assert await current_revision(database) == head_revision()
    assert await is_up_to_date(database)

    def ours(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
        """Tables other libraries own (the Slack install store) are not our models."""
        return kind != "table" or name in Base.metadata.tables

    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        return list(compare_metadata(context, Base.metadata))

    async with database.connect() as connection:
        assert await connection.run_sync(diff) == []
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {
        "workspaces",
        "channels",
        "users",
        "rounds",
        "round_questions",
        "answers",
        "processed_events",
    } <= tables


async def test_upgrade_twice_is_harmless(database: AsyncEngine) -> None:
    await upgrade(database)
    assert await is_up_to_date(database)


async def test_directory_creates_once_and_keeps_names_current(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        first = await u.directory.identify("slack", "T1", "C1", "general", "U1", "Ada", NOW)
        again = await u.directory.identify("slack", "T1", "C1", "", "U1", "Ada L.", NOW)
        other = await u.directory.identify("discord", "T1", "C1", "general", "U1", "Ada", NOW)
        await u.commit()
    assert first == again
    assert other.workspace_id != first.workspace_id
    async with uow() as u:
        user = await u.directory.get_user(first.user_id)
        channel = await u.directory.get_channel(first.channel_id)
    assert user is not None
    assert user.display_name == "Ada L."
    assert channel is not None
    assert channel.name == "general", "an empty name never overwrites a known one"


async def test_an_event_id_is_claimed_once(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        assert await u.events.claim("slack", "Ev1", NOW)
        assert not await u.events.claim("slack", "Ev1", NOW)
        assert await u.events.claim("discord", "Ev1", NOW)
        await u.commit()
    async with uow() as u:
        assert not await u.events.claim("slack", "Ev1", NOW)


async def test_a_rolled_back_claim_can_be_claimed_again(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        assert await u.events.claim("slack", "Ev2", NOW)
    async with uow() as u:
        assert await u.events.claim("slack", "Ev2", NOW)


async def _ids(u: UnitOfWork) -> tuple[int, int]:
    ids = await u.directory.identify("test", "W", "C", "c", "U", "U", NOW)
    return ids.channel_id, ids.user_id


async def test_the_database_enforces_one_open_round_per_user_and_channel(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as u:
        channel_id, user_id = await _ids(u)
        await new_round(u, channel_id, user_id, status="finished")
        await new_round(u, channel_id, user_id, status="paused")
        await u.commit()
    async with uow() as u:
        with pytest.raises(Conflict):
            await new_round(u, channel_id, user_id)


async def test_pausing_idle_rounds_skips_rounds_that_just_moved(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        channel_id, user_id = await _ids(u)
        round_ = await new_round(u, channel_id, user_id)
        await u.commit()
    cutoff = NOW + timedelta(minutes=30)
    async with uow() as u:
        assert [r.id for r in await u.rounds.idle_since(cutoff)] == [round_.id]
        assert not await u.rounds.pause_if_idle(round_.id, NOW)
        assert await u.rounds.pause_if_idle(round_.id, cutoff)
        await u.commit()
    async with uow() as u:
        stored = await u.rounds.get(round_.id)
    assert stored is not None
    assert stored.status == "paused"
    assert stored.version == 2, "pausing bumps the version so a racing answer retries"


async def test_best_scores_and_answers_keep_text_and_points(uow: UnitOfWorkFactory) -> None:
    async with uow() as u:
        channel_id, user_id = await _ids(u)
        for score in (40, 85):
            u.answers.add(
                AnswerRecord.graded(
                    Identity(0, channel_id, user_id),
                    "q1",
                    "mock",
                    "ünïcode ✓ " * 3,
                    GradeResult(score, ("a",), ("b", "c"), "Say more."),
                    score=score,
                    points=0,
                    event_ref=None,
                    now=NOW,
                )
            )
        await u.commit()
    async with uow() as u:
        assert await u.answers.best_scores(user_id) == {"q1": 85}


def test_database_urls_pick_async_drivers() -> None:
    assert async_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    assert async_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    with pytest.raises(DatabaseUrlError, match="unsupported database 'mysql'"):
        async_url("mysql://u@h/db")
    with pytest.raises(DatabaseUrlError, match="not a database URL"):
        async_url("not a url")
