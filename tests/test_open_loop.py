"""The Slack latency benchmark's open-loop schedules: the offered rate is what they claim,
the same seed gives the same arrivals, and sending never waits on earlier responses."""

from __future__ import annotations

import asyncio
import time

import pytest

from benchmarks import open_loop


def test_users_with_think_time_offer_users_over_think_replies_a_second() -> None:
    arrivals = open_loop.users_thinking(users=200, think_s=10.0, count=20_000, seed=3)
    rate = len(arrivals) / arrivals[-1].at_s
    assert rate == pytest.approx(20.0, rel=0.05)
    assert [a.at_s for a in arrivals] == sorted(a.at_s for a in arrivals)
    assert {a.user for a in arrivals} == set(range(200))
    assert arrivals == open_loop.users_thinking(200, 10.0, 20_000, seed=3)
    assert arrivals != open_loop.users_thinking(200, 10.0, 20_000, seed=4)


def test_a_steady_rate_keeps_its_mean_gap() -> None:
    arrivals = open_loop.steady_rate(rate=50.0, users=20, count=20_000, seed=1)
    assert len(arrivals) / arrivals[-1].at_s == pytest.approx(50.0, rel=0.05)
    assert all(0 <= a.user < 20 for a in arrivals)


def test_capacity_is_the_highest_rate_whose_p99_met_the_target() -> None:
    assert open_loop.capacity({25.0: 9.0, 50.0: 40.0, 100.0: 150.0, 200.0: 60.0}) == 200.0
    assert open_loop.capacity({25.0: 120.0, 50.0: 30.0, 100.0: 100.0}) == 50.0
    assert open_loop.capacity({25.0: 101.0, 50.0: 130.0}) is None


def test_requests_go_out_on_schedule_while_earlier_ones_are_unanswered() -> None:
    slow_s = 0.3

    async def slow_send(_body: str) -> tuple[int, float]:
        await asyncio.sleep(slow_s)
        return 200, slow_s

    arrivals = [open_loop.Arrival(n * 0.01, n) for n in range(10)]
    started = time.perf_counter()
    figures = asyncio.run(open_loop.fire(slow_send, ["{}"] * 10, arrivals))
    # Closed loop, one at a time, would take 10 x 0.3 s.
    assert time.perf_counter() - started < 4 * slow_s
    assert figures["ok"] == 10
    assert figures["p99_ms"] == pytest.approx(slow_s * 1000)
