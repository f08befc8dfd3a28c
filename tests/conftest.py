"""Shared fixtures: the fixture bank, and engines on SQLite or on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.harness import Harness, harness

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine on an embedded SQLite database."""
    async with harness("sqlite", tmp_path) as ready:
        yield ready


@pytest.fixture
async def h_memory(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine on the in-memory unit of work: its rules, without a database."""
    async with harness("memory", tmp_path) as ready:
        yield ready


@pytest.fixture(params=BACKENDS)
async def h_both(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine on SQLite and, where reachable, on PostgreSQL."""
    async with harness(request.param, tmp_path) as ready:
        yield ready
