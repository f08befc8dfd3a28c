"""Batches of daily answers on two replicas, sharing users, overlap without deadlocks.

Two engines on one database (two replicas) each take a burst of answers from the same new
users, in shuffled orders, to their own channel's daily question, while one-event commands
from those users run beside them. Every batched write must take its row locks in one order
(users, streaks, cards, inbox rows by key) and the per-event path must not hold locks the
batches need: then no batch fails and falls back to one answer at a time. On SQLite the one
writer orders everything anyway; the same outcome holds there.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.events import MessagePosted, SlashCommand
from storage.models import Answer, Streak, User
from tests.bot.test_daily import daily_posts, question_of
from tests.support.harness import Harness, answer_covering

PEOPLE = 24
BURSTS = 3
SPEC = "time=09:00 tz=Europe/Berlin days=mon-fri"


def _reply(h: Harness, channel: str, thread: str, user: str, text: str, key: str) -> MessagePosted:
    return MessagePosted(h.place(channel, thread), h.actor(user), text, f"m-{key}", key)


async def _two_posts(h: Harness) -> dict[str, tuple[str, str]]:
    """A daily question in C1 and in C2 (each channel with its study group): thread and
    question id by channel."""
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # a Monday
    for channel in ("C1", "C2"):
        await h.command(f"daily set {SPEC}", channel=channel, admin=True)
        await h.command(f"group create {channel.lower()}-study", channel=channel)
    await h.advance(timedelta(hours=2))
    posts = daily_posts(h)
    found: dict[str, tuple[str, str]] = {}
    for index, post in enumerate(posts):
        found[post.place.channel] = (f"t-{post.message_id}", question_of(h, index))
    assert set(found) == {"C1", "C2"}
    return found


async def test_overlapping_batches_and_events_on_the_same_users_never_fall_back(
    h_both: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = h_both
    posts = await _two_posts(h)
    other = Harness(h.database, h.bank, h.clock)  # a second replica, its caches cold
    replicas = {"C1": h, "C2": other}
    for channel, (thread, question_id) in posts.items():
        # Each replica learns its channel's thread, so what follows takes the batched path.
        await replicas[channel].send(
            _reply(h, channel, thread, "first", answer_covering(h.bank, question_id), channel)
        )
    caplog.set_level(logging.INFO, logger="bot.daily.batch")
    shuffle = random.Random(19)
    for burst in range(BURSTS):
        people = [f"b{burst}u{n:02}" for n in range(PEOPLE)]
        work = []
        for channel, (thread, question_id) in posts.items():
            text = answer_covering(h.bank, question_id)
            order = people[:]
            shuffle.shuffle(order)
            replica = replicas[channel]
            work += [
                replica.send(_reply(h, channel, thread, user, text, f"{channel}-{user}"))
                for user in order
            ]
        # One-event work from the same (still unknown) users, on both replicas.
        work += [
            replicas[("C1", "C2")[n % 2]].send(
                SlashCommand(h.place("C3"), h.actor(user), "daily status", f"cmd-{user}")
            )
            for n, user in enumerate(people[: PEOPLE // 2])
        ]
        shuffle.shuffle(work)
        await asyncio.gather(*work)

    fell_back = [r.getMessage() for r in caplog.records if "handling each alone" in r.getMessage()]
    assert fell_back == [], "a batch failed (a deadlock?) and fell back to one at a time"
    async with h.uow() as uow:
        session = uow.session
        per_user = dict(
            (
                await session.execute(
                    select(User.external_id, func.count(Answer.id))
                    .join(Answer, Answer.user_id == User.id)
                    .where(Answer.counted == True)  # noqa: E712
                    .group_by(User.external_id)
                )
            ).all()
        )
        users = (await session.execute(select(func.count()).select_from(User))).scalar_one()
        streaks = (await session.execute(select(Streak.current))).scalars().all()
    everyone = [f"b{b}u{n:02}" for b in range(BURSTS) for n in range(PEOPLE)]
    assert {user: per_user.get(user) for user in everyone} == dict.fromkeys(everyone, 2)
    assert per_user["first"] == 2
    assert users == len(everyone) + 2  # the admin who set the schedules, and "first"
    # Each answerer joined both channels' groups; each streak stands at one day.
    assert len(streaks) == 2 * (len(everyone) + 1)
    assert set(streaks) == {1}
