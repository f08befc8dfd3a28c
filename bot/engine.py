"""The engine: turns each inbound event into rule calls inside one unit of work."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import views
from bot.account.identities import IdentityCache, identity_key
from bot.account.privacy import CANCEL as PRIVACY_CANCEL
from bot.account.privacy import CONFIRM as PRIVACY_CONFIRM
from bot.account.privacy import PrivacyService
from bot.app import metrics
from bot.banks import BankRegistry
from bot.commands import (
    Command,
    CommandError,
    Daily,
    End,
    Group,
    Help,
    Hint,
    Leaderboard,
    Mock,
    Privacy,
    Resume,
    Skip,
    Stats,
    Topics,
    parse,
    quote_input,
)
from bot.daily.batch import DailyAnswerBatcher, DailyThreads
from bot.daily.fanout import SENDERS, DailyFanOut
from bot.daily.service import DailyService, SentPost, recurrence
from bot.events import (
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.messages import RichMessage
from bot.outbox import Outbox, Outgoing
from bot.ports.chat import ChatPort
from bot.ports.clock import Clock
from bot.ports.storage import Busy, Conflict, StaleRecord, Unavailable, UnitOfWork
from bot.progress.boards import Boards
from bot.progress.groups import GroupService
from bot.rounds.mock import ChatLookup, MockRounds, RoundConflict
from bot.turn import Turn
from questions.bank import UnknownTopic

log = logging.getLogger(__name__)

ATTEMPTS = 8
RACE_BACKOFF_S = 0.02
BUSY_BACKOFF_S = 0.2
RECORD_WAIT_S = 3.0
RECORD_POLL_S = 0.25


class _NotRecordedYet(Exception):
    """A thread reply arrived before its daily post finished recording its thread."""


# What a lost database connection looks like from here: storage's word for it, or the
# connection's own error where one escaped unwrapped.
DATABASE_DOWN = (Unavailable, OSError, TimeoutError)
UNAVAILABLE = (
    "Sorry, I can't reach my database right now, so nothing was saved. "
    "Please try again in a minute."
)
_KINDS = {
    SlashCommand: "command",
    MessagePosted: "message",
    ButtonPressed: "button",
    ModalSubmitted: "form",
}
MAX_COMMAND_CHARS = 500


@dataclass
class _AfterCommit:
    """Work an event asks for once its own changes are committed."""

    schedules_changed: bool = False
    post_now: int | None = None


class Engine:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        banks: BankRegistry,
        rounds: MockRounds,
        daily: DailyService,
        clock: Clock,
        chats: ChatLookup | None = None,
        send_retry_delay_s: float = 0.5,
        max_concurrent_events: int = 32,
        max_concurrent_posts: int = SENDERS,
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._rounds = rounds
        self._daily = daily
        self._groups = GroupService()
        self._boards = Boards(self._groups)
        self._privacy = PrivacyService()
        self._identities = IdentityCache()
        # Bound the work in flight: past this, events queue here instead of in the pool.
        self._event_gate = asyncio.Semaphore(max_concurrent_events)
        self._daily_threads = DailyThreads()
        self._batcher = DailyAnswerBatcher(
            uow_factory, banks, daily.grader, clock, self._identities
        )
        self._clock = clock
        self.chats = chats or ChatLookup()
        # Due posts are claimed, sent and recorded in batches; the chat paces the sends.
        self._fanout = DailyFanOut(
            daily,
            uow_factory,
            lambda platform: self.chats(platform),
            clock,
            daily.claim_lease,
            senders=max_concurrent_posts,
            recorded=self._remember_daily_threads,
        )
        self._retry_delay_s = send_retry_delay_s
        self.on_schedules_changed: Callable[[], Awaitable[None]] | None = None

    def _remember_daily_threads(self, posts: Sequence[SentPost]) -> None:
        """The first replies to a fresh post come in a burst: knowing its thread already
        sends them straight to the batched path instead of one lookup (and commit) each."""
        for sent in posts:
            if sent.thread_ref is not None:
                place = sent.claim.place
                key = DailyThreads.key(
                    place.platform, place.workspace, place.channel, sent.thread_ref
                )
                self._daily_threads.put(key, sent.claim.post_id)

    # --- inbound events -------------------------------------------------------------

    async def handle(self, event: InboundEvent, chat: ChatPort) -> None:
        """Handle once; a lost race on a round's version is retried from a fresh read.

        Replies are queued during the event and sent only after its changes are committed.
        """
        kind = _KINDS[type(event)]
        platform = event.place.platform
        started = time.perf_counter()
        outcome = "error"
        try:
            batched = await self._handle_batched(event, chat)
            if batched is not None:
                outcome = batched
            else:
                async with self._event_gate:
                    outcome = await self._handle(event, chat)
        except DATABASE_DOWN:
            # Nothing was committed; say so instead of leaving the user guessing.
            outcome = "database-unavailable"
            log.warning("database unavailable while handling a %s event", kind, exc_info=True)
            await Outbox(
                [
                    Outgoing(
                        chat, event.place, views.info(UNAVAILABLE), private_to=event.actor.user_id
                    )
                ],
                retry_delay_s=self._retry_delay_s,
            ).deliver()
        finally:
            metrics.EVENTS.labels(platform, kind, outcome).inc()
            metrics.EVENT_SECONDS.labels(platform, kind).observe(time.perf_counter() - started)

    async def _handle_batched(self, event: InboundEvent, chat: ChatPort) -> str | None:
        """A plain answer to a daily question goes with others in one transaction; None when
        the event is of another kind or the batch handed it back."""
        answer = self._daily_answer(event)
        if answer is None:
            return None
        post_id, text, event_ref = answer
        outcome = await self._batcher.submit(event, post_id, text, event_ref)
        if outcome.status == "fallback":
            return None
        if outcome.feedback is not None:
            private = Outgoing(chat, event.place, outcome.feedback, private_to=event.actor.user_id)
            await Outbox([private], retry_delay_s=self._retry_delay_s).deliver()
        return outcome.status

    def _daily_answer(self, event: InboundEvent) -> tuple[int, str, str | None] | None:
        """(post id, text, event ref) when the event answers a known daily post."""
        match event:
            case MessagePosted(text=text, message_id=message_id, place=place) if place.thread:
                post_id = self._daily_threads.get(
                    DailyThreads.key(place.platform, place.workspace, place.channel, place.thread)
                )
                if post_id is not None:
                    return post_id, text, event.event_id or message_id
            case ModalSubmitted(action_id="daily:answer", value=value, text=text):
                if (post_id := _int(value)) is not None:
                    return post_id, text, event.event_id
        return None

    async def _handle(self, event: InboundEvent, chat: ChatPort) -> str:
        waited = 0.0
        attempt = 0
        cache_cleared = False
        while attempt < ATTEMPTS:
            attempt += 1
            outbox = Outbox(retry_delay_s=self._retry_delay_s)
            after = _AfterCommit()
            try:
                async with self._uow() as uow:
                    if event.event_id and not await uow.events.claim(
                        event.place.platform, event.event_id, self._clock.now()
                    ):
                        log.info("duplicate event %s ignored", event.event_id)
                        return "duplicate"
                    turn = await self._turn(uow, chat, event, outbox)
                    await self._dispatch(turn, event, after)
                    await uow.commit()
                await outbox.deliver()
                await self._after_commit(after, chat)
                return "ok"
            except StaleRecord:
                log.info("event raced another on the same round; retry %d", attempt)
                await asyncio.sleep(random.uniform(0, RACE_BACKOFF_S * attempt))
            except Busy:
                if attempt >= ATTEMPTS:
                    raise
                # SQLite's one writer was busy past the timeout: wait a little and try again.
                log.info("database busy; retry %d", attempt)
                await asyncio.sleep(random.uniform(0, BUSY_BACKOFF_S * attempt))
            except Conflict:
                if cache_cleared:
                    raise
                # Most likely a user deleted by another process while cached here.
                self._identities.clear()
                cache_cleared = True
            except _NotRecordedYet:
                if waited >= RECORD_WAIT_S:
                    return "unmatched"
                await asyncio.sleep(RECORD_POLL_S)
                waited += RECORD_POLL_S
                attempt -= 1  # waiting for the post is not a lost race
            except RoundConflict:
                if not cache_cleared:
                    # A fresh read tells a real race (the round now exists) from a stale id.
                    self._identities.clear()
                    cache_cleared = True
                    continue
                outbox = Outbox(retry_delay_s=self._retry_delay_s)
                async with self._uow() as uow:
                    turn = await self._turn(uow, chat, event, outbox)
                    turn.tell(
                        views.info("A round was just started for you here; answer in its thread.")
                    )
                    await uow.commit()
                await outbox.deliver()
                return "conflict"
        log.warning("gave up on an event after %d races", ATTEMPTS)
        return "gave-up"

    async def _after_commit(self, after: _AfterCommit, chat: ChatPort) -> None:
        if after.post_now is not None:
            schedule_id = after.post_now
            async with self._uow() as uow:
                schedule = await uow.schedules.get(schedule_id)
                day = recurrence(schedule).local_date(self._clock.now()) if schedule else None
            if day is not None:
                await self._daily.fire(
                    self._uow, lambda _platform: chat, schedule_id, day, self._clock.now()
                )
        if after.schedules_changed and self.on_schedules_changed is not None:
            await self.on_schedules_changed()

    # --- time-driven work ----------------------------------------------------------------

    async def tick(self) -> int:
        """Run what fell due: catch-up posts, reveals, idle rounds. Returns how many things ran.

        A database outage skips this tick; the next one (a minute later) catches up.
        """
        try:
            return await self._tick()
        except DATABASE_DOWN:
            log.warning(
                "database unavailable: scheduled work waits for the next tick", exc_info=True
            )
            return 0

    async def _tick(self) -> int:
        now = self._clock.now()
        done = 0
        due = await self._daily.due_posts(self._uow, now)
        done += await self._fanout.post_all(due)
        done += await self._daily.reveal_due(self._uow, self.chats, now)
        outbox = Outbox(retry_delay_s=self._retry_delay_s)
        async with self._uow() as uow:
            done += await self._rounds.pause_idle(uow, self.chats, now, outbox)
            await uow.commit()
        await outbox.deliver()
        return done

    async def fire_daily(self, schedule_id: int) -> bool:
        """A schedule's cron job: post today's question (in the schedule's zone) unless claimed.

        Every job of a minute fires at once; the fan-out claims and records them together.
        """
        return await self._fanout.post(schedule_id)

    async def next_due_after(self, moment: datetime) -> datetime | None:
        """When something time-driven happens next; a simulated clock steps through these."""
        candidates = [await self._daily.next_due_after(self._uow, moment)]
        async with self._uow() as uow:
            candidates.append(await self._rounds.next_pause_after(uow, moment))
        upcoming = [c for c in candidates if c is not None]
        return min(upcoming) if upcoming else None

    async def enabled_schedules(self) -> list[tuple[int, str, str, str]]:
        """(id, HH:MM, zone, days) of each enabled schedule, for the scheduler's cron jobs."""
        async with self._uow() as uow:
            return [(s.id, s.post_time, s.timezone, s.days) for s in await uow.schedules.enabled()]

    async def workspace_gone(self, platform: str, workspace: str) -> int:
        """The app was uninstalled or its tokens revoked: stop posting there, keep the data."""
        async with self._uow() as uow:
            stopped = await uow.schedules.disable_workspace(platform, workspace, self._clock.now())
            await uow.commit()
        if stopped and self.on_schedules_changed is not None:
            await self.on_schedules_changed()
        return stopped

    async def home(self, platform: str, workspace: str, user_id: str, name: str) -> RichMessage:
        """A user's own summary (streaks, points, recent scores) for a home tab or profile."""
        async with self._uow() as uow:
            ids = await uow.directory.identify(
                platform, workspace, "", "", user_id, name, self._clock.now()
            )
            bank = await self._banks.for_workspace(uow, ids.workspace_id)
            message = await self._boards.summary(uow, bank, ids.user_id, self._clock.now())
            await uow.commit()
        return message

    async def open_thread_of(self, place: Place, user_id: str) -> str | None:
        """The thread of the user's open round in a channel, so a client can rejoin it."""
        async with self._uow() as uow:
            ids = await uow.directory.identify(
                place.platform,
                place.workspace,
                place.channel,
                place.channel_name,
                user_id,
                "",
                self._clock.now(),
            )
            round_ = await uow.rounds.open_for(ids.channel_id, ids.user_id)
            await uow.commit()
            return round_.thread_ref if round_ else None

    # --- dispatch --------------------------------------------------------------------------

    async def _turn(
        self, uow: UnitOfWork, chat: ChatPort, event: InboundEvent, outbox: Outbox
    ) -> Turn:
        now = self._clock.now()
        place, actor = event.place, event.actor
        key = identity_key(place, actor)
        ids = self._identities.get(key)
        if ids is None:
            ids = await uow.directory.identify(*key, now)
            self._identities.put(key, ids)
        bank = await self._banks.for_workspace(uow, ids.workspace_id)
        return Turn(
            uow=uow, chat=chat, place=place, actor=actor, ids=ids, now=now, bank=bank, outbox=outbox
        )

    async def _dispatch(self, turn: Turn, event: InboundEvent, after: _AfterCommit) -> None:
        match event:
            case SlashCommand(text=text):
                await self._command(turn, text, after)
            case MessagePosted(text=text, message_id=message_id):
                await self._message(turn, text, event.event_id or message_id)
            case ButtonPressed(action_id=action_id, value=value):
                await self._button(turn, action_id, value)
            case ModalSubmitted(action_id="round:answer", value=value, text=text):
                if (round_id := _int(value)) is not None:
                    await self._rounds.answer_from_form(turn, round_id, text, event.event_id)
            case ModalSubmitted(action_id="daily:answer", value=value, text=text):
                if (post_id := _int(value)) is not None:
                    await self._daily.answer_from_form(turn, post_id, text, event.event_id)

    async def _message(self, turn: Turn, text: str, event_ref: str | None) -> None:
        thread = turn.place.thread
        if thread is None or await self._rounds.answer_in_thread(turn, text, event_ref):
            return
        post = await turn.uow.daily_posts.by_thread(turn.ids.channel_id, thread)
        if post is not None and post.status in ("posted", "revealed"):
            place = turn.place
            key = DailyThreads.key(place.platform, place.workspace, place.channel, thread)
            self._daily_threads.put(key, post.id)
            await self._daily.answer(turn, post, text, event_ref)
        elif post is None and await turn.uow.daily_posts.being_posted(
            turn.ids.channel_id, turn.now - timedelta(minutes=2)
        ):
            raise _NotRecordedYet  # a reply faster than the post's own bookkeeping

    async def _command(self, turn: Turn, text: str, after: _AfterCommit) -> None:
        if len(text) > MAX_COMMAND_CHARS:
            turn.tell(views.error("That command is too long to be one I know.", None))
            return
        try:
            await self._run(turn, parse(text), text, after)
        except CommandError as exc:
            turn.tell(views.error(exc.message, exc.help_subject))
        except UnknownTopic as exc:
            turn.tell(views.error(_unknown_topic(exc), "mock", with_help=False))

    async def _run(self, turn: Turn, command: Command, text: str, after: _AfterCommit) -> None:
        match command:
            case Mock():
                await self._rounds.start(turn, command, _mock_args(text))
            case Resume():
                await self._rounds.resume(turn)
            case End():
                await self._rounds.end(turn)
            case Skip():
                await self._rounds.skip(turn)
            case Hint():
                await self._rounds.hint(turn)
            case Topics():
                turn.tell(views.topics(turn.bank))
            case Help(subject=subject):
                turn.tell(views.help_message(subject))
            case Daily(action="set", args=args):
                after.schedules_changed = await self._daily.set(turn, list(args))
            case Daily(action="off"):
                after.schedules_changed = await self._daily.off(turn)
            case Daily(action="now"):
                after.post_now = await self._daily.require_schedule_for_now(turn)
            case Daily():
                await self._daily.status(turn)
            case Group(action="create", name=str(name)):
                await self._groups.create(turn, name)
            case Group(action="join", name=str(name)):
                await self._groups.join(turn, name)
            case Group(action="leave", name=str(name)):
                await self._groups.leave(turn, name)
            case Group():
                await self._groups.list(turn)
            case Leaderboard(period=period, group=group):
                await self._boards.leaderboard(turn, period, group)
            case Stats(user=user):
                await self._boards.stats(turn, user)
            case Privacy(action="export"):
                await self._privacy.export(turn)
            case Privacy():
                self._privacy.ask_to_delete(turn)

    async def _button(self, turn: Turn, action_id: str, value: str) -> None:
        if action_id == PRIVACY_CONFIRM:
            if await self._privacy.delete(turn, value):
                self._identities.forget_user(turn.ids.user_id)
            return
        if action_id == PRIVACY_CANCEL:
            turn.tell(views.info("Nothing was deleted."))
            return
        if action_id == "round:restart":
            round_text, _, args = value.partition(":")
            round_id = _int(round_text)
            if round_id is None:
                return
            try:
                command = parse(f"mock {args}")
                if isinstance(command, Mock):
                    await self._rounds.restart(turn, round_id, command)
            except (CommandError, UnknownTopic):
                await self._rounds.restart(turn, round_id, Mock())
            return
        round_id = _int(value)
        actions = {
            "round:hint": self._rounds.hint,
            "round:skip": self._rounds.skip,
            "round:end": self._rounds.end,
            "round:resume": self._rounds.resume,
        }
        if round_id is not None and action_id in actions:
            await actions[action_id](turn, round_id)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _mock_args(text: str) -> str:
    parts = text.strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _unknown_topic(exc: UnknownTopic) -> str:
    name = quote_input(exc.name)
    message = f"I don't know the topic `{name}`."
    if exc.suggestions:
        message += " Did you mean " + " or ".join(f"`{s}`" for s in exc.suggestions) + "?"
    return message + " `/interview topics` lists them all."
