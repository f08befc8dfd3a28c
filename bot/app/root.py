"""The composition root: the one place that wires storage, packs, grader, engine and scheduler."""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.account.identities import IdentityCache
from bot.account.limits import LimitRules, RateLimits
from bot.account.privacy import PrivacyService
from bot.app.config import DEFAULT_MAX_CONCURRENT_EVENTS, GraderLlmSettings, Settings
from bot.app.scheduler import DailyScheduler
from bot.banks import BankRegistry
from bot.clockwork import Clockwork
from bot.daily.batch import DailyAnswerBatcher, DailyThreads
from bot.daily.fanout import DailyFanOut
from bot.daily.schedules import DailySchedules
from bot.daily.service import DailyRules, DailyService
from bot.dashboard.command import WebLinks
from bot.dashboard.links import LinkSigner
from bot.engine import Engine
from bot.grading import Grader
from bot.grading.llm import LlmGrader, LlmGraderConfig
from bot.inbox import Inbox
from bot.pairs.service import PairService
from bot.ports.chat import ChatLookup
from bot.ports.clock import Clock, SystemClock
from bot.ports.storage import UnitOfWork
from bot.progress.boards import Boards
from bot.progress.groups import GroupService
from bot.rounds.mock import MockRounds, RoundRules
from bot.router import Router
from questions.bank import QuestionBank
from questions.loader import load_bank
from storage import AsyncEngine, Database, InboxFile


class StartupError(RuntimeError):
    """A setting or the database stops start-up; the message is one line for the operator."""


class SchemaOutOfDate(StartupError):
    pass


class CollectorPause:
    """The cyclic garbage collector held off from start-up until the bot is ready.

    Start-up builds what lives as long as the process (the question bank's parsed packs, a job
    per schedule), so the collector finds nothing to free, yet its passes over the growing
    heap cost about as much CPU as the building did. Garbage made meanwhile (cycles are rare)
    waits for the collections after `end`.
    """

    def __init__(self) -> None:
        self._resume = gc.isenabled()
        gc.disable()

    def end(self) -> None:
        if self._resume:
            gc.enable()
            self._resume = False


@dataclass
class App:
    engine: Engine
    bank: QuestionBank
    database: AsyncEngine
    clock: Clock
    grader: Grader
    # Adapters that queue work after acking size their worker pools by it.
    max_concurrent_events: int = DEFAULT_MAX_CONCURRENT_EVENTS
    # Started by `interview-bot run`; the console steps its own clock instead.
    scheduler: DailyScheduler | None = None
    # The web dashboard's signer and the units of work its pages read from.
    web: LinkSigner | None = None
    units: Callable[[], UnitOfWork] | None = None
    # Acknowledged events are kept here before their ack (None: handled from memory only).
    inbox: Inbox | None = None
    # The inbox's own connections, where it has them (PostgreSQL).
    inbox_database: AsyncEngine | None = None
    # The inbox's own file, where it has one (a SQLite database file).
    inbox_file: InboxFile | None = None
    # Where another process can keep inbox items (storage.inbox_units_at): an adapter may
    # receive and ack in a process of its own. None: only this process can reach the inbox.
    inbox_address: str | None = None
    # On SIGTERM, how long events in flight get to finish.
    drain_seconds: float = 20.0
    # How often freed memory is handed back to the system (bot/app/heap.py; 0: never), for
    # the processes an adapter starts beside this one.
    heap_trim_seconds: float = 0.0

    async def close(self) -> None:
        if self.inbox is not None:
            await self.inbox.close()
        if self.inbox_database is not None and self.inbox_database is not self.database:
            await self.inbox_database.dispose()
        if self.inbox_file is not None:
            self.inbox_file.close()
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


def build_engine(
    uow_factory: Callable[[], UnitOfWork],
    banks: BankRegistry,
    grader: Grader,
    clock: Clock,
    *,
    chats: ChatLookup | None = None,
    round_rules: RoundRules | None = None,
    daily_rules: DailyRules | None = None,
    instance: str | None = None,
    send_retry_delay_s: float = 0.5,
    max_concurrent_events: int = DEFAULT_MAX_CONCURRENT_EVENTS,
    misfire_grace: timedelta = timedelta(hours=6),
    limits: LimitRules | None = None,
    web: LinkSigner | None = None,
) -> tuple[Engine, DailyScheduler]:
    """The engine, its collaborators and the scheduler that drives its time-driven work.

    instance names this process in the claims it takes (host and pid unless given).
    """
    chats = chats or ChatLookup()
    rounds = MockRounds(grader, round_rules or RoundRules())
    daily = DailyService(
        banks,
        grader,
        daily_rules or DailyRules(),
        instance=instance or f"{socket.gethostname()}:{os.getpid()}",
    )
    identities = IdentityCache()
    daily_threads = DailyThreads()
    # Due posts are claimed, sent and recorded in batches; the chat paces the sends.
    fanout = DailyFanOut(
        daily, uow_factory, chats, clock, daily.claim_lease, recorded=daily_threads.remember
    )
    pairs = PairService(grader)
    clockwork = Clockwork(
        uow_factory,
        daily,
        fanout,
        rounds,
        clock,
        chats,
        send_retry_delay_s=send_retry_delay_s,
        pairs=(pairs, banks),
    )
    scheduler = DailyScheduler(clockwork, uow_factory, misfire_grace=misfire_grace)
    groups = GroupService()
    boards = Boards(groups)
    router = Router(
        rounds,
        daily,
        DailySchedules(),
        groups,
        boards,
        PrivacyService(),
        identities,
        daily_threads,
        RateLimits(limits or LimitRules.defaults()),
        pairs=pairs,
        web=WebLinks(web),
    )
    engine = Engine(
        uow_factory,
        banks,
        clock,
        router=router,
        boards=boards,
        identities=identities,
        daily_threads=daily_threads,
        batcher=DailyAnswerBatcher(uow_factory, banks, grader, clock, identities),
        clockwork=clockwork,
        chats=chats,
        send_retry_delay_s=send_retry_delay_s,
        max_concurrent_events=max_concurrent_events,
        schedules_changed=scheduler.schedule_changed,
    )
    return engine, scheduler


async def build_app(
    settings: Settings, clock: Clock | None = None, bank: QuestionBank | None = None
) -> App:
    bank = bank or load_bank(settings.question_packs or None)
    clock = clock or SystemClock()
    try:
        llm = LlmGraderConfig.from_env(GraderLlmSettings().as_environ())
    except ValueError as exc:
        raise StartupError(f"GRADER_LLM_*: {exc}") from None
    database = await prepare_database(settings)
    rubric_grader = settings.rubric_grader()
    grader: Grader = LlmGrader(llm, fallback=rubric_grader) if llm else rubric_grader
    try:
        web = settings.link_signer()
    except ValueError as exc:
        await database.dispose()
        raise StartupError(str(exc)) from None
    units = database.units()
    # A SQLite file keeps the inbox's items in a file of its own, written at once (no group
    # commit), checkpointed after each sweep, while held replies stay in the main file.
    inbox_file = database.inbox_file
    engine, scheduler = build_engine(
        units,
        BankRegistry(bank),
        grader,
        clock,
        round_rules=RoundRules(
            idle_timeout=settings.round_idle_timeout, hint_penalty=settings.hint_penalty
        ),
        daily_rules=DailyRules(catch_up=timedelta(hours=settings.daily_catch_up_hours)),
        max_concurrent_events=settings.max_concurrent_events,
        misfire_grace=settings.daily_catch_up,
        limits=settings.limit_rules(),
        web=web,
    )
    return App(
        engine=engine,
        bank=bank,
        database=database.engine,
        clock=clock,
        grader=grader,
        max_concurrent_events=settings.max_concurrent_events,
        scheduler=scheduler,
        web=web,
        units=units,
        inbox_database=database.inbox_engine,
        inbox_file=inbox_file,
        inbox_address=database.inbox_address,
        inbox=Inbox(
            database.inbox_units(),
            clock,
            lease=timedelta(seconds=settings.inbox_lease_seconds),
            chats=engine.chats,
            held_units=units if inbox_file is not None else None,
            inline=inbox_file is not None,
            tidy=inbox_file.checkpoint if inbox_file is not None else None,
        ),
        drain_seconds=settings.drain_seconds,
        heap_trim_seconds=settings.heap_trim_seconds,
    )
