"""Hand the memory the process has freed back to the system, once a minute (glibc only).

A service that reads requests, parses JSON and talks to a database frees nearly everything
each request allocated, but glibc's allocator keeps the freed chunks inside its heaps (one per
thread that ever allocated), so the resident size creeps up while no object leaks: under the
soak's steady traffic the traced Python heap stayed flat after the first minute while RSS kept
growing. `malloc_trim(0)` returns the free pages of every heap to the kernel. On this bot it
takes well under a millisecond, and it runs on a worker thread, so the event loop never waits.
Where the C library has no `malloc_trim` (musl, macOS, Windows) nothing is started.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import sys
from collections.abc import Callable

log = logging.getLogger(__name__)

Trim = Callable[[], None]


def glibc_trim() -> Trim | None:
    """`malloc_trim(0)` of the C library, or None where it has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The interpreter's own symbols include its C library's (no ldconfig run to find it).
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None  # musl and other C libraries without it
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def run() -> None:
        trim(0)

    return run


class HeapTrimmer:
    """Calls `trim` every `every_s` seconds on a worker thread until stopped; an interval of 0
    or no `trim` (a C library without one) turns it off."""

    def __init__(self, every_s: float, trim: Trim | None) -> None:
        if every_s < 0:
            raise ValueError("the trim interval cannot be negative")
        self._every_s = every_s
        self._trim = trim
        self._task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._every_s == 0 or self._trim is None or self.active:
            return
        self._task = asyncio.create_task(self._run(self._trim), name="heap-trim")

    async def _run(self, trim: Trim) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            try:
                await asyncio.to_thread(trim)
            except Exception as exc:  # memory not handed back is no reason to stop serving
                log.warning("handing freed memory back failed (%s); not trying again", exc)
                return

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
