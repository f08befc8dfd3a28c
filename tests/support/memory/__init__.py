"""An in-memory unit of work: the engine's storage port without a database.

Each unit works on a copy of the data and hands it back on commit, so an event that fails
changes nothing, as with a transaction. Units take turns (one open at a time, like a database
that serialises its transactions), so two events never overwrite each other's work; a unit
opened inside another is a mistake in the engine and is refused. The repositories keep the
rules of the SQL ones, the daily fan-out's and the batched daily answers' included, so engine
rules are tested here and storage behaviour on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import copy
from types import TracebackType
from typing import Self

from tests.support.memory.core import Answers, Directory, Events, Limits, Rounds
from tests.support.memory.daily import Claims, DailyAnswers, DailyPosts, Schedules
from tests.support.memory.dashboard import MemoryDashboardReads
from tests.support.memory.inbox import Inbox
from tests.support.memory.pairs import MemoryPairs
from tests.support.memory.progress import Groups, Packs, People, Stats, Streaks
from tests.support.memory.records import Data
from tests.support.memory.reviews import Reviews

__all__ = ["Data", "MemoryDatabase", "MemoryUnitOfWork"]


class MemoryUnitOfWork:
    """One event's view of a MemoryDatabase: a copy of it, handed back on commit."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        await self._database.take_turn()
        self._bind(copy.deepcopy(self._database.data))
        return self

    def _bind(self, data: Data) -> None:
        self._data = data
        self.directory = Directory(data)
        self.rounds = Rounds(data)
        self.answers = Answers(data)
        self.events = Events(data)
        self.schedules = Schedules(data)
        self.daily_posts = DailyPosts(data)
        self.claims = Claims(data)
        self.daily_answers = DailyAnswers(data)
        self.groups = Groups(data)
        self.streaks = Streaks(data)
        self.packs = Packs(data)
        self.stats = Stats(data)
        self.people = People(data)
        self.limits = Limits(data)
        self.reviews = Reviews(data)
        self.pairs = MemoryPairs(data.pairs, lambda: data.members)
        self.dashboard = MemoryDashboardReads(data)
        self.inbox = Inbox(data)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._database.end_turn()

    async def commit(self) -> None:
        self._database.data = self._data
        self._bind(copy.deepcopy(self._data))

    async def rollback(self) -> None:
        self._bind(copy.deepcopy(self._database.data))


class MemoryDatabase:
    """What the units of work share; call it for a fresh unit, as the engine does."""

    def __init__(self) -> None:
        self.data = Data()
        self._turn = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    async def take_turn(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a unit of work was opened inside another one")
        await self._turn.acquire()
        self._holder = task

    def end_turn(self) -> None:
        self._holder = None
        self._turn.release()
