"""Test databases: a fresh SQLite file or a fresh PostgreSQL schema per test, migrated."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import create_engine
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "INTERVIEW_BOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("INTERVIEW_BOT_REQUIRE_POSTGRES", "") == "1"

_postgres_checked: str | None = None  # "" when reachable, else the reason


async def postgres_unavailable() -> str:
    """Empty when PostgreSQL answers; otherwise why not (checked once per run)."""
    global _postgres_checked
    if _postgres_checked is None:
        engine = create_engine(POSTGRES_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
            _postgres_checked = ""
        except Exception as exc:
            _postgres_checked = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            await engine.dispose()
    return _postgres_checked


async def require_postgres() -> None:
    reason = await postgres_unavailable()
    if not reason:
        return
    message = (
        f"PostgreSQL at {POSTGRES_URL} is unreachable ({reason}); set "
        "INTERVIEW_BOT_TEST_POSTGRES_URL to run these tests"
    )
    if REQUIRE_POSTGRES:
        pytest.fail(message + " — required because INTERVIEW_BOT_REQUIRE_POSTGRES=1")
    pytest.skip(message)


@asynccontextmanager
async def migrated_database(
    kind: str, tmp_path: Path, revision: str = "head"
) -> AsyncIterator[tuple[AsyncEngine, str]]:
    """Yield an engine on a brand-new database migrated to `revision` (the newest by default)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = create_engine(url)
        try:
            await upgrade(engine, revision)
            yield engine, url
        finally:
            await engine.dispose()
        return
    await require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    connect_args: dict[str, Any] = {"server_settings": {"search_path": schema}}
    engine = create_engine(POSTGRES_URL, connect_args=connect_args)
    try:
        await upgrade(engine, revision)
        yield engine, POSTGRES_URL
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
