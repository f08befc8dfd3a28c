"""An engine wired to a database (SQL, or in memory), a FakeChat and a ManualClock, with
user-level verbs."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.account.limits import LimitRules
from bot.app.root import build_engine
from bot.app.simulation import advance_to
from bot.banks import BankRegistry
from bot.commands import Command
from bot.dashboard.links import LinkSigner
from bot.engine import Engine
from bot.events import (
    Actor,
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.grading import RubricGrader
from bot.ports.chat import ChatLookup
from bot.ports.clock import ManualClock
from bot.ports.storage import UnitOfWork
from bot.rounds.mock import RoundRules
from questions.bank import QuestionBank
from questions.loader import load_bank
from storage.database import session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.support.databases import migrated_database
from tests.support.fakes import FakeChat
from tests.support.memory import MemoryDatabase

FIXTURE_PACKS = Path(__file__).parent.parent / "fixtures" / "packs"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fixture_bank() -> QuestionBank:
    return load_bank([FIXTURE_PACKS])


class Harness:
    def __init__(
        self,
        database: AsyncEngine | None,
        bank: QuestionBank,
        clock: ManualClock,
        uow: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self.database = database
        self.bank = bank
        self.clock = clock
        self.chat = FakeChat()
        assert uow is not None or database is not None
        self.uow: Any = uow or UnitOfWorkFactory(session_factory(database))
        self._ids = itertools.count(1)
        self.instance = "test-1"
        self.limits: LimitRules | None = None
        self.web: LinkSigner | None = None  # the dashboard's signer, when a test sets one
        self.engine = self.new_engine()

    def new_engine(self) -> Engine:
        """A fresh engine on the same database: what a restart looks like."""
        self.banks = BankRegistry(self.bank)
        engine, self.scheduler = build_engine(
            self.uow,
            self.banks,
            RubricGrader(),
            self.clock,
            chats=ChatLookup({"test": self.chat}),
            round_rules=RoundRules(idle_timeout=timedelta(minutes=30)),
            instance=self.instance,
            send_retry_delay_s=0,
            limits=self.limits,
            web=self.web,
        )
        self.engine = engine
        return engine

    def place(self, channel: str = "C1", thread: str | None = None) -> Place:
        return Place("test", "W1", channel, thread, channel_name=channel.lower())

    @staticmethod
    def actor(user: str = "alice", admin: bool = False) -> Actor:
        return Actor(user_id=user, display_name=user.title(), is_admin=admin)

    def event_id(self) -> str:
        return f"ev{next(self._ids)}"

    async def send(self, event: InboundEvent) -> None:
        await self.engine.handle(event, self.chat)

    async def command(
        self,
        text: str,
        user: str = "alice",
        channel: str = "C1",
        thread: str | None = None,
        admin: bool = False,
    ) -> None:
        await self.send(
            SlashCommand(
                self.place(channel, thread), self.actor(user, admin), text, self.event_id()
            )
        )

    async def typed(
        self, command: Command, user: str = "alice", channel: str = "C1", admin: bool = False
    ) -> None:
        """A command built from typed options, as Discord's slash commands hand it over."""
        await self.send(
            SlashCommand.typed(
                self.place(channel), self.actor(user, admin), command, self.event_id()
            )
        )

    async def advance(self, delta: timedelta) -> int:
        """Move the clock; everything due on the way runs at its own time."""
        return await advance_to(self.engine, self.clock, self.clock.now() + delta)

    async def advance_to(self, when: datetime) -> int:
        return await advance_to(self.engine, self.clock, when)

    async def say(self, text: str, thread: str, user: str = "alice", channel: str = "C1") -> None:
        await self.send(
            MessagePosted(
                self.place(channel, thread),
                self.actor(user),
                text,
                self.event_id(),
                self.event_id(),
            )
        )

    async def press(
        self,
        action: str,
        value: str,
        user: str = "alice",
        channel: str = "C1",
        thread: str | None = None,
    ) -> None:
        await self.send(
            ButtonPressed(
                self.place(channel, thread), self.actor(user), action, value, None, self.event_id()
            )
        )

    async def submit(
        self,
        value: str,
        text: str,
        user: str = "alice",
        channel: str = "C1",
        thread: str | None = None,
    ) -> None:
        await self.send(
            ModalSubmitted(
                self.place(channel, thread),
                self.actor(user),
                "round:answer",
                value,
                text,
                self.event_id(),
            )
        )

    @property
    def thread(self) -> str:
        """The most recently opened thread."""
        assert self.chat.threads, "no thread was opened"
        thread = self.chat.threads[-1].thread
        assert thread is not None
        return thread

    def current_question_id(self) -> str:
        """The bank id of the question last asked, found by its prompt."""
        asked = [s for s in self.chat.sent if (s.message.title or "").startswith("Question ")]
        prompt = asked[-1].message.body
        return next(q.id for q in self.bank.questions if q.prompt == prompt)

    def good_answer(self) -> str:
        """An answer stating every key point of the current question in full sentences."""
        return answer_covering(self.bank, self.current_question_id())


def answer_covering(bank: QuestionBank, question_id: str) -> str:
    question = bank.get(question_id)
    assert question is not None
    sentences = [
        f"I would say that the {kp.phrasings[0]} matters here." for kp in question.key_points
    ]
    if question.is_behavioral:
        sentences = [
            "At my last job our team had a churn model that the sales lead did not trust.",
            "I was responsible for explaining it, and my goal was that she could use it.",
            *sentences,
            "I built three real examples and I explained each one with her.",
            "As a result she used the scores every week and renewals increased by 8%.",
        ]
    return " ".join(sentences)


@asynccontextmanager
async def harness(
    kind: str, tmp_path: Path, bank: QuestionBank | None = None
) -> AsyncIterator[Harness]:
    if kind == "memory":
        yield Harness(None, bank or fixture_bank(), ManualClock(START), uow=MemoryDatabase())
        return
    async with migrated_database(kind, tmp_path) as (database, _url):
        yield Harness(database, bank or fixture_bank(), ManualClock(START))
