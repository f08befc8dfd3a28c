"""Acknowledged means kept: inbound events are written to the inbox before their ack.

An adapter calls `keep(item)` before it lets the platform hear the ack, and handles the item
itself right away; once handled, `done(item)` removes it. Items kept by a process that died
(or that failed to handle them) are taken again by `sweep()` when their lease runs out, in this
process after a restart or in any other replica, and go to the adapter's handler for their
platform. The engine's event-id claim, committed with the event's changes, makes a second
handling of an item that was in fact finished a no-op, so every item takes effect once.

Writes to a database over the network are grouped (group commit): items that arrive while one
group is being written form the next group, written in one transaction, so under a burst an
ack waits for at most one transaction ahead of its own. Writes that never wait (`inline`: the
SQLite inbox file of storage/inbox_file.py, written on the loop) are made at once, each in its
own transaction. Removals of handled items are written every REMOVE_AFTER_S, not with each
ack, so an ack's transaction is one INSERT and its commit.

The items may be kept in a database of their own while the replies events owe are held, with
the events' changes, in the engine's (`held_units`). Then an item left behind is sent its held
replies from there, and removals clear the held replies first and the item after, so an item
is never gone while its replies are still held. `tidy` runs after each sweep (the inbox file's
checkpoint).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from bot.inbox.codec import decode
from bot.outbox import Outbox, Outgoing
from bot.ports.chat import ChatLookup
from bot.ports.clock import Clock
from bot.ports.records import InboxItem
from bot.ports.storage import InboxUnit

log = logging.getLogger(__name__)

Handler = Callable[[InboxItem], Awaitable[None]]
Key = tuple[str, str]

DEFAULT_LEASE = timedelta(seconds=60)
MAX_GROUP = 500
MAX_ATTEMPTS = 5
REMOVE_AFTER_S = 0.25
SWEEP_BATCH = 100
SWEEP_WORKERS = 8


@dataclass
class _Waiting:
    item: InboxItem
    written: asyncio.Future[None] = field(repr=False)


class Inbox:
    def __init__(
        self,
        uow_factory: Callable[[], InboxUnit],
        clock: Clock,
        lease: timedelta = DEFAULT_LEASE,
        max_group: int = MAX_GROUP,
        chats: ChatLookup | None = None,
        held_units: Callable[[], InboxUnit] | None = None,
        inline: bool = False,
        tidy: Callable[[], Awaitable[None]] | None = None,
        handled_elsewhere: bool = False,
    ) -> None:
        if lease <= timedelta(0):
            raise ValueError("the inbox lease must be positive")
        self._uow = uow_factory
        self._held = held_units
        self._inline = inline
        self._tidy = tidy
        self._clearing: asyncio.Task[None] | None = None
        self._clock = clock
        self._chats = chats or ChatLookup()
        self.lease = lease
        self._max_group = max_group
        self._waiting: list[_Waiting] = []
        # Handled items that may be removed now; where replies are held apart, handled items
        # wait in _uncleared until their held replies are cleared.
        self._removals: set[Key] = set()
        self._uncleared: set[Key] = set()
        self._writer: asyncio.Task[None] | None = None
        self._remover: asyncio.TimerHandle | None = None
        self._remove_now = False
        # Items this process is handling: their leases are renewed while it works on them.
        self._mine: set[Key] = set()
        # Items handled here and not yet removed (their leases may run out meanwhile): never
        # taken again, or a reply held for one would be sent twice.
        self._finished: set[Key] = set()
        # A keeper whose items another process handles (a platform's receiving process) keeps
        # no record of them: that process renews their leases and forgets them once handled.
        self._handles = not handled_elsewhere
        self._handlers: dict[str, Handler] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.kept = 0
        self.groups = 0

    # --- keeping and removing -------------------------------------------------------------

    async def keep(self, item: InboxItem) -> None:
        """Return once the item is committed; a storage error means it was not kept."""
        if self._inline:
            # Writes that never wait (storage/inbox_file.py): no group to wait for.
            async with self._uow() as uow:
                await uow.inbox.add([item], self._clock.now() + self.lease)
                await uow.commit()
            self.kept += 1
            if self._handles:
                self._mine.add((item.platform, item.key))
            return
        waiting = _Waiting(item, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        self._kick()
        await waiting.written
        if self._handles:
            self._mine.add((item.platform, item.key))

    @property
    def handling(self) -> int:
        """Items this process is handling, whose leases it renews."""
        return len(self._mine)

    def adopt(self, item: InboxItem) -> None:
        """An item kept through another keeper (another process's) that this process handles:
        its lease is renewed with the others' while it is handled."""
        self._mine.add((item.platform, item.key))

    def done(self, item: InboxItem) -> None:
        """The item was handled: remove it within REMOVE_AFTER_S, with the other removals.

        Removals need not be prompt (a second handling is a no-op), so they are gathered into
        a few writes a second instead of adding a statement to every ack's transaction.
        """
        key = (item.platform, item.key)
        self._mine.discard(key)
        self._finished.add(key)
        (self._uncleared if self._held is not None else self._removals).add(key)
        self._arm_remover()

    def release(self, item: InboxItem) -> None:
        """Handling failed: leave the item kept, for whoever takes it once its lease ran out."""
        self._mine.discard((item.platform, item.key))

    def _remove(self) -> None:
        self._remover = None
        if self._uncleared and (self._clearing is None or self._clearing.done()):
            self._clearing = asyncio.create_task(self._clear_then_remove())
        elif self._removals:
            self._kick(removals_too=True)

    async def _clear_then_remove(self) -> None:
        """Clear the held replies of handled items, then remove the items (off the acks' path:
        the engine's database may be busy, the inbox's own is not)."""
        keys, self._uncleared = self._uncleared, set()
        if self._held is not None and keys:
            try:
                async with self._held() as uow:
                    await uow.inbox.remove(keys)
                    await uow.commit()
            except Exception as exc:
                self._uncleared |= keys
                log.warning("held replies could not be cleared (%s)", type(exc).__name__)
                self._arm_remover()
                return
        self._removals |= keys
        self._kick(removals_too=True)

    def _arm_remover(self) -> None:
        if self._remover is None:
            self._remover = asyncio.get_running_loop().call_later(REMOVE_AFTER_S, self._remove)

    def _kick(self, removals_too: bool = False) -> None:
        """Start the writer; removals are written only when asked (flush, the removal timer)."""
        self._remove_now = self._remove_now or removals_too
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._waiting or (self._remove_now and self._removals):
            group, self._waiting = (
                self._waiting[: self._max_group],
                self._waiting[self._max_group :],
            )
            removals: set[Key] = set()
            if self._remove_now:
                removals, self._removals = self._removals, set()
                self._remove_now = False
            try:
                await self._write([w.item for w in group], removals)
            except Exception as exc:
                self._removals |= removals  # handled items stay listed; retried next time
                self._remove_now = self._remove_now or bool(removals)
                for waiting in group:
                    if not waiting.written.done():
                        waiting.written.set_exception(exc)
                log.warning("the inbox could not be written (%s)", type(exc).__name__)
                if not self._waiting:
                    return  # only removals failed: no tight loop while the database is away
                continue
            except BaseException:
                for waiting in group:
                    if not waiting.written.done():
                        waiting.written.cancel()
                raise
            self.kept += len(group)
            self.groups += 1
            for waiting in group:
                if not waiting.written.done():
                    waiting.written.set_result(None)

    async def _write(self, items: list[InboxItem], removals: set[Key]) -> None:
        async with self._uow() as uow:
            if items:
                await uow.inbox.add(items, self._clock.now() + self.lease)
            if removals:
                await uow.inbox.remove(removals)
            await uow.commit()
        self._finished -= removals

    async def flush(self) -> None:
        """Write everything queued (removals included) before returning."""
        if self._remover is not None:
            self._remover.cancel()
            self._remover = None
        if self._clearing is not None:
            await asyncio.shield(self._clearing)
        if self._uncleared:
            await self._clear_then_remove()
        if self._waiting or self._removals:
            self._kick(removals_too=True)
        if self._writer is not None:
            await asyncio.shield(self._writer)

    # --- items left behind ---------------------------------------------------------------------

    def serve(self, platform: str, handler: Handler) -> None:
        """Items of this platform whose lease ran out go to handler (then are removed)."""
        self._handlers[platform] = handler

    async def sweep(self) -> int:
        """Take the items whose lease ran out and handle them; how many were taken."""
        if not self._handlers:
            return 0
        now = self._clock.now()
        removals, self._removals = self._removals, set()
        try:
            async with self._uow() as uow:
                # Renew what this process is still handling, forget what it finished, and
                # only then take what nobody holds: nothing of ours is ever taken twice.
                await uow.inbox.renew(self._mine, now + self.lease)
                await uow.inbox.remove(removals)
                items = await uow.inbox.lease(self._handlers, now, now + self.lease, SWEEP_BATCH)
                await uow.commit()
        except BaseException:
            self._removals |= removals
            raise
        self._finished -= removals
        items = [
            i
            for i in items
            if (i.platform, i.key) not in self._mine and (i.platform, i.key) not in self._finished
        ]
        if not items:
            return 0
        if self._held is not None:
            items = await self._with_held_replies(items)
        self._mine.update((i.platform, i.key) for i in items)
        log.info("handling %d inbox items left behind by an earlier run or replica", len(items))
        gate = asyncio.Semaphore(SWEEP_WORKERS)

        async def run(item: InboxItem) -> None:
            async with gate:
                await self._run_left_behind(item)

        await asyncio.gather(*(run(item) for item in items))
        return len(items)

    async def _with_held_replies(self, items: list[InboxItem]) -> list[InboxItem]:
        assert self._held is not None
        async with self._held() as uow:
            held = await uow.inbox.held({(i.platform, i.key) for i in items})
        return [
            replace(i, replies=held[(i.platform, i.key)]) if (i.platform, i.key) in held else i
            for i in items
        ]

    async def _run_left_behind(self, item: InboxItem) -> None:
        if item.attempts > MAX_ATTEMPTS:
            log.error(
                "dropping inbox item %s/%s (%s) after %d attempts",
                item.platform,
                item.key,
                item.kind,
                item.attempts - 1,
            )
            self.done(item)
            return
        try:
            if item.replies is not None:
                await self._send_replies(item)
            else:
                await self._handlers[item.platform](item)
        except Exception:
            # Kept, leased: taken again once the lease runs out, up to MAX_ATTEMPTS times.
            log.exception("an inbox item %s/%s failed", item.platform, item.key)
            self.release(item)
            return
        self.done(item)

    async def _send_replies(self, item: InboxItem) -> None:
        """The event's changes were committed but its replies may not have gone out: send
        them (a reply may arrive twice if the process died right after sending it)."""
        chat = self._chats(item.platform)
        if chat is None:
            raise RuntimeError(f"no chat for {item.platform}")
        outgoing = [
            Outgoing(chat, r.place, r.message, r.private_to, r.direct_to)
            for r in decode(item.replies or "[]")
        ]
        failed = await Outbox(outgoing).deliver()
        if outgoing and failed == len(outgoing):
            raise RuntimeError("none of the replies could be sent")

    def start(self, every_s: float | None = None) -> None:
        """Sweep now and then every every_s (a quarter of the lease by default)."""
        if self._sweeper is None:
            interval = every_s if every_s is not None else self.lease.total_seconds() / 4
            self._stopping = asyncio.Event()
            self._sweeper = asyncio.create_task(self._sweep_forever(max(interval, 0.05)))

    async def _sweep_forever(self, every_s: float) -> None:
        while not self._stopping.is_set():
            try:
                while await self.sweep() >= SWEEP_BATCH and not self._stopping.is_set():
                    pass
            except Exception as exc:
                log.warning("sweeping the inbox failed (%s); trying again", type(exc).__name__)
            if self._tidy is not None:
                try:
                    await self._tidy()
                except Exception as exc:
                    log.warning("tidying the inbox failed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), every_s)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Stop sweeping (a sweep under way finishes its items) and write what is queued.
        Items not handled stay kept for the next run or another replica."""
        if self._sweeper is not None:
            self._stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._sweeper), timeout_s)
            except TimeoutError:
                self._sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._sweeper
            self._sweeper = None
        await self.flush()

    async def pending(self) -> int:
        async with self._uow() as uow:
            return await uow.inbox.pending()
