"""Engine work that runs after Slack got its ack: queued in arrival order, run by a few workers.

Bolt acks a request and then runs its listener as a task on the engine's loop. If every
listener awaited the engine itself, a burst of thread replies would be a thousand tasks taking
turns at SQL statements and grading: each loop iteration would carry dozens of engine steps,
and a request that needs bolt would wait several long iterations to be acked (and the
collector's full passes would walk every one of those suspended tasks). So a listener, or the
receiver's hand-over of an item it acked itself, only queues a small job; `workers` jobs run
at once and the rest wait here, each a closure over the reply (about 14 objects, its text
included) instead of a suspended task.
The engine does the same work in the same order, so its throughput stays what it was (a
little better on SQLite, with fewer writers queueing for its lock) while acks stay prompt.

Nothing queued is dropped, and every job stands for a kept inbox item, so a job a dying process
never ran is run by the next. `full` tells the HTTP runtime when the backlog has reached its
limit, so that it can stop accepting new requests (Slack retries them) instead of growing
without bound. Everything is counted in `busy`, so shutdown and tests can wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

DEFAULT_WORKERS = 32
# About 2 minutes of work at the engine's rate on SQLite; a few MB of queued events.
DEFAULT_BACKLOG_LIMIT = 10_000


class WorkQueue:
    def __init__(
        self, workers: int = DEFAULT_WORKERS, backlog_limit: int = DEFAULT_BACKLOG_LIMIT
    ) -> None:
        if workers < 1 or backlog_limit < 1:
            raise ValueError("a work queue needs at least one worker and room for one job")
        self._size = workers
        self._limit = backlog_limit
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self.peak_backlog = 0

    @property
    def busy(self) -> int:
        """Jobs queued or running, plus work tracked outside the queue."""
        return self._busy

    @property
    def backlog(self) -> int:
        """Jobs waiting for a worker."""
        return self._jobs.qsize()

    @property
    def workers(self) -> int:
        return self._size

    @property
    def full(self) -> bool:
        return self._jobs.qsize() >= self._limit

    def submit(self, job: Job) -> None:
        """Queue a job; it starts only after the caller's next await, never before."""
        if self._closed:
            log.warning("a Slack request arrived while stopping; it stays kept for the next run")
            return
        self._enter()
        self._jobs.put_nowait(job)
        self.peak_backlog = max(self.peak_backlog, self._jobs.qsize())
        if not self._workers:
            loop = asyncio.get_running_loop()
            self._workers = [loop.create_task(self._work()) for _ in range(self._size)]

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        """Count work a listener does itself (e.g. opening a modal before its trigger expires)."""
        self._enter()
        try:
            yield
        finally:
            self._leave()

    async def wait_idle(self, timeout_s: float) -> bool:
        """True once nothing is queued or running; False if work remained after timeout_s."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout_s: float) -> int:
        """Let the backlog drain for up to timeout_s, then stop the workers.

        Returns how many jobs were still queued or running (and are lost: Slack was acked).
        """
        self._closed = True
        await self.wait_idle(timeout_s)
        left = self._busy
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._workers = []
        return left

    def _enter(self) -> None:
        self._busy += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception:
                log.exception("handling a Slack request failed after its ack")
            finally:
                self._leave()
