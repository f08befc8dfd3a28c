"""One session per handled event: everything it changes commits or rolls back together."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.daily_answers import DailyAnswerStore
from storage.daily_claims import Claims
from storage.dashboard import DashboardReads
from storage.errors import translate, translated
from storage.inbox import Inbox
from storage.limits import Limits
from storage.pairs import Pairs
from storage.people import People
from storage.queries import Stats
from storage.repositories import (
    Answers,
    Directory,
    Events,
    Groups,
    Packs,
    Rounds,
    Streaks,
)
from storage.reviews import Reviews
from storage.schedules import DailyPosts, Schedules


class UnitOfWork:
    """The engine's unit of work over one SQLAlchemy session; database errors leave it as
    the engine's own (bot.ports.storage)."""

    directory: Directory
    rounds: Rounds
    answers: Answers
    events: Events
    schedules: Schedules
    daily_posts: DailyPosts
    claims: Claims
    daily_answers: DailyAnswerStore
    groups: Groups
    streaks: Streaks
    packs: Packs
    stats: Stats
    people: People
    limits: Limits
    reviews: Reviews
    pairs: Pairs
    dashboard: DashboardReads
    inbox: Inbox

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], holds_apart: bool = False
    ) -> None:
        self._sessions = sessions
        self._holds_apart = holds_apart
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self.directory = Directory(self._session)
        self.rounds = Rounds(self._session)
        self.answers = Answers(self._session)
        self.events = Events(self._session)
        self.schedules = Schedules(self._session)
        self.daily_posts = DailyPosts(self._session)
        self.claims = Claims(self._session)
        self.daily_answers = DailyAnswerStore(self._session)
        self.groups = Groups(self._session)
        self.streaks = Streaks(self._session)
        self.packs = Packs(self._session)
        self.stats = Stats(self._session)
        self.people = People(self._session)
        self.limits = Limits(self._session)
        self.reviews = Reviews(self._session)
        self.pairs = Pairs(self._session)
        self.dashboard = DashboardReads(self._session)
        self.inbox = Inbox(self._session, self._holds_apart)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches objects without
        # expiring them, so values read inside the unit stay readable after it.
        try:
            async with translated():
                await self.session.close()
        finally:
            self._session = None
        error = translate(exc) if exc is not None else None
        if error is not None:
            raise error from exc

    async def commit(self) -> None:
        async with translated():
            await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes a fresh unit of work per event; the engine holds this, never a session."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], holds_apart: bool = False
    ) -> None:
        self._sessions = sessions
        # The inbox's items are kept in a database of their own: this one holds only replies.
        self.holds_apart = holds_apart

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self.holds_apart)
