"""Pacing: bursts pass, then posts are spaced; many channels share a workspace budget."""

from __future__ import annotations

import asyncio

from adapters.slack.pacing import Pacer, PostPacing


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_a_channel_gets_a_burst_then_one_post_a_second() -> None:
    time = FakeTime()
    pacer = Pacer(rate_per_s=1.0, burst=2, clock=time.clock, sleep=time.sleep)
    waits = [await pacer.wait("C1") for _ in range(4)]
    assert waits == [0.0, 0.0, 1.0, 1.0]
    assert await pacer.wait("C2") == 0.0


async def test_posting_to_many_channels_paces_the_workspace() -> None:
    time = FakeTime()
    pacing = PostPacing(
        channel=Pacer(1.0, 4, clock=time.clock, sleep=time.sleep),
        workspace=Pacer(5.0, 20, clock=time.clock, sleep=time.sleep),
    )
    await asyncio.gather(*(pacing.before_post("T1", f"C{i}") for i in range(30)))
    assert round(time.now, 6) == 2.0  # 20 at once, then 10 more at 5 per second
