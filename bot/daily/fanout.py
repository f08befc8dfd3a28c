"""The daily fan-out: thousands of posts due in one minute, sent at the pace the chat allows.

Three stages keep the database off the sender's path. Claims are taken in batches (one short
transaction each, the UNIQUE claim row still deciding who posts), a little ahead of the
senders; enough senders run at once that the chat's own pacing, not a round trip, sets the
rate; and "posted" is recorded in batches by one writer, as group commits.

Exactly-once is the row-at-a-time design's: a post is sent only under a claim this process
holds, and a claim is taken over only after its lease. A claim that waited in the queue long
enough to come near its lease is renewed first (and dropped if someone else took it), so a
slow chat never lets a second process post the same day. A crash between a send and its
record is the one double post the lease allows, as before; recording in batches only adds
the short wait before a group commit to that window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.daily.service import ClaimedPost, DailyService, SentPost, UowFactory
from bot.ports.chat import ChatPort
from bot.ports.clock import Clock

log = logging.getLogger(__name__)

CLAIM_BATCH = 250  # one claim transaction per this many posts
FIRST_BATCH = 25  # small, so the first post goes out while the rest are claimed
SENDERS = 64  # posts in flight: the chat's pacer decides when each goes out
RECORD_BATCH = 500
RECORD_EVERY_S = 0.05  # a reply waits for its post's thread to be recorded: keep this short


@dataclass
class _Job:
    schedule_id: int
    day: date | None
    done: asyncio.Future[bool]


@dataclass
class _Queued:
    claim: ClaimedPost
    job: _Job
    claimed_at: float  # monotonic, for the lease check


@dataclass
class _Run:
    """One busy period: the queues live as long as there is work."""

    to_send: asyncio.Queue[_Queued | None]
    to_record: asyncio.Queue[tuple[SentPost, _Job] | None] = field(default_factory=asyncio.Queue)
    taken: list[_Job] = field(default_factory=list)  # every job of this run, to fail on a crash


class DailyFanOut:
    def __init__(
        self,
        daily: DailyService,
        uow: UowFactory,
        chats: Callable[[str], ChatPort | None],
        clock: Clock,
        lease: timedelta,
        senders: int = SENDERS,
        claim_batch: int = CLAIM_BATCH,
        recorded: Callable[[Sequence[SentPost]], None] | None = None,
    ) -> None:
        self._daily = daily
        self._uow = uow
        self._chats = chats
        self._clock = clock
        self._renew_after_s = lease.total_seconds() / 3
        self._senders = max(1, senders)
        self._claim_batch = max(1, claim_batch)
        self._recorded = recorded
        self._pending: list[_Job] = []
        self._driver: asyncio.Task[None] | None = None

    async def post(self, schedule_id: int, day: date | None = None) -> bool:
        """Post one schedule's day (None: today in its zone, if enabled); True if this did.

        Concurrent calls (every cron job of a minute) are claimed and recorded together.
        """
        job = _Job(schedule_id, day, asyncio.get_running_loop().create_future())
        self._pending.append(job)
        if self._driver is None:
            self._driver = asyncio.create_task(self._drive())
        return await job.done

    async def post_all(self, due: Iterable[tuple[int, date]]) -> int:
        """Post every (schedule, day); returns how many this process posted."""
        results = await asyncio.gather(*(self.post(s, d) for s, d in due), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(r is True for r in results)

    # --- the stages ------------------------------------------------------------------------

    async def _drive(self) -> None:
        run = _Run(to_send=asyncio.Queue(maxsize=self._claim_batch))
        workers = [asyncio.create_task(self._send_loop(run)) for _ in range(self._senders)]
        recorder = asyncio.create_task(self._record_loop(run))
        try:
            await self._claim_loop(run)
            for _ in workers:
                await run.to_send.put(None)
            await asyncio.gather(*workers)
            await run.to_record.put(None)
            await recorder
        except BaseException as exc:
            for task in (*workers, recorder):
                task.cancel()
            self._fail([*run.taken, *self._pending], exc)
            self._pending = []
            raise
        finally:
            self._driver = None
            if self._pending:  # arrived while the last run was finishing
                self._driver = asyncio.create_task(self._drive())

    async def _claim_loop(self, run: _Run) -> None:
        size = FIRST_BATCH
        while self._pending:
            batch, self._pending = self._pending[:size], self._pending[size:]
            run.taken.extend(batch)
            size = self._claim_batch
            try:
                claimed = await self._daily.claim_many(
                    self._uow, [(j.schedule_id, j.day) for j in batch], self._clock.now()
                )
            except Exception as exc:
                self._fail(batch, exc)
                continue
            by_post = {c.post_id: c for c in claimed}
            jobs = self._match(batch, claimed)
            now = time.monotonic()
            for job in batch:
                post_id = jobs.get(id(job))
                if post_id is None:
                    _settle(job, False)
                else:
                    await run.to_send.put(_Queued(by_post[post_id], job, now))
            if not self._pending:
                await asyncio.sleep(0)  # let cron jobs of the same moment join this run

    @staticmethod
    def _match(batch: list[_Job], claimed: list[ClaimedPost]) -> dict[int, int]:
        """Which job each claim answers: the first job asking for that schedule (and day)."""
        left: dict[int, list[ClaimedPost]] = {}
        for claim in claimed:
            left.setdefault(claim.schedule_id, []).append(claim)
        matched: dict[int, int] = {}
        for job in batch:
            options = left.get(job.schedule_id, [])
            for n, claim in enumerate(options):
                if job.day is None or job.day == claim.day:
                    matched[id(job)] = options.pop(n).post_id
                    break
        return matched

    async def _send_loop(self, run: _Run) -> None:
        while (item := await run.to_send.get()) is not None:
            try:
                if not await self._still_held(item):
                    log.info("daily post %s was taken over; not sending", item.claim.post_id)
                    _settle(item.job, False)
                    continue
                sent = await self._daily.send(self._chats, item.claim, self._clock.now())
            except Exception as exc:
                self._fail([item.job], exc)
                continue
            if sent is None:
                _settle(item.job, False)
            else:
                await run.to_record.put((sent, item.job))

    async def _still_held(self, item: _Queued) -> bool:
        """A claim that waited a third of its lease is renewed first (cheap: only when slow)."""
        if time.monotonic() - item.claimed_at <= self._renew_after_s:
            return True
        return await self._daily.renew_claim(self._uow, item.claim, self._clock.now())

    async def _record_loop(self, run: _Run) -> None:
        """Group commits: whatever was sent while the last batch was being written."""
        finished = False
        while not finished:
            first = await run.to_record.get()
            if first is None:
                return
            batch = [first]
            await asyncio.sleep(RECORD_EVERY_S)
            while len(batch) < RECORD_BATCH and not run.to_record.empty():
                item = run.to_record.get_nowait()
                if item is None:
                    finished = True
                    break
                batch.append(item)
            try:
                await self._daily.record_posted(
                    self._uow, [sent for sent, _ in batch], self._clock.now()
                )
            except Exception as exc:
                self._fail([job for _, job in batch], exc)
                continue
            if self._recorded is not None:
                self._recorded([sent for sent, _ in batch])
            for _, job in batch:
                _settle(job, True)

    @staticmethod
    def _fail(jobs: Iterable[_Job], exc: BaseException) -> None:
        for job in jobs:
            if job.done.done():
                continue
            if isinstance(exc, Exception):
                job.done.set_exception(exc)
            else:
                job.done.cancel()


def _settle(job: _Job, posted: bool) -> None:
    if not job.done.done():
        job.done.set_result(posted)
