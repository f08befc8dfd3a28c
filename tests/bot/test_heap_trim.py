"""Freed memory handed back to the system: on a timer, off the loop, and really returned."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import platform
import threading
from pathlib import Path

import pytest

from bot.app.config import Settings
from bot.app.heap import HeapTrimmer, glibc_trim

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


async def test_trims_on_its_interval_off_the_loop_until_stopped() -> None:
    threads: list[int] = []
    trimmer = HeapTrimmer(every_s=0.01, trim=lambda: threads.append(threading.get_ident()))
    trimmer.start()
    assert trimmer.active
    for _ in range(200):
        if len(threads) >= 3:
            break
        await asyncio.sleep(0.01)
    await trimmer.stop()
    assert len(threads) >= 3
    assert threading.get_ident() not in threads  # the loop's thread never waits on a trim
    done = len(threads)
    await asyncio.sleep(0.05)
    assert len(threads) == done
    assert not trimmer.active
    await trimmer.stop()  # a second stop is harmless


async def test_nothing_runs_when_turned_off_or_unavailable() -> None:
    calls: list[None] = []
    off = HeapTrimmer(every_s=0, trim=lambda: calls.append(None))
    off.start()
    unavailable = HeapTrimmer(every_s=0.01, trim=None)  # a C library without malloc_trim
    unavailable.start()
    await asyncio.sleep(0.05)
    assert not off.active
    assert not unavailable.active
    assert calls == []
    with pytest.raises(ValueError, match="negative"):
        HeapTrimmer(every_s=-1, trim=None)


async def test_a_failing_trim_is_reported_once_and_not_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[None] = []

    def broken() -> None:
        calls.append(None)
        raise OSError("no such symbol")

    trimmer = HeapTrimmer(every_s=0.01, trim=broken)
    with caplog.at_level(logging.WARNING, logger="bot.app.heap"):
        trimmer.start()
        for _ in range(100):
            if not trimmer.active:
                break
            await asyncio.sleep(0.01)
    assert calls == [None]
    assert not trimmer.active
    assert "handing freed memory back failed" in caplog.text
    await trimmer.stop()


def test_on_by_default_every_minute_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INTERVIEW_BOT_HEAP_TRIM_SECONDS", raising=False)
    assert Settings(_env_file=None).heap_trim_seconds == 60
    monkeypatch.setenv("INTERVIEW_BOT_HEAP_TRIM_SECONDS", "0")
    assert Settings(_env_file=None).heap_trim_seconds == 0


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_glibc_trim_returns_freed_pages_to_the_system() -> None:
    """Memory freed between blocks still in use stays resident until trimmed."""
    trim = glibc_trim()
    assert trim is not None
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    size, count, keep_every = 2048, 32_768, 64  # 64 MiB, below the mmap threshold per block
    blocks = [libc.malloc(size) for _ in range(count)]
    assert all(blocks)
    try:
        for block in blocks:
            ctypes.memset(block, 1, size)  # resident, not just reserved
        for index, block in enumerate(blocks):
            if index % keep_every:
                libc.free(block)
        kept = blocks[::keep_every]
        fragmented = _rss_mib()
        trim()
        trimmed = _rss_mib()
    finally:
        for block in blocks[::keep_every]:
            libc.free(block)
    assert len(kept) == count // keep_every
    assert fragmented - trimmed > 20, (fragmented, trimmed)
