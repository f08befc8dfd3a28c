"""Tracing memory for investigations: off unless asked, and each file names where growth went."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import memtrace


@pytest.fixture
def untraced() -> Iterator[None]:
    was = tracemalloc.is_tracing()
    tracemalloc.stop()
    yield
    tracemalloc.stop()
    if was:
        tracemalloc.start()


def test_nothing_is_traced_without_the_setting(
    untraced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(memtrace.ENV, raising=False)
    assert memtrace.start_if_asked() is None
    assert not tracemalloc.is_tracing()


async def test_files_show_resident_memory_and_the_lines_that_grew(
    untraced: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prefix = str(tmp_path / "mem")
    monkeypatch.setenv(memtrace.ENV, prefix)
    monkeypatch.setattr(memtrace, "EVERY_S", 0.05)
    assert memtrace.start_if_asked() == prefix
    assert tracemalloc.is_tracing()
    held: list[bytearray] = []
    task = asyncio.create_task(memtrace.dump_every_minute(prefix))
    await asyncio.sleep(0.01)
    held.append(bytearray(4 * 2**20))  # grows between the first file and the next
    await asyncio.sleep(0.1)
    task.cancel()
    first, grown = _files(tmp_path)
    assert first.startswith("rss_mib ")
    assert grown, "no file after the first"
    growth = grown[0].split("# top by growth since the first file")[1]
    assert "test_memtrace.py" in growth.splitlines()[1]
    assert held


def _files(folder: Path) -> tuple[str, list[str]]:
    """The first file's text and the texts of the ones after it."""
    later = [p.read_text() for p in folder.glob("mem-*s.txt") if p.name != "mem-0s.txt"]
    return (folder / "mem-0s.txt").read_text(), later
