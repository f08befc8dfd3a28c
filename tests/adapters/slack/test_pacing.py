"""Pacing: bursts pass, then posts are spaced; many channels share a workspace budget."""

from __future__ import annotations

import asyncio
import time as clock

import pytest

from adapters.runtime import SettingsError
from adapters.slack.pacing import TRANSIT_JITTER_S, WINDOW_S, Pacer, PostPacing
from adapters.slack.runtime import start_slack
from adapters.slack.settings import load_settings
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.conftest import token_env
from tests.adapters.slack.standin import FakeSlack
from tests.support.harness import Harness


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
    sent = []
    for _ in range(4):
        await pacer.wait("C1")
        sent.append(time.now)
    # The post right after a burst keeps the small margin for transit jitter; then 1/s.
    assert sent == pytest.approx([0.0, 0.0, 1.0 + TRANSIT_JITTER_S, 2.0])
    assert await pacer.wait("C2") == 0.0


async def test_posting_to_many_channels_paces_the_workspace() -> None:
    time = FakeTime()
    pacing = PostPacing(
        channel=Pacer(1.0, 4, clock=time.clock, sleep=time.sleep),
        workspace=Pacer(5.0, 20, clock=time.clock, sleep=time.sleep),
    )
    await asyncio.gather(*(pacing.before_post("T1", f"C{i}") for i in range(30)))
    assert round(time.now, 6) == 2.0  # 20 at once, then 10 more at 5 per second


async def test_late_wake_ups_neither_lower_the_rate_nor_bunch_posts() -> None:
    """A busy event loop wakes every sleeper late; the pace must hold anyway (Slack's
    workspace limit is a sliding window, so a bunch of late posts would earn 429s)."""

    async def late_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds + 0.01)

    pacer = Pacer(rate_per_s=50.0, burst=1, sleep=late_sleep)
    sent: list[float] = []

    async def post() -> None:
        await pacer.wait("T1")
        sent.append(clock.monotonic())

    started = clock.monotonic()
    await asyncio.gather(*(post() for _ in range(60)))
    # 60 slots 20 ms apart end at ~1.2 s; paying each 10 ms overshoot in turn would take 1.8 s.
    assert clock.monotonic() - started < 1.5
    sent.sort()
    for n, moment in enumerate(sent):
        in_window = [t for t in sent[n:] if t - moment < WINDOW_S + TRANSIT_JITTER_S]
        assert len(in_window) <= 50


@pytest.mark.parametrize(
    ("settings", "workspace", "channel"),
    [
        pytest.param(
            {
                "SLACK_POSTS_PER_SECOND_PER_WORKSPACE": "250",
                "SLACK_POST_BURST_PER_WORKSPACE": "10",
                "SLACK_POSTS_PER_SECOND_PER_CHANNEL": "0.5",
                "SLACK_POST_BURST_PER_CHANNEL": "2",
            },
            (250.0, 10),
            (0.5, 2),
            id="settings-reach-the-pacers",
        ),
        pytest.param({}, (5.0, 20), (1.0, 4), id="built-in-pacing-when-nothing-is-set"),
    ],
)
async def test_the_chat_pacers_follow_the_pacing_settings(
    h: Harness,
    slack: FakeSlack,
    clean_env: pytest.MonkeyPatch,
    settings: dict[str, str],
    workspace: tuple[float, int],
    channel: tuple[float, int],
) -> None:
    token_env(clean_env, slack)
    for name in PACING_VARS:
        clean_env.delenv(name, raising=False)
    for name, value in settings.items():
        clean_env.setenv(name, value)
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
    runtime = await start_slack(app, mode="http", host="127.0.0.1", port=0)
    try:
        pacing = runtime.chat.pacing
        assert (pacing.workspace.rate_per_s, pacing.workspace.burst) == workspace
        assert (pacing.channel.rate_per_s, pacing.channel.burst) == channel
    finally:
        await runtime.stop()


PACING_VARS = (
    "SLACK_POSTS_PER_SECOND_PER_WORKSPACE",
    "SLACK_POST_BURST_PER_WORKSPACE",
    "SLACK_POSTS_PER_SECOND_PER_CHANNEL",
    "SLACK_POST_BURST_PER_CHANNEL",
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_POSTS_PER_SECOND_PER_WORKSPACE", "0"),
        ("SLACK_POSTS_PER_SECOND_PER_WORKSPACE", "fast"),
        ("SLACK_POST_BURST_PER_WORKSPACE", "0"),
        ("SLACK_POSTS_PER_SECOND_PER_CHANNEL", "-1"),
        ("SLACK_POST_BURST_PER_CHANNEL", "1.5"),
    ],
)
def test_a_malformed_pacing_setting_is_named(
    slack: FakeSlack, clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    token_env(clean_env, slack)
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError, match=f"^{name} is malformed"):
        load_settings("http")
