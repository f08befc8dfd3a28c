"""Token buckets that space out posts before Slack has to say 429.

Slack allows about one message per second per channel (short bursts are fine) and a
workspace-wide rate on top. Waiting here costs a moment; a 429 costs the Retry-After and a
retried request. What still gets a 429 is retried by slack_sdk's rate-limit handler.

Each caller reserves the next free slot at once and then sleeps until it, without holding a
lock: a sleep that overshoots (a busy event loop) delays only that caller and never lowers the
rate for those behind it, so a pacer set to the limit really sends at the limit. Late wake-ups
must not bunch up either, since Slack counts posts over a sliding window: a second check over
the actual send times of the last second holds a post back until the window has room for it.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_KEYS = 10_000
WINDOW_S = 1.0
# Slack counts a post when it arrives, a little after it leaves here and not always equally
# late: keeping the window this much longer leaves room for that jitter (and for a retried
# 429), so a pacer set to the limit does not earn 429s at the window's edge.
TRANSIT_JITTER_S = 0.02

# Slack's documented limits: about one post a second per channel with short bursts; the
# workspace budget is kept low by default and raised by settings for big workspaces.
CHANNEL_RATE_PER_S = 1.0
CHANNEL_BURST = 4
WORKSPACE_RATE_PER_S = 5.0
WORKSPACE_BURST = 20


@dataclass
class _Bucket:
    tokens: float  # below zero: slots already promised to callers still sleeping
    updated: float
    sent: collections.deque[float] = field(default_factory=collections.deque)  # last window


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
        # The most sends any one window may hold if every post left exactly on its slot.
        self._window_cap = max(1, math.floor(rate_per_s * WINDOW_S) + burst - 1)

    @property
    def rate_per_s(self) -> float:
        return self._rate

    @property
    def burst(self) -> int:
        return int(self._burst)

    async def wait(self, key: str) -> float:
        """Take one token for key, waiting for it if needed; returns the seconds waited."""
        bucket = self._bucket(key)
        self._refill(bucket)
        bucket.tokens -= 1  # reserved now (no await above), so no lock is needed
        waited = 0.0
        if bucket.tokens < 0:
            delay = -bucket.tokens / self._rate
            try:
                await self._sleep(delay)
            except asyncio.CancelledError:
                bucket.tokens += 1  # give the unused slot back
                raise
            waited += delay
        while (delay := self._window_wait(bucket)) > 0:
            await self._sleep(delay)
            waited += delay
        bucket.sent.append(self._clock())
        return waited

    def _window_wait(self, bucket: _Bucket) -> float:
        """Seconds until the last window of actual sends has room for one more."""
        now = self._clock()
        span = WINDOW_S + TRANSIT_JITTER_S
        while bucket.sent and now - bucket.sent[0] >= span:
            bucket.sent.popleft()
        if len(bucket.sent) < self._window_cap:
            return 0.0
        return bucket.sent[0] + span - now

    def _refill(self, bucket: _Bucket) -> None:
        now = self._clock()
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now

    def _bucket(self, key: str) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_idle()
            bucket = _Bucket(self._burst, self._clock())
            self._buckets[key] = bucket
        return bucket

    def _forget_idle(self) -> None:
        """Drop buckets that have refilled completely: they hold no state worth keeping."""
        now = self._clock()
        for key, bucket in list(self._buckets.items()):
            full = bucket.tokens + (now - bucket.updated) * self._rate >= self._burst
            if full and (not bucket.sent or now - bucket.sent[-1] >= WINDOW_S + TRANSIT_JITTER_S):
                del self._buckets[key]


class PostPacing:
    """One bucket per channel and one per workspace; a post takes a token from both."""

    def __init__(
        self,
        channel: Pacer | None = None,
        workspace: Pacer | None = None,
    ) -> None:
        self.channel = channel or Pacer(CHANNEL_RATE_PER_S, CHANNEL_BURST)
        self.workspace = workspace or Pacer(WORKSPACE_RATE_PER_S, WORKSPACE_BURST)

    async def before_post(self, workspace: str, channel: str) -> float:
        # The channel's wait first: the workspace slot is then taken right before the send,
        # instead of being spent while the post still waits for its channel.
        waited = await self.channel.wait(f"{workspace}:{channel}")
        return waited + await self.workspace.wait(workspace)
