"""Token buckets that space out posts before Slack has to say 429.

Slack allows about one message per second per channel (short bursts are fine) and a
workspace-wide rate on top. Waiting here costs a moment; a 429 costs the Retry-After and a
retried request. What still gets a 429 is retried by slack_sdk's rate-limit handler.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MAX_KEYS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float
    lock: asyncio.Lock


class Pacer:
    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a pacer needs a positive rate and a burst of at least 1")
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    async def wait(self, key: str) -> float:
        """Take one token for key, waiting for it if needed; returns the seconds waited."""
        bucket = self._bucket(key)
        waited = 0.0
        async with bucket.lock:
            self._refill(bucket)
            if bucket.tokens < 1:
                delay = (1 - bucket.tokens) / self._rate
                await self._sleep(delay)
                waited = delay
                self._refill(bucket)
            bucket.tokens = max(bucket.tokens - 1, 0.0)
        return waited

    def _refill(self, bucket: _Bucket) -> None:
        now = self._clock()
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now

    def _bucket(self, key: str) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_idle()
            bucket = _Bucket(self._burst, self._clock(), asyncio.Lock())
            self._buckets[key] = bucket
        return bucket

    def _forget_idle(self) -> None:
        """Drop buckets that have refilled completely: they hold no state worth keeping."""
        now = self._clock()
        for key, bucket in list(self._buckets.items()):
            full = bucket.tokens + (now - bucket.updated) * self._rate >= self._burst
            if full and not bucket.lock.locked():
                del self._buckets[key]


class PostPacing:
    """One bucket per channel and one per workspace; a post takes a token from both."""

    def __init__(
        self,
        channel: Pacer | None = None,
        workspace: Pacer | None = None,
    ) -> None:
        self.channel = channel or Pacer(rate_per_s=1.0, burst=4)
        self.workspace = workspace or Pacer(rate_per_s=5.0, burst=20)

    async def before_post(self, workspace: str, channel: str) -> float:
        waited = await self.workspace.wait(workspace)
        return waited + await self.channel.wait(f"{workspace}:{channel}")
