"""Open-loop load for benchmarks/slack_latency.py: arrivals on a fixed schedule, not on acks.

A Slack user never sees the bot's HTTP ack (Slack does), so when they post their next reply
does not depend on it: arrivals are drawn up front from a seeded generator, and each request
is sent at its time whether or not earlier ones were answered. Both apps get the same
schedule. Latency runs from sending a request to reading its whole response; how late the
client itself sent requests (it shares the CPUs with the servers) is reported beside it, so
a run where the client could not keep up shows it.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

TARGET_P99_MS = 100.0

# (status, seconds) for one signed request carrying the given body
Send = Callable[[str], Awaitable[tuple[int, float]]]


@dataclass(frozen=True)
class Arrival:
    at_s: float  # seconds after the start of the run
    user: int


def users_thinking(users: int, think_s: float, count: int, seed: int) -> list[Arrival]:
    """`users` people, each posting a reply, thinking for an exponential time of mean
    `think_s` (from the start, too), and posting the next: the first `count` replies of all."""
    if users < 1 or think_s <= 0 or count < 1:
        raise ValueError("need at least one user, a positive think time and one request")
    rng = random.Random(seed)
    due = [(rng.expovariate(1 / think_s), user) for user in range(users)]
    heapq.heapify(due)
    arrivals: list[Arrival] = []
    while len(arrivals) < count:
        at, user = heapq.heappop(due)
        arrivals.append(Arrival(at, user))
        heapq.heappush(due, (at + rng.expovariate(1 / think_s), user))
    return arrivals


def steady_rate(rate: float, users: int, count: int, seed: int) -> list[Arrival]:
    """`count` replies arriving at `rate` per second on average (Poisson), from users drawn
    at random among `users`."""
    if rate <= 0 or users < 1 or count < 1:
        raise ValueError("need a positive rate, at least one user and one request")
    rng = random.Random(seed)
    at = 0.0
    arrivals = []
    for _ in range(count):
        at += rng.expovariate(rate)
        arrivals.append(Arrival(at, rng.randrange(users)))
    return arrivals


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of all samples at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def latency_summary(latencies_ms: list[float], failures: dict[str, int]) -> dict[str, Any]:
    ordered = sorted(latencies_ms)
    if not ordered:
        raise RuntimeError(f"no request got a 200: {failures}")
    return {
        "ok": len(ordered),
        "failed": failures,
        "p50_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(percentile(ordered, 0.90), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "max_ms": round(ordered[-1], 2),
    }


async def fire(send: Send, bodies: list[str], arrivals: list[Arrival]) -> dict[str, Any]:
    """Send bodies[i] at arrivals[i].at_s (from now), never waiting on earlier responses."""
    latencies: list[float] = []
    late: list[float] = []
    failures: dict[str, int] = {}
    loop = asyncio.get_running_loop()

    async def one(body: str) -> None:
        try:
            status, elapsed = await send(body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
            return
        if status != 200:
            failures[str(status)] = failures.get(str(status), 0) + 1
            return
        latencies.append(elapsed * 1000)

    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    for body, arrival in zip(bodies, arrivals, strict=True):
        wait = arrival.at_s - (time.perf_counter() - started)
        if wait > 0:
            await asyncio.sleep(wait)
        late.append(max(0.0, time.perf_counter() - started - arrival.at_s) * 1000)
        tasks.append(loop.create_task(one(body)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    span = arrivals[-1].at_s if arrivals else 0.0
    ordered_late = sorted(late)
    return latency_summary(latencies, failures) | {
        "requests": len(bodies),
        "offered_per_s": round(len(bodies) / span, 1) if span > 0 else None,
        "achieved_per_s": round(len(latencies) / wall, 1),
        "client_late_p99_ms": round(percentile(ordered_late, 0.99), 2),
    }


def capacity(p99_by_rate: dict[float, float], target_ms: float = TARGET_P99_MS) -> float | None:
    """The highest rate whose ack p99 stayed under the target (None if none did). A lower
    rate that missed is left to the per-rate figures: on a shared machine one stall can
    decide the p99 of a few hundred requests."""
    met = [rate for rate, p99 in p99_by_rate.items() if p99 < target_ms]
    return max(met) if met else None
