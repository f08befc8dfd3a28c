"""What the soak watches in the bot's process while the load runs: memory, CPU, backlog.

A sample every few seconds: resident memory (/proc), CPU time used (utime + stime), and the
work queued or running as the bot's /healthz reports it. Summed up by minute of the load, so
warm-up (caches and pools filling during the first minute) can be told from steady growth,
and a backlog that builds up shows when the bot falls behind its arrivals.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

WARM_UP_S = 60.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def status_mib(pid: int, field: str) -> float | None:
    """A memory figure of the process's /proc status (Linux), or None where it does not say:
    VmRSS its resident set now, VmHWM its peak."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def rss_mib(pid: int) -> float | None:
    return status_mib(pid, "VmRSS")


def children_rss_mib(pid: int) -> float | None:
    """The resident sets of the process's children together (the Slack receiver), or None
    where there are none or /proc does not say."""
    total, found = 0.0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                rss = rss_mib(int(entry.name))
                if rss is not None:
                    total, found = total + rss, True
    return round(total, 1) if found else None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of the process so far."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / TICKS_PER_S
    return None


@dataclass(frozen=True)
class Sample:
    at_s: float
    rss_mib: float | None
    cpu_s: float | None
    backlog: int | None
    children_rss_mib: float | None = None


def _growth(start: float | None, end: float | None) -> float | None:
    return round(100 * (end - start) / start, 1) if start and end else None


def _slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """Least-squares MiB per minute: steady growth, whatever the last sample happened to be."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return None
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / spread
    return round(slope * 60, 2)


class Watch:
    def __init__(self, pid: int, url: str, started: float, every_s: float = 2.0) -> None:
        self.pid = pid
        self.url = url
        self.started = started
        self.every_s = every_s
        self.samples: list[Sample] = []

    async def _backlog(self, session: aiohttp.ClientSession) -> int | None:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
            async with session.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(2)) as r:
                health: dict[str, Any] = await r.json()
                return int(health.get("in_flight", 0))
        return None

    async def sample(self, session: aiohttp.ClientSession) -> Sample:
        found = Sample(
            round(time.monotonic() - self.started, 1),
            rss_mib(self.pid),
            cpu_seconds(self.pid),
            await self._backlog(session),
            children_rss_mib(self.pid),
        )
        self.samples.append(found)
        return found

    async def run(self, until: float) -> None:
        async with aiohttp.ClientSession() as session:
            while True:
                await self.sample(session)
                left = until - time.monotonic()
                if left <= 0:
                    return
                await asyncio.sleep(min(self.every_s, left))

    def per_minute(self) -> list[dict[str, Any]]:
        """For each minute: RSS at its end, CPU use over it, the largest backlog seen."""
        rows: list[dict[str, Any]] = []
        by_minute: dict[int, list[Sample]] = {}
        for s in self.samples:
            by_minute.setdefault(min(int(s.at_s // 60), self._minutes() - 1), []).append(s)
        previous = self.samples[0] if self.samples else None
        for minute, samples in sorted(by_minute.items()):
            last = samples[-1]
            cpu = None
            if previous is not None and last.cpu_s is not None and previous.cpu_s is not None:
                span = last.at_s - previous.at_s
                cpu = round(100 * (last.cpu_s - previous.cpu_s) / span, 1) if span > 0 else None
            backlogs = [s.backlog for s in samples if s.backlog is not None]
            rows.append(
                {
                    "minute": minute + 1,
                    "rss_mib": last.rss_mib,
                    "children_rss_mib": last.children_rss_mib,
                    "cpu_pct": cpu,
                    "peak_in_flight": max(backlogs) if backlogs else None,
                }
            )
            previous = last
        return rows

    def _minutes(self) -> int:
        return max(1, round(self.samples[-1].at_s / 60)) if self.samples else 1

    def memory(self) -> dict[str, Any]:
        """RSS at the start, after the first minute's warm-up and at the end, and growth from
        each; the slope after warm-up tells steady growth from noise."""
        rss = [(s.at_s, s.rss_mib) for s in self.samples if s.rss_mib is not None]
        if not rss:
            return {}
        start, end = rss[0][1], rss[-1][1]
        warm = [v for t, v in rss if t <= WARM_UP_S]
        warmed = warm[-1] if warm else start
        after = [(t, v) for t, v in rss if t >= WARM_UP_S]
        return {
            "rss_mib_start": start,
            "rss_mib_after_warm_up": warmed,
            "rss_mib_end": end,
            "rss_mib_peak": max(v for _, v in rss),
            "rss_growth_pct": _growth(start, end),
            "rss_growth_after_warm_up_pct": _growth(warmed, end),
            "rss_mib_per_minute_after_warm_up": _slope_per_minute(after),
            # The first seconds apart: start-up work still finishing as the load begins.
            "rss_mib_first_10_s": [v for t, v in rss if t <= 10.0],
            **self._children_memory(),
        }

    def _children_memory(self) -> dict[str, Any]:
        """The same for the bot's children (its Slack receiver), apart from its own figures."""
        rss = [(s.at_s, s.children_rss_mib) for s in self.samples if s.children_rss_mib]
        if not rss:
            return {}
        start, end = rss[0][1], rss[-1][1]
        return {
            "children_rss_mib_start": start,
            "children_rss_mib_end": end,
            "children_rss_mib_peak": max(v for _, v in rss),
            "children_rss_growth_pct": _growth(start, end),
        }
