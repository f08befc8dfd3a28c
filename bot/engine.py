"""The engine: turns each inbound event into rule calls inside one unit of work."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from bot import views
from bot.account.identities import IdentityCache, identity_key
from bot.banks import BankRegistry
from bot.clockwork import Clockwork
from bot.daily.batch import DailyAnswerBatcher, DailyThreads
from bot.daily.calendar import Recurrence
from bot.events import (
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.inbox.codec import Reply, encode
from bot.messages import RichMessage
from bot.outbox import Outbox, Outgoing
from bot.ports import metrics
from bot.ports.chat import ChatLookup, ChatPort
from bot.ports.clock import Clock
from bot.ports.storage import DATABASE_DOWN, Busy, Conflict, StaleRecord, UnitOfWork
from bot.progress.boards import Boards
from bot.rounds.mock import RoundConflict
from bot.router import AfterCommit, NotRecordedYet, Router, parse_id
from bot.turn import Turn

log = logging.getLogger(__name__)

ATTEMPTS = 8
RACE_BACKOFF_S = 0.02
BUSY_BACKOFF_S = 0.2
RECORD_WAIT_S = 3.0
RECORD_POLL_S = 0.25


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


class Engine:
    """Inbound events in, rule calls out, each event in one unit of work. Its collaborators
    are built and handed over by the composition root (bot.app.root)."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        banks: BankRegistry,
        clock: Clock,
        *,
        router: Router,
        boards: Boards,
        identities: IdentityCache,
        daily_threads: DailyThreads,
        batcher: DailyAnswerBatcher,
        clockwork: Clockwork,
        chats: ChatLookup,
        send_retry_delay_s: float = 0.5,
        max_concurrent_events: int = 32,
        schedules_changed: Callable[[int | None], Awaitable[None]] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._clock = clock
        self._router = router
        self._boards = boards
        self._identities = identities
        self._daily_threads = daily_threads
        self._batcher = batcher
        self.clockwork = clockwork
        self.chats = chats
        self._retry_delay_s = send_retry_delay_s
        # Bound the work in flight: past this, events queue here instead of in the pool.
        self._event_gate = asyncio.Semaphore(max_concurrent_events)
        self._schedules_changed = schedules_changed

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
                if (post_id := parse_id(value)) is not None:
                    return post_id, text, event.event_id
        return None

    async def _handle(self, event: InboundEvent, chat: ChatPort) -> str:
        waited = 0.0
        attempt = 0
        cache_cleared = False
        while attempt < ATTEMPTS:
            attempt += 1
            outbox = Outbox(retry_delay_s=self._retry_delay_s)
            after = AfterCommit()
            try:
                async with self._uow() as uow:
                    if event.event_id and not await uow.events.claim(
                        event.place.platform, event.event_id, self._clock.now()
                    ):
                        log.info("duplicate event %s ignored", event.event_id)
                        return "duplicate"
                    turn = await self._turn(uow, chat, event, outbox)
                    await self._router.dispatch(turn, event, after)
                    await _hold_replies(uow, event, outbox)
                    await uow.commit()
                await outbox.deliver()
                await self._keep_sent(outbox, chat)
                await self._after_commit(after)
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
            except NotRecordedYet:
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

    async def _keep_sent(self, outbox: Outbox, chat: ChatPort) -> None:
        """Sent messages' references are known only after the commit: record the ones the
        rules asked to keep in a unit of their own. Losing one only means that message cannot
        be edited later, so a failure is logged, never the event's."""
        if not outbox.kept:
            return
        late = Outbox(retry_delay_s=self._retry_delay_s)
        try:
            async with self._uow() as uow:
                await self._router.keep_sent(uow, chat, outbox.kept, late)
                await uow.commit()
        except Exception:
            log.warning("could not record %d sent message(s)", len(outbox.kept), exc_info=True)
            return
        await late.deliver()

    async def _after_commit(self, after: AfterCommit) -> None:
        if after.post_now is not None:
            await self.clockwork.post_now(after.post_now)
        if after.schedules_changed and self._schedules_changed is not None:
            await self._schedules_changed(after.changed_channel)

    # --- time-driven work, for the console's clock and the tests -------------------------------

    async def tick(self) -> int:
        return await self.clockwork.tick()

    async def fire_daily(self, schedule_id: int) -> bool:
        return await self.clockwork.fire_daily(schedule_id)

    async def next_due_after(self, moment: datetime) -> datetime | None:
        return await self.clockwork.next_due_after(moment)

    async def enabled_schedules(self) -> list[tuple[int, Recurrence]]:
        return await self.clockwork.enabled_schedules()

    async def workspace_gone(self, platform: str, workspace: str) -> int:
        """The app was uninstalled or its tokens revoked: stop posting there, keep the data."""
        async with self._uow() as uow:
            stopped = await uow.schedules.disable_workspace(platform, workspace, self._clock.now())
            await uow.commit()
        if stopped and self._schedules_changed is not None:
            await self._schedules_changed(None)  # many channels: whatever changed
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
        if not actor.display_name:
            # The platform did not know the name here (a press in a direct message): the one
            # stored for the workspace is theirs.
            known = await uow.directory.get_user(ids.user_id)
            actor = replace(actor, display_name=known.display_name if known else "")
        bank = await self._banks.for_workspace(uow, ids.workspace_id)
        return Turn(
            uow=uow, chat=chat, place=place, actor=actor, ids=ids, now=now, bank=bank, outbox=outbox
        )


async def _hold_replies(uow: UnitOfWork, event: InboundEvent, outbox: Outbox) -> None:
    """The replies still owed, committed with the event's changes: if the process dies before
    sending them, whoever takes the event's inbox item sends them instead of handling it."""
    owed = [o for o in outbox.pending if o.edit_of is None]  # an edit is no reply to owe
    if event.event_id and owed:
        replies = [Reply(o.place, o.message, o.private_to, o.direct_to) for o in owed]
        await uow.inbox.hold_replies(event.place.platform, {event.event_id: encode(replies)})
