"""The daily fan-out: a minute with many schedules due is claimed and recorded in batches, each
channel is posted once, and a claim that waited too long is renewed (or dropped if taken)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.daily.fanout import DailyFanOut
from bot.daily.service import DailyRules, DailyService
from bot.events import Place
from bot.grading import RubricGrader
from bot.messages import MessageRef, RichMessage
from bot.rounds.mock import ChatLookup
from tests.support.fakes import FakeChat
from tests.support.harness import Harness
from tests.support.stored import daily_posts as stored

CHANNELS = 60
BEFORE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)


async def many_schedules(h: Harness, count: int = CHANNELS) -> None:
    h.clock.set(BEFORE)
    for n in range(count):
        await h.command("daily set time=09:00 tz=UTC days=daily", channel=f"C{n:03}", admin=True)
    h.clock.set(DUE)


def posts_per_channel(chat: FakeChat) -> Counter[str]:
    return Counter(
        s.place.channel
        for s in chat.sent
        if s.kind == "post" and (s.message.title or "").startswith("Daily question")
    )


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Spy on a DailyService method: one entry per call, the size of its batch (or 1)."""
    calls: list[int] = []
    real: Callable[..., Awaitable[Any]] = getattr(DailyService, name)

    async def spy(self: DailyService, uow: Any, batch: Any, *rest: Any) -> Any:
        calls.append(len(batch) if isinstance(batch, list) else 1)
        return await real(self, uow, batch, *rest)

    monkeypatch.setattr(DailyService, name, spy)
    return calls


async def test_a_minute_of_many_schedules_posts_each_once_in_a_few_transactions(
    h_both: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = h_both
    await many_schedules(h)
    claims = count_calls(monkeypatch, "claim_many")
    records = count_calls(monkeypatch, "record_posted")
    assert await h.engine.tick() == CHANNELS
    per_channel = posts_per_channel(h.chat)
    assert len(per_channel) == CHANNELS
    assert set(per_channel.values()) == {1}
    assert sum(claims) == CHANNELS
    assert len(claims) <= 3, "claims go in batches"
    assert sum(records) == CHANNELS
    assert len(records) < CHANNELS / 2, "records go in batches"
    rows = await stored(h)
    assert {r.status for r in rows} == {"posted"}
    assert all(r.thread_ref and r.message_ref and r.reveal_at for r in rows)
    assert await h.engine.tick() == 0, "a later sweep finds nothing left to post"


async def test_every_cron_job_of_a_minute_on_two_replicas_posts_each_channel_once(
    h_both: Harness,
) -> None:
    h = h_both
    await many_schedules(h)
    first, second = h.engine, h.new_engine()
    ids = [schedule_id for schedule_id, *_ in await first.enabled_schedules()]
    results = await asyncio.gather(
        *(engine.fire_daily(schedule_id) for schedule_id in ids for engine in (first, second))
    )
    assert sum(results) == CHANNELS
    await asyncio.gather(first.tick(), second.tick())
    per_channel = posts_per_channel(h.chat)
    assert len(per_channel) == CHANNELS
    assert set(per_channel.values()) == {1}


class SlowChat(FakeChat):
    """Each post takes a while; the first one can run a hook (another replica acting)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.on_first_post: Callable[[], Awaitable[None]] | None = None

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        if self.on_first_post is not None:
            hook, self.on_first_post = self.on_first_post, None
            await hook()
        await asyncio.sleep(self.seconds)
        return await super().post(place, message)


def slow_fan_out(h: Harness, chat: FakeChat) -> tuple[DailyFanOut, DailyService]:
    """One sender and a 0.3 s lease, so the second claim waits past a third of it."""
    daily = DailyService(h.banks, RubricGrader(), DailyRules(), instance=h.instance)
    fan_out = DailyFanOut(
        daily, h.uow, ChatLookup({"test": chat}), h.clock, timedelta(seconds=0.3), senders=1
    )
    return fan_out, daily


async def test_a_claim_that_waited_near_its_lease_is_renewed_then_sent(
    h_memory: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = h_memory
    await many_schedules(h, 3)
    chat = SlowChat(0.15)
    fan_out, _ = slow_fan_out(h, chat)
    renewals = count_calls(monkeypatch, "renew_claim")
    due = [(schedule_id, DUE.date()) for schedule_id, *_ in await h.engine.enabled_schedules()]
    assert await fan_out.post_all(due) == 3
    assert len(renewals) >= 1
    assert set(posts_per_channel(chat).values()) == {1}


async def test_a_claim_taken_over_while_it_waited_is_not_sent(h_memory: Harness) -> None:
    h = h_memory
    await many_schedules(h, 3)
    chat = SlowChat(0.15)

    async def another_replica_takes_the_rest() -> None:
        async with h.uow() as uow:
            for post in uow.claims.d.posts:
                if post.status == "claimed":
                    post.claimed_by = "other"
            await uow.commit()

    chat.on_first_post = another_replica_takes_the_rest
    fan_out, _ = slow_fan_out(h, chat)
    due = [(schedule_id, DUE.date()) for schedule_id, *_ in await h.engine.enabled_schedules()]
    assert await fan_out.post_all(due) == 1
    assert sum(posts_per_channel(chat).values()) == 1
    rows = await stored(h)
    assert sorted(r.status for r in rows) == ["claimed", "claimed", "posted"]
    assert {r.claimed_by for r in rows if r.status == "claimed"} == {"other"}
