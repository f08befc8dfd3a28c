"""A round starts in two units of work, so no transaction waits on the chat.

The event's own unit commits the round (its thread unset). Then, with nothing open, the
intro is posted and its thread opened, which on a busy channel may wait seconds on the
platform's pacing. A second unit records the thread and asks the first question; if the post
failed, it ends the round instead and says so, so the user can start again. A round a crash
left without its thread is retired by the next start after a short grace, or by the idle sweep.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import views
from bot.events import Place
from bot.messages import MessageRef, RichMessage
from bot.outbox import Outbox
from bot.ports.records import Round
from bot.ports.storage import Busy, StaleRecord, UnitOfWork
from bot.turn import Turn

log = logging.getLogger(__name__)

# A start's intro waits at most a few seconds on pacing: a round still without its thread
# after this was left by a process that died between the two units.
STARTING_GRACE = timedelta(minutes=2)
ATTEMPTS = 5
BACKOFF_S = 0.05
NOT_STARTED = "Sorry, I couldn't post your round here, so it was not started. Please try again."

Ask = Callable[[Turn, Place, Round], Awaitable[None]]


@dataclass(frozen=True)
class RoundStart:
    """What an event that opened a round still owes it once committed: intro, thread, first
    question."""

    turn: Turn
    round_id: int
    intro: RichMessage
    thread_name: str
    note: str
    ask: Ask

    async def __call__(self, units: Callable[[], UnitOfWork]) -> None:
        try:
            posted = await self.turn.chat.post(self.turn.place, self.intro)
            thread = await self.turn.chat.open_thread(posted, self.thread_name)
        except Exception:
            log.warning("could not post the intro of round %d", self.round_id, exc_info=True)
            await self._settle(units, None)
            return
        await self._settle(units, (posted, thread))

    async def _settle(
        self, units: Callable[[], UnitOfWork], sent: tuple[MessageRef, Place] | None
    ) -> None:
        """Record the thread and ask (or end the round) in a unit of its own, retried from a
        fresh read when it races another event on the round."""
        for attempt in range(1, ATTEMPTS + 1):
            late = Outbox(retry_delay_s=self.turn.outbox.retry_delay_s)
            try:
                async with units() as uow:
                    turn = replace(self.turn, uow=uow, outbox=late, later=[])
                    round_ = await uow.rounds.get(self.round_id)
                    starting = round_ is not None and _thread_less(round_)
                    if sent is None:
                        if round_ is not None and starting:
                            retire(round_, turn.now)
                        turn.tell(views.info(NOT_STARTED))
                    elif round_ is not None and starting:
                        await self._record(turn, round_, *sent)
                    await uow.commit()
            except (StaleRecord, Busy):
                await asyncio.sleep(random.uniform(0, BACKOFF_S * attempt))
                continue
            await late.deliver()
            return
        log.warning("gave up recording the start of round %d", self.round_id)

    async def _record(self, turn: Turn, round_: Round, posted: MessageRef, thread: Place) -> None:
        await turn.uow.rounds.take(round_, turn.now)
        round_.thread_ref = thread.thread
        round_.intro_message_ref = posted.message_id
        if self.note:
            turn.say(thread, views.info(self.note))
        await self.ask(turn, thread, round_)


def _thread_less(round_: Round) -> bool:
    return round_.thread_ref is None and round_.status in ("active", "paused")


def retire(round_: Round, now: datetime) -> None:
    """End a round that never got its thread: nothing was asked, so there is no scorecard."""
    round_.status = "ended"
    round_.finished_at = now
    round_.last_activity_at = now


async def open_round(turn: Turn) -> Round | None:
    """The actor's open round here; one a crash left without its thread past the grace is
    retired instead, so it does not block a new one."""
    round_ = await turn.uow.rounds.open_for(turn.ids.channel_id, turn.ids.user_id)
    if round_ is None or not _thread_less(round_) or round_.started_at > turn.now - STARTING_GRACE:
        return round_
    retire(round_, turn.now)
    await turn.uow.rounds.flush()
    return None
