"""Nobody floods a channel: new rounds, `daily now`, stats pictures and data exports are
limited per user (and rounds per channel), with a private "try again in N s", higher limits
for admins, and counts every replica shares through the database."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.account.limits import LimitRules, window_start
from storage.database import session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database
from tests.support.harness import Harness

TRY_AGAIN = re.compile(r"Try again in (\d+) s\.")


def intros(h: Harness) -> int:
    return sum(1 for s in h.chat.sent if (s.message.title or "").startswith("Mock interview"))


def last_note(h: Harness, user: str) -> str:
    return h.chat.private_to(user)[-1].message.body


async def test_a_sixth_round_in_ten_minutes_waits_and_says_for_how_long(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 9, 2, tzinfo=UTC))
    for _ in range(5):
        await h.command("mock 1")
        await h.command("end")
    assert intros(h) == 5
    await h.command("mock 1")
    assert intros(h) == 5
    note = last_note(h, "alice")
    assert "you can have 5 new rounds every 10 minutes" in note
    found = TRY_AGAIN.search(note)
    assert found is not None
    assert int(found.group(1)) == 8 * 60  # the window ends at 09:10
    await h.command("mock 1", user="bob")  # others are not held back
    assert intros(h) == 6
    await h.advance(timedelta(minutes=8))
    await h.command("mock 1")
    assert intros(h) == 7


async def test_admins_get_a_higher_limit_and_a_channel_has_its_own(h_memory: Harness) -> None:
    h = h_memory
    h.limits = LimitRules.defaults(rounds_per_user=1, rounds_per_channel=3, admin_factor=2)
    h.new_engine()
    h.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await h.command("mock 1", user="ada", admin=True)
    await h.command("end", user="ada", admin=True)
    await h.command("mock 1", user="ada", admin=True)
    assert intros(h) == 2
    await h.command("mock 1", user="bob")
    assert intros(h) == 3
    await h.command("mock 1", user="carol")
    assert intros(h) == 3
    assert "this channel can have 3 new rounds every 10 minutes" in last_note(h, "carol")
    await h.command("mock 1", user="carol", channel="C2")
    assert intros(h) == 4


async def test_stats_pictures_and_exports_are_limited_too(h_memory: Harness) -> None:
    h = h_memory
    h.limits = LimitRules.defaults(stats_per_user=2, exports_per_user=1)
    h.new_engine()
    h.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    for _ in range(2):
        await h.command("stats")
        assert "limit" not in last_note(h, "alice")
    await h.command("stats")
    assert "you can have 2 stats pictures every 10 minutes" in last_note(h, "alice")
    await h.command("privacy export")
    assert "limit" not in last_note(h, "alice")
    await h.command("privacy export")
    assert "you can have 1 data exports every hour" in last_note(h, "alice")


async def test_a_limit_of_zero_is_off(h_memory: Harness) -> None:
    h = h_memory
    h.limits = LimitRules.defaults(rounds_per_user=0, rounds_per_channel=0)
    h.new_engine()
    for _ in range(8):
        await h.command("mock 1")
        await h.command("end")
    assert intros(h) == 8


def test_windows_are_fixed_and_aligned() -> None:
    ten = timedelta(minutes=10)
    assert window_start(datetime(2026, 3, 2, 9, 7, 31, tzinfo=UTC), ten) == datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC
    )
    hour = timedelta(hours=1)
    assert window_start(datetime(2026, 3, 2, 9, 59, 59, tzinfo=UTC), hour) == datetime(
        2026, 3, 2, 9, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("kind", BACKENDS)
async def test_replicas_share_one_count(kind: str, tmp_path: Path) -> None:
    """Two processes' units of work bumping the same counter at once never lose a bump."""
    async with migrated_database(kind, tmp_path) as (engine, _url):
        replicas = [UnitOfWorkFactory(session_factory(engine)) for _ in range(2)]
        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

        async def bump(replica: int) -> int:
            async with replicas[replica % 2]() as uow:
                used = await uow.limits.hit("user:1", "new round", start)
                await uow.commit()
                return used

        seen = await asyncio.gather(*(bump(n) for n in range(20)))
        assert sorted(seen) == list(range(1, 21))
        async with replicas[0]() as uow:
            assert await uow.limits.hit("user:1", "new round", start + timedelta(minutes=10)) == 1
            await uow.commit()
