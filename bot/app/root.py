"""The composition root: the one place that wires storage, packs, grader and engine."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from bot.app.config import DEFAULT_MAX_CONCURRENT_EVENTS, Settings
from bot.banks import BankRegistry
from bot.daily.service import DailyRules, DailyService
from bot.engine import Engine
from bot.grading import Grader, RubricGrader
from bot.grading.llm import LlmGrader, LlmGraderConfig
from bot.ports.clock import Clock, SystemClock
from bot.rounds.mock import ChatLookup, MockRounds, RoundRules
from questions.bank import QuestionBank
from questions.loader import load_bank
from storage import AsyncEngine, Database


class StartupError(RuntimeError):
    """A setting or the database stops start-up; the message is one line for the operator."""


class SchemaOutOfDate(StartupError):
    pass


@dataclass
class App:
    engine: Engine
    bank: QuestionBank
    database: AsyncEngine
    clock: Clock
    grader: Grader
    # Adapters that queue work after acking size their worker pools by it.
    max_concurrent_events: int = DEFAULT_MAX_CONCURRENT_EVENTS

    async def close(self) -> None:
        if isinstance(self.grader, LlmGrader):
            await self.grader.close()
        await self.database.dispose()


async def prepare_database(settings: Settings) -> Database:
    """Embedded SQLite is migrated on the spot; any other database must be upgraded as a step."""
    database = Database(settings.database_url)
    try:
        if database.embedded:
            await database.upgrade()
        elif not await database.is_up_to_date():
            raise SchemaOutOfDate(
                "the database schema is not current: run 'interview-bot db upgrade'"
            )
    except BaseException:
        await database.dispose()
        raise
    return database


async def build_app(
    settings: Settings, clock: Clock | None = None, bank: QuestionBank | None = None
) -> App:
    bank = bank or load_bank(settings.question_packs or None)
    clock = clock or SystemClock()
    try:
        llm = LlmGraderConfig.from_env(os.environ)
    except ValueError as exc:
        raise StartupError(f"GRADER_LLM_*: {exc}") from None
    database = await prepare_database(settings)
    rubric_grader = RubricGrader(max_chars=settings.max_graded_chars)
    grader: Grader = LlmGrader(llm, fallback=rubric_grader) if llm else rubric_grader
    banks = BankRegistry(bank)
    rounds = MockRounds(
        grader,
        RoundRules(idle_timeout=settings.round_idle_timeout, hint_penalty=settings.hint_penalty),
    )
    daily = DailyService(
        banks,
        grader,
        DailyRules(catch_up=timedelta(hours=settings.daily_catch_up_hours)),
        instance=f"{socket.gethostname()}:{os.getpid()}",
    )
    engine = Engine(
        database.units(),
        banks,
        rounds,
        daily,
        clock,
        ChatLookup(),
        max_concurrent_events=settings.max_concurrent_events,
    )
    return App(
        engine=engine,
        bank=bank,
        database=database.engine,
        clock=clock,
        grader=grader,
        max_concurrent_events=settings.max_concurrent_events,
    )
