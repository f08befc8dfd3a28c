"""Where the process's Python memory goes while it runs, for chasing growth (off by default).

With INTERVIEW_BOT_TRACEMALLOC=PREFIX set, `tracemalloc` traces allocations from start-up,
and once the bot is ready a background task writes PREFIX-0s.txt, then PREFIX-60s.txt,
PREFIX-120s.txt and so on: resident memory, the traced total, and the top lines by size and
by growth since the first file. What RSS grew by beyond the traced growth is native memory
(connections, allocator arenas, freed blocks not returned). Tracing slows the process and
costs memory of its own, so it is for investigations, never for production or benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tracemalloc
from pathlib import Path

ENV = "INTERVIEW_BOT_TRACEMALLOC"
EVERY_S = 60.0
TOP = 30


def start_if_asked() -> str | None:
    """Begin tracing when the variable is set; the prefix of the files to write, or None."""
    prefix = os.environ.get(ENV)
    if prefix and not tracemalloc.is_tracing():
        tracemalloc.start(1)
    return prefix or None


def _rss_mib() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write(path: Path, snapshot: tracemalloc.Snapshot, first: tracemalloc.Snapshot) -> None:
    current, peak = tracemalloc.get_traced_memory()
    own = tracemalloc.get_tracemalloc_memory() / 2**20
    lines = [
        f"rss_mib {_rss_mib():.1f} traced_mib {current / 2**20:.1f} peak {peak / 2**20:.1f}"
        f" tracing_itself_mib {own:.1f}"
    ]
    lines += ["", "# top by size"] + [str(s) for s in snapshot.statistics("lineno")[:TOP]]
    lines += ["", "# top by growth since the first file"]
    lines += [str(s) for s in snapshot.compare_to(first, "lineno")[:TOP]]
    lines += ["", "# growth by file since the first file"]
    lines += [str(s) for s in snapshot.compare_to(first, "filename")[:TOP]]
    path.write_text("\n".join(lines) + "\n")


async def dump_every_minute(prefix: str) -> None:
    """Write a file now and every EVERY_S seconds until cancelled."""
    exclude = [tracemalloc.Filter(False, tracemalloc.__file__)]
    first = tracemalloc.take_snapshot().filter_traces(exclude)
    elapsed = 0.0
    while True:
        snapshot = first if elapsed == 0 else tracemalloc.take_snapshot().filter_traces(exclude)
        write(Path(f"{prefix}-{elapsed:g}s.txt"), snapshot, first)
        await asyncio.sleep(EVERY_S)
        elapsed += EVERY_S
